"""Crash safety for real: `mailbot run` as a separate process on Dovecot and aiosmtpd, SIGKILLed at random moments
and restarted, over a backlog of mixed mail. Afterwards every message has exactly one decision, every message
that deserves a reply got exactly one (one Message-ID per In-Reply-To at the SMTP server), no reference was
issued twice and nothing is left unprocessed.

CI runs MAILBOT_CRASH_KILLS (default 12) kills over MAILBOT_CRASH_MESSAGES (default 300) messages; the full run
is `MAILBOT_CRASH_KILLS=30 pytest tests/test_crash.py -s`, which prints its figures.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from mailbot.judging.decision import REPLYING_ACTIONS
from mailbot.store.db import Database
from mailbot.store.models import Case, Decision, InboundMessage, OutboxMessage
from mailbot.testing.backlog import mixed_backlog
from mailbot.testing.bots import write_config

KILLS = int(os.environ.get("MAILBOT_CRASH_KILLS", "12"))
MESSAGES = int(os.environ.get("MAILBOT_CRASH_MESSAGES", "300"))
def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path: Path, dovecot, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    mails = mixed_backlog(MESSAGES)
    start = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    for n, raw in enumerate(mails):
        dovecot.append(raw, start + timedelta(minutes=n))
    db_url = f"sqlite:///{tmp_path}/crash.db"
    config = write_config(tmp_path / "mailbot.toml", dovecot, smtp_sink, db_url, {
        "imap": {"batch_size": 25}, "smtp": {"retry_seconds": 1}, "schedule": {"poll_seconds": 1},
        "rules": {"daily_reply_cap": 1000}})
    env = {**os.environ, "MAILBOT_IMAP_PASSWORD": dovecot.password}
    command = [sys.executable, "-m", "mailbot.cli", "--config", str(config)]
    rng = random.Random(int(os.environ.get("MAILBOT_CRASH_SEED", "20221512")))
    kills_done = 0
    began = time.monotonic()
    for _ in range(KILLS):
        process = subprocess.Popen([*command, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 2.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills_done += 1
        process.wait(timeout=30)
    for _ in range(30):  # restart until everything is done
        result = subprocess.run([*command, "run", "--once"], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        db = Database(db_url, migrate=False)
        with db.session() as session:
            pending = session.scalar(select(func.count()).select_from(InboundMessage)
                                     .where(InboundMessage.status != "processed"))
            unsent = session.scalar(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.status != "sent"))
        db.dispose()
        if not pending and not unsent and not dovecot.list_messages("INBOX"):
            break
        time.sleep(1)
    elapsed = time.monotonic() - began

    db = Database(db_url, migrate=False)
    with db.session() as session:
        inbound = session.scalars(select(InboundMessage)).all()
        decisions = session.scalars(select(Decision)).all()
        replying = {d.inbound_id for d in decisions if d.action in REPLYING_ACTIONS}
        by_inbound = {row.id: row.message_id for row in inbound}
        references = session.scalars(select(Case.reference).where(Case.reference.is_not(None))).all()
        outbox_count = session.scalar(select(func.count()).select_from(OutboxMessage))
    db.dispose()
    # A reply is identified by its Message-ID: the same reply transmitted again after a kill in the instant between
    # the server's "250 OK" and our commit is the same message (byte for byte, same Message-ID), which receiving
    # systems recognise. Two *different* replies to one message would be a real double answer.
    replies: dict[str, set[str]] = {}
    copies: dict[str, set[bytes]] = {}
    for sent in smtp_sink.messages:
        replies.setdefault(sent.message["In-Reply-To"], set()).add(sent.message["Message-ID"])
        copies.setdefault(sent.message["Message-ID"], set()).add(sent.raw)
    deserving = {by_inbound[i] for i in replying}
    doubled = {k: v for k, v in replies.items() if len(v) > 1}
    retransmitted = sum(1 for m in Counter(s.message["Message-ID"] for s in smtp_sink.messages).values() if m > 1)
    print(f"\ncrash test: {len(mails)} messages, {kills_done} SIGKILLs, {len(smtp_sink.messages)} transmissions at "
          f"the SMTP server, {len(deserving)} replies deserved, {len(replies)} answered, {len(doubled)} answered "
          f"twice, {retransmitted} identical retransmissions, {elapsed:.1f} s")

    assert kills_done >= min(KILLS, 1)
    assert len(inbound) == len(mails)  # every message stored once
    assert len(decisions) == len(mails) and len({d.inbound_id for d in decisions}) == len(mails)
    assert all(row.status == "processed" for row in inbound)
    assert dovecot.list_messages("INBOX") == []
    assert not doubled, f"replied twice to {sorted(doubled)[:5]}"
    assert all(len(raws) == 1 for raws in copies.values())  # a retransmission is the very same bytes
    assert set(replies) == deserving  # every deserving message got its reply, and nothing else got one
    assert outbox_count == len(deserving)
    assert len(references) == len(set(references))
    expected = sum(1 for raw in mails if b"valid-" in raw or b"-name@" in raw)
    assert len(references) == expected  # each valid or completed request, one reference each
