"""One way to send: the bot's own process sends, after deciding, in the cycle's thread. `mailbot run` is one process,
so nothing can go on sending beside a successor once it is killed; a failure while sending loses no decision and
sends no reply twice; SIGTERM stops it cleanly."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from servers import ProcessEntry, process_table
from sqlalchemy import select

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


def group(pgrp: int) -> list[ProcessEntry]:
    return [process for process in process_table() if process.pgrp == pgrp and process.state != "Z"]


def wait_for(condition, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()  # type: ignore[no-any-return]


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the bot catches it."""


def test_replies_are_sent_by_the_cycles_own_thread(make_bot, dovecot, smtp_sink, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="mailbot")
    bot = make_bot()
    for n in range(3):
        dovecot.append(request(n), WHEN)
    threads_before = set(threading.enumerate())
    stats = bot.cycle()
    assert stats.send.sent == 3 and answered(smtp_sink) == [f"<sender-{n}@example.org>" for n in range(3)]
    sent = [r for r in caplog.records if r.name == "mailbot.runners.send" and r.getMessage().startswith("sent reply")]
    assert len(sent) == 3
    assert {(r.process, r.thread) for r in sent} == {(os.getpid(), threading.get_ident())}
    assert set(threading.enumerate()) <= threads_before  # no thread of its own was started, none left running


@pytest.mark.parametrize("connections", [1, 3])
def test_a_failure_mid_send_keeps_every_decision_and_the_next_cycle_sends_the_rest_once(
        make_bot, dovecot, smtp_sink, monkeypatch, connections: int) -> None:  # type: ignore[no-untyped-def]
    """What the sender process's death mid-cycle used to test, on the one path: sending breaks off at the third
    reply; nothing decided is lost, and the next cycle sends the others, each once (on one connection or several:
    the replies in hand on the other connections are finished, none is cut off half-sent)."""
    import aiosmtplib

    bot = make_bot({"smtp": {"connections": connections}})
    for n in range(4):
        dovecot.append(request(n), WHEN)
    original = aiosmtplib.SMTP.sendmail
    calls: list[int] = []

    async def two_then_crash(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise Crash
        return await original(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(aiosmtplib.SMTP, "sendmail", two_then_crash)
        with pytest.raises(Crash):
            bot.cycle()
    # One connection: the two before the failure. Three: the two that went out beside it.
    assert len(smtp_sink.messages) == 2
    again = bot.cycle()
    assert again.process.decided == 0  # every decision was made and kept; only sending was cut short
    assert answered(smtp_sink) == [f"<sender-{n}@example.org>" for n in range(4)]  # each once
    with bot.db.session() as session:
        assert {row.status for row in session.scalars(select(OutboxMessage))} == {"sent"}


def start_run(tmp_path: Path, dovecot, smtp_sink, db_url: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    """`mailbot run` with IMAP IDLE and a long poll interval: after answering it sits idle."""
    config = write_config(tmp_path / "mailbot.toml", dovecot, smtp_sink, db_url, {"schedule": {"poll_seconds": 600}})
    return subprocess.Popen([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run"],
                            env={**os.environ, "MAILBOT_IMAP_PASSWORD": dovecot.password}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_mailbot_run_is_one_process_and_a_kill_leaves_nothing_sending(tmp_path: Path, dovecot,
                                                                      smtp_sink) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL to the bot alone: nothing of it may live on to send beside a successor reconciling its rows."""
    process = start_run(tmp_path, dovecot, smtp_sink, f"sqlite:///{tmp_path}/bot.db")
    try:
        dovecot.append(request(1), WHEN)
        assert wait_for(lambda: len(smtp_sink.messages) == 1)  # at work (IDLE woke the bot)
        assert children(process.pid) == []  # it sent the reply itself: no sender process
        process.kill()
        process.wait(timeout=30)
        assert wait_for(lambda: group(process.pid) == []), "a process of the killed bot lives on"
    finally:
        kill_group(process)
        process.communicate(timeout=30)


def test_sigterm_to_the_whole_group_stops_it_cleanly(tmp_path: Path, dovecot, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    """systemd and a terminal signal every process of the group."""
    process = start_run(tmp_path, dovecot, smtp_sink, f"sqlite:///{tmp_path}/bot.db")
    try:
        dovecot.append(request(1), WHEN)
        assert wait_for(lambda: len(smtp_sink.messages) == 1)
        os.killpg(process.pid, signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err[-2000:]
        assert "mailbot stopped" in err and "Traceback" not in err
        assert wait_for(lambda: group(process.pid) == [])
    finally:
        if process.poll() is None:
            kill_group(process)
            process.communicate(timeout=30)
