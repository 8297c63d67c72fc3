"""The sender process (sender.py): it sends what the decision runner queues, reports to the bot's logging, is
restarted when it has died, stops with the bot on a signal to the whole group, and dies with the bot when the bot is
killed — so that it can never send beside a successor."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import ProcessEntry, process_table
from sqlalchemy import select

from mailbot.runners.sender import SenderError
from mailbot.store.models import OutboxMessage
from mailbot.testing import messages
from mailbot.testing.bots import write_config
from mailbot.testing.moments import WHEN


def request(n: int) -> bytes:
    return messages.request(n, tag="sender")


def answered(smtp_sink) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(m.message["In-Reply-To"] for m in smtp_sink.messages)


def children(pid: int) -> list[ProcessEntry]:
    return [process for process in process_table() if process.ppid == pid]


def running(pid: int) -> bool:
    return any(process.pid == pid and process.state != "Z" for process in process_table())


def wait_for(condition, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()  # type: ignore[no-any-return]


def test_replies_are_sent_from_another_process_whose_log_records_reach_ours(make_bot, dovecot, smtp_sink,
                                                                           caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="mailbot")
    bot = make_bot()
    for n in range(3):
        dovecot.append(request(n), WHEN)
    stats = bot.cycle()
    assert stats.send.sent == 3 and answered(smtp_sink) == [f"<sender-{n}@example.org>" for n in range(3)]
    assert bot.sends_from_a_process and bot.start_sender() is not None
    sent = [r for r in caplog.records if r.name == "mailbot.runners.send" and r.getMessage().startswith("sent reply")]
    assert len(sent) == 3 and {r.process for r in sent} == {bot.start_sender().pid} != {os.getpid()}


def test_a_sender_that_died_between_cycles_is_started_again(make_bot, dovecot, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    bot.cycle()
    first = bot.start_sender()
    os.kill(first.pid, signal.SIGKILL)
    assert wait_for(lambda: not first.alive)
    dovecot.append(request(1), WHEN)
    assert bot.cycle().send.sent == 1
    assert bot.start_sender().pid != first.pid and answered(smtp_sink) == ["<sender-1@example.org>"]


def test_a_sender_killed_mid_cycle_fails_the_cycle_and_the_next_one_sends_everything(
        make_bot, dovecot, smtp_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import mailbot.runners.decide
    from mailbot.judging.judge import judge as real_judge

    bot = make_bot()
    bot.cycle()
    victim = bot.start_sender().pid
    for n in range(4):
        dovecot.append(request(n), WHEN)

    def judge_and_kill(msg, index=None, settings=None):  # type: ignore[no-untyped-def]
        if msg.message_id == "<sender-2@example.org>":
            os.kill(victim, signal.SIGKILL)
        return real_judge(msg, index, settings)

    monkeypatch.setattr(mailbot.runners.decide, "judge", judge_and_kill)
    with pytest.raises(SenderError, match="exited"):
        bot.cycle()
    monkeypatch.undo()
    assert bot.cycle().process.decided == 0  # every decision was made and kept; only sending was cut short
    assert answered(smtp_sink) == [f"<sender-{n}@example.org>" for n in range(4)]  # each once
    with bot.db.session() as session:
        assert {row.status for row in session.scalars(select(OutboxMessage))} == {"sent"}


def start_run(tmp_path: Path, dovecot, smtp_sink, db_url: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    """`mailbot run` with IMAP IDLE and a long poll interval: after answering it sits idle, its sender waiting."""
    config = write_config(tmp_path / "mailbot.toml", dovecot, smtp_sink, db_url, {"schedule": {"poll_seconds": 600}})
    return subprocess.Popen([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run"],
                            env={**os.environ, "MAILBOT_IMAP_PASSWORD": dovecot.password}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def sender_of(process: subprocess.Popen) -> int:
    def found() -> list[int]:
        return [child.pid for child in children(process.pid) if b"mailbot.runners.sender" in child.cmdline()]
    assert wait_for(lambda: bool(found())), "mailbot run started no sender process"
    (pid,) = found()
    return pid


def test_the_sender_dies_with_a_killed_bot(tmp_path: Path, dovecot, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL to the bot alone: its sender must not live on (a successor may be reconciling its rows)."""
    process = start_run(tmp_path, dovecot, smtp_sink, f"sqlite:///{tmp_path}/bot.db")
    try:
        sender = sender_of(process)
        dovecot.append(request(1), WHEN)
        assert wait_for(lambda: len(smtp_sink.messages) == 1)  # both at work (IDLE woke the bot)
        time.sleep(0.5)  # the cycle's end: the sender now waits for the next one, which would never come
        process.kill()
        process.wait(timeout=30)
        assert wait_for(lambda: not running(sender)), "the sender outlived its bot"
    finally:
        kill_group(process)  # the sender too, should it have outlived the bot
        process.communicate(timeout=30)


def test_sigterm_to_the_whole_group_stops_both_cleanly(tmp_path: Path, dovecot, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    """systemd and a terminal signal every process of the group: the sender ignores it and is stopped by the bot."""
    process = start_run(tmp_path, dovecot, smtp_sink, f"sqlite:///{tmp_path}/bot.db")
    try:
        sender = sender_of(process)
        dovecot.append(request(1), WHEN)
        assert wait_for(lambda: len(smtp_sink.messages) == 1)
        os.killpg(process.pid, signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err[-2000:]
        assert "mailbot stopped" in err and "Traceback" not in err
        assert wait_for(lambda: not running(sender))
    finally:
        if process.poll() is None:
            kill_group(process)
            process.communicate(timeout=30)
