"""IMAP IDLE answers new mail within seconds, not at the next poll; several instances share one mailbox and one
PostgreSQL with exactly-once handling, the scheduled work running in whichever one holds the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from mailbot.store.db import Database
from mailbot.store.models import Decision, InboundMessage, OutboxMessage
from mailbot.testing.backlog import mixed_backlog
from mailbot.testing.bots import write_config
from mailbot.testing.moments import WHEN

REQUEST = (b"From: Jo Bloggs <jo@example.org>\r\nTo: foi@council.example\r\nSubject: Budget\r\n"
           b"Message-ID: <idle-1@example.org>\r\n\r\nPlease send the 2023 gritting budget.\r\n\r\n"
           b"Yours faithfully,\r\nJo Bloggs\r\n")


def config_file(path: Path, dovecot, smtp_sink, db_url: str, poll: int, idle: bool = True) -> Path:  # type: ignore[no-untyped-def]
    return write_config(path, dovecot, smtp_sink, db_url, {
        "imap": {"idle": idle, "batch_size": 20}, "smtp": {"retry_seconds": 1}, "schedule": {"poll_seconds": poll},
        "rules": {"daily_reply_cap": 1000}})


def start(config: Path, password: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run"],
                            env={**os.environ, "MAILBOT_IMAP_PASSWORD": password},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


def test_idle_answers_new_mail_long_before_the_next_poll(tmp_path: Path, dovecot, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    config = config_file(tmp_path / "m.toml", dovecot, smtp_sink, f"sqlite:///{tmp_path}/m.db", poll=600)
    process = start(config, dovecot.password)
    try:
        time.sleep(2)  # the first poll (at start) has run and found nothing; the next is ten minutes away
        assert not smtp_sink.messages
        dovecot.append(REQUEST, WHEN)
        smtp_sink.wait_for(1, timeout=30)  # only IDLE can have woken it within this bound
    finally:
        err = stop(process)
    assert smtp_sink.messages[0].rcpt_tos == ["jo@example.org"], err


def test_three_instances_on_one_mailbox_and_postgresql(tmp_path: Path, dovecot, smtp_sink, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    mails = mixed_backlog(150)
    for n, raw in enumerate(mails):
        dovecot.append(raw, WHEN.replace(minute=n % 60, hour=10 + n // 60))
    config = config_file(tmp_path / "m.toml", dovecot, smtp_sink, postgres_url, poll=1)
    logs = [tmp_path / f"instance-{i}.log" for i in range(3)]
    processes = [subprocess.Popen([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run"],
                                  env={**os.environ, "MAILBOT_IMAP_PASSWORD": dovecot.password},
                                  stdout=subprocess.DEVNULL, stderr=log.open("w")) for log in logs]
    leading = "now runs the scheduled jobs"
    db = Database(postgres_url)

    def decided() -> int:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(Decision))

    def unsent() -> int:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status.in_(("queued", "sending"))))

    try:
        deadline = time.monotonic() + 240  # generous: a loaded machine is slow, a quiet one takes seconds
        while decided() < 20 and time.monotonic() < deadline:
            time.sleep(0.2)
        leaders = [i for i, log in enumerate(logs) if leading in log.read_text()]
        assert len(leaders) == 1, [log.read_text()[-500:] for log in logs]  # exactly one instance leads
        killed = leaders[0]
        processes[killed].send_signal(signal.SIGKILL)
        processes[killed].wait()
        killed_at, progress_at = time.monotonic(), decided()
        while time.monotonic() < deadline:
            successors = [i for i, log in enumerate(logs) if i != killed and leading in log.read_text()]
            if successors:
                break
            time.sleep(0.1)
        takeover = time.monotonic() - killed_at
        assert len(successors) == 1  # another instance took over, and only one
        while time.monotonic() < deadline and (decided() < len(mails) or dovecot.list_messages("INBOX")):
            time.sleep(0.5)
        while time.monotonic() < deadline and unsent():
            time.sleep(0.5)  # let the last replies go out
    finally:
        for process in processes:
            stop(process)
    print(f"\nthree instances: leader killed after {progress_at} decisions; instance {successors[0]} took over "
          f"after {takeover:.2f} s (poll interval 1 s)")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == len(mails)
        decisions = session.scalars(select(Decision)).all()
    db.dispose()
    assert len(decisions) == len(mails)
    replies: dict[str, set[str]] = {}
    for sent in smtp_sink.messages:
        replies.setdefault(sent.message["In-Reply-To"], set()).add(sent.message["Message-ID"])
    assert all(len(ids) == 1 for ids in replies.values())  # never two different replies to one message
    deserved = sum(1 for d in decisions if d.action in ("acknowledge", "section8_notice", "acknowledge_follow_up"))
    assert len(replies) == deserved
    assert max(Counter(s.message["Message-ID"] for s in smtp_sink.messages).values()) <= 2
