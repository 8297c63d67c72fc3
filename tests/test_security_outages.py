"""Issue 14: long outages, infrastructure faults blamed on messages, and personal data on disk and in logs.

Each test first sets up the fault the issue reproduced, on the real servers (Dovecot, aiosmtpd, SQLite or
PostgreSQL), and checks it really happened (the relay refused, the database failed), then shows what must hold:
  - a relay that defers (4xx) or refuses connections for longer than `smtp.max_attempts` ever allowed loses no
    reply, and when it is back each goes out exactly once; only a 5xx for its recipient fails a reply, and
    `mailbot requeue --failed` sends it again;
  - the outage is logged at ERROR once (and once on recovery), recorded for `mailbot doctor` and the digest, and
    nothing claims "staff told" for a notice stuck behind the dead relay;
  - a database OperationalError or a full disk during a cycle charges no message an attempt and is logged once per
    outage under its true name, with the traceback only the first time;
  - after a real `mailbot run` the data directory is 0700 and the database and its -wal/-shm 0600, and a
    Message-ID made of the sender's address never reaches the log.
"""

from __future__ import annotations

import email
import email.policy
import errno
import logging
import os
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from servers import DovecotAccount, SmtpSink
from sqlalchemy import event, select

from mailbot.judging.judge import judge as real_judge
from mailbot.mail.lognames import log_name, short_hash
from mailbot.runners import decide
from mailbot.runners.faults import Component, classify
from mailbot.service import Bot
from mailbot.store.db import Database
from mailbot.store.models import InboundMessage, OutboxMessage, StaffAction, StaffAlert
from mailbot.testing.bots import BotFactory, write_config
from mailbot.testing.clock import ManualClock
from mailbot.testing.commands import mailbot
from mailbot.testing.messages import request
from mailbot.testing.moments import WHEN

STAFF = "ir-team@council.example"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


def outbox(bot: Bot) -> list[OutboxMessage]:
    with bot.db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def replies(bot: Bot) -> list[OutboxMessage]:
    return [row for row in outbox(bot) if row.inbound_id is not None]


def inbound(bot: Bot) -> list[InboundMessage]:
    with bot.db.session() as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def errors(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and text in r.getMessage()]


def lines(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if text in r.getMessage()]


def config_file(tmp_path: Path, bot: Bot) -> str:
    """The bot's own settings as a file: `mailbot doctor` then checks its real servers as well as its records."""
    imap, smtp = bot.settings.imap, bot.settings.smtp
    config = tmp_path / "m.toml"
    config.write_text(f'[mailbox]\naddress = "foi@council.example"\norganisation = "Test Council"\n'
                      f'[imap]\nhost = "{imap.host}"\nport = {imap.port}\nusername = "{bot.settings.imap_username}"\n'
                      f'[smtp]\nhost = "{smtp.host}"\nport = {smtp.port}\n[database]\nurl = "{bot.db.url}"\n')
    config.chmod(0o600)
    return str(config)


def doctor(tmp_path: Path, bot: Bot) -> Result:
    password = bot.imap_password.get_secret_value()  # type: ignore[union-attr]  # a password bot
    return mailbot("--config", config_file(tmp_path, bot), "doctor", env={"MAILBOT_IMAP_PASSWORD": password})


# -- the relay: long outages lose nothing ----------------------------------------------------------------------------


def test_a_relay_deferring_everything_for_longer_than_max_attempts_loses_no_reply(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, clock: ManualClock,
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG, logger="mailbot")
    # The deployment of the report: a file that still says max_attempts (3 here, to keep the test short).
    bot = make_bot({"smtp": {"retry_seconds": 60, "max_attempts": 3, "connections": 1},
                    "staff": {"recipients": [STAFF]}}, clock=clock)
    for n in range(3):
        dovecot.append(request(n), WHEN)
    cycles = 6
    smtp_sink.fail_next(3 * cycles, "451 4.3.0 relay busy, try later", stage="MAIL")
    for _ in range(cycles):  # each hour, every reply tried and deferred: 6 attempts each, twice max_attempts
        bot.cycle()
        clock.now += timedelta(hours=1, seconds=1)
    assert not smtp_sink.messages  # the relay really took nothing
    rows = replies(bot)
    assert [r.attempts for r in rows] == [cycles] * 3 and all(r.last_error.startswith("451") for r in rows)
    assert [r.status for r in rows] == ["queued"] * 3  # before: "failed" for good after the third attempt
    assert errors(caplog, "SMTP relay unavailable") and len(errors(caplog, "SMTP relay unavailable")) == 1
    assert not lines(caplog, "staff told")  # nothing was told to anyone while the relay took nothing
    checked = doctor(tmp_path, bot)
    assert checked.exit_code == 1 and "✘ outage: SMTP relay unavailable" in checked.stdout
    assert "✔ IMAP login" in checked.stdout and "✔ SMTP login" in checked.stdout  # the relay answers, defers mail
    (notice,) = dovecot.list_messages("Quarantine")  # one notice filed over IMAP for the whole outage
    filed = email.message_from_bytes(notice[1], policy=email.policy.default)
    assert "451 4.3.0 relay busy" in filed.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    stats = bot.cycle()  # the relay is back
    assert stats.send.sent == 3
    for _ in range(3):
        clock.now += timedelta(hours=1)
        bot.cycle()
    delivered = Counter(m.rcpt_tos[0] for m in smtp_sink.messages if m.rcpt_tos != [STAFF])
    assert delivered == {f"person{n}@example.org": 1 for n in range(3)}  # every reply, exactly once
    assert all(r.status == "sent" for r in outbox(bot))
    assert len(lines(caplog, "SMTP relay unavailable: recovered")) == 1
    with bot.db.session() as session:  # the record the digest lists: the outage and its end
        (record,) = session.scalars(select(StaffAlert).where(StaffAlert.key.like("outage:smtp%"))).all()
    assert record.key != "outage:smtp" and "recovered" in record.detail and "451" in record.detail
    checked = doctor(tmp_path, bot)
    assert checked.exit_code == 0, checked.stdout
    digest = mailbot("--config", config_file(tmp_path, bot), "digest", "--preview", "--at",
                     f"{clock.now:%Y-%m-%d %H:%M}")
    assert digest.exit_code == 0 and "SMTP relay unavailable since 2026-01-05" in digest.stdout
    assert "recovered" in digest.stdout  # staff read of the outage, its cause and its end, in the next digest
    assert lines(caplog, "smtp.max_attempts is no longer used")  # the old key loaded, with a deprecation warning


def test_a_relay_refusing_connections_for_a_day_loses_nothing_and_sends_the_moment_it_is_back(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mailbot")
    bot = make_bot({"smtp": {"retry_seconds": 60}}, clock=clock)  # the default max_attempts was 20: ~14 hours
    port = smtp_sink.port
    smtp_sink.stop()
    for n in range(3):
        dovecot.append(request(n), WHEN)
    for _ in range(24):
        bot.cycle()
        clock.now += timedelta(hours=1, seconds=1)
    rows = replies(bot)
    assert [r.attempts for r in rows] == [24] * 3 and all("server unavailable" in r.last_error for r in rows)
    assert [r.status for r in rows] == ["queued"] * 3
    assert len(errors(caplog, "SMTP relay unavailable")) == 1  # one line for a day of failures, not 24
    first = errors(caplog, "SMTP relay unavailable")[0]
    assert first.exc_info is not None  # the traceback, once
    (notice,) = dovecot.list_messages("Quarantine")  # staff told by the route that works: filed over IMAP, once
    filed = email.message_from_bytes(notice[1], policy=email.policy.default)
    assert filed["Subject"] == "mailbot: the mail relay is not taking mail"
    text = filed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Connect call failed" in text and "nothing is lost" in text
    assert not lines(caplog, "staff told")

    smtp_sink.port = port
    smtp_sink.start()
    clock.now += timedelta(minutes=1)  # every reply's next try is up to an hour away: the probe finds the relay
    assert bot.cycle().send.sent == 3
    assert Counter(m.rcpt_tos[0] for m in smtp_sink.messages) == {f"person{n}@example.org": 1 for n in range(3)}
    clock.now += timedelta(hours=2)
    assert bot.cycle().send.sent == 0  # nothing twice
    assert len(lines(caplog, "SMTP relay unavailable: recovered")) == 1


def test_an_outage_recorded_before_a_restart_ends_when_the_restarted_bot_finds_the_relay_back(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, clock: ManualClock) -> None:
    before = make_bot({"smtp": {"retry_seconds": 60}}, clock=clock)
    port = smtp_sink.port
    smtp_sink.stop()
    dovecot.append(request(1), WHEN)
    for _ in range(8):
        before.cycle()
        clock.now += timedelta(minutes=40)
    before.close()
    smtp_sink.port = port
    smtp_sink.start()
    after = make_bot({"smtp": {"retry_seconds": 60}}, clock=clock)  # a new process: it knows the outage from the record
    assert after.cycle().send.sent == 1  # the reply's next try was up to an hour away; the probe did not wait
    with after.db.session() as session:
        keys = session.scalars(select(StaffAlert.key).where(StaffAlert.key.like("outage:smtp%"))).all()
    assert len(keys) == 1 and keys[0] != "outage:smtp"  # closed
    assert len(smtp_sink.messages) == 1


def test_a_550_for_one_recipient_fails_only_that_reply_and_requeue_failed_sends_it(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, clock: ManualClock,
        tmp_path: Path) -> None:
    bot = make_bot({"smtp": {"connections": 1}}, clock=clock)
    for n in range(3):
        dovecot.append(request(n), WHEN)
    smtp_sink.fail_next(1, "550 5.1.1 no such user", stage="RCPT")  # the first reply's recipient only
    stats = bot.cycle()
    assert (stats.send.sent, stats.send.failed) == (2, 1)
    rows = replies(bot)
    assert [r.status for r in rows] == ["failed", "sent", "sent"] and "550" in rows[0].last_error
    clock.now += timedelta(hours=3)
    assert bot.cycle().send.sent == 0  # a permanent refusal is not retried on its own

    config = config_file(tmp_path, bot)
    later = mailbot("--config", config, "requeue", "--failed", "--since", "2999-01-01")
    assert later.exit_code == 0 and "0 failed replies requeued" in later.stdout
    result = mailbot("--config", config, "requeue", "--failed", "--since", "2000-01-01", "--as", "Dana Clerk")
    assert result.exit_code == 0 and "1 failed reply requeued" in result.stdout
    with bot.db.session() as session:  # who did it is in the staff audit trail
        assert [(a.actor, a.via, a.action) for a in session.scalars(select(StaffAction))] == [
            ("Dana Clerk", "cli", "retry_reply")]
    clock.now = datetime.now(UTC) + timedelta(seconds=1)  # the command queued it for now, on the wall clock
    assert bot.cycle().send.sent == 1
    assert Counter(m.rcpt_tos[0] for m in smtp_sink.messages) == {f"person{n}@example.org": 1 for n in range(3)}
    assert [r.status for r in replies(bot)] == ["sent"] * 3


# -- infrastructure faults are nobody's message's fault --------------------------------------------------------------


@contextmanager
def failing_statements(db: Database, prefixes: tuple[str, ...], message: str) -> Iterator[None]:
    """The driver raises its own OperationalError on these statements, as a database that went away does."""
    driver_error = db.engine.dialect.dbapi.OperationalError  # type: ignore[union-attr]

    def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(prefixes):
            raise driver_error(message)

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)


def test_a_database_outage_charges_no_message_and_is_logged_once_as_the_database(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mailbot")
    bot = make_bot({"processing": {"max_attempts": 2}})
    dovecot.append(request(1), WHEN)
    with failing_statements(bot.db, ("INSERT INTO DECISIONS",), "server closed the connection unexpectedly"):
        for _ in range(4):  # twice max_attempts
            assert bot.cycle().process.failed == 0
        (row,) = inbound(bot)
        assert (row.status, row.attempts) == ("new", 0)  # before: quarantined after the second cycle
    with failing_statements(bot.db, ("INSERT", "UPDATE", "DELETE"), "server closed the connection unexpectedly"):
        dovecot.append(request(2), WHEN)
        for _ in range(4):  # now the poll's writes fail too: still the database, still one outage
            bot.cycle()
    assert not lines(caplog, "IMAP poll failed")  # before: every database failure was called an IMAP failure
    down = errors(caplog, "database unavailable")
    assert len(down) == 1 and down[0].exc_info is not None
    assert not [r for r in caplog.records if r.exc_info and r is not down[0]]  # the traceback only the first time
    stats = bot.cycle()
    assert stats.process.decided == 2 and stats.send.sent == 2
    assert [(r.status, r.attempts) for r in inbound(bot)] == [("processed", 0), ("processed", 0)]
    assert len(lines(caplog, "database unavailable: recovered")) == 1
    assert len(smtp_sink.messages) == 2


def test_a_full_disk_charges_no_message_and_is_logged_once_as_disk_full(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.INFO, logger="mailbot")
    bot = make_bot({"processing": {"max_attempts": 2}})
    dovecot.append(request(1), WHEN)

    def judge_on_a_full_disk(msg, index=None, settings=None):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(decide, "judge", judge_on_a_full_disk)
    for _ in range(4):
        bot.cycle()
    (row,) = inbound(bot)
    assert (row.status, row.attempts, row.last_error) == ("new", 0, None)  # before: quarantined, blamed
    full = errors(caplog, "disk full")
    assert len(full) == 1 and full[0].exc_info is not None
    assert not lines(caplog, "failed to process")
    with failing_statements(bot.db, ("INSERT INTO DECISIONS",), "database or disk is full"):
        monkeypatch.setattr(decide, "judge", real_judge)
        bot.cycle()  # SQLite's own word for it: the same outage, not a new line
    assert len(errors(caplog, "disk full")) == 1
    assert bot.cycle().process.decided == 1
    assert len(lines(caplog, "disk full: recovered")) == 1
    assert inbound(bot)[0].attempts == 0


def test_classify_names_the_component_and_leaves_message_faults_alone() -> None:
    import sqlite3

    from sqlalchemy.exc import IntegrityError, OperationalError

    def wrapped(error: Exception) -> OperationalError:
        return OperationalError("INSERT …", {}, error)

    assert str(classify(wrapped(sqlite3.OperationalError("database or disk is full")))) == "disk full"
    assert str(classify(wrapped(sqlite3.OperationalError("unable to open database file")))) == "database unavailable"
    assert str(classify(OSError(errno.ENOSPC, "No space left on device"))) == "disk full"
    assert str(classify(OSError(errno.EIO, "Input/output error"))) == "disk error"
    assert str(classify(ConnectionRefusedError(), during=Component.IMAP)) == "IMAP server unreachable"
    assert classify(RuntimeError("a message the parser did not expect")) is None
    assert classify(ValueError("bad header")) is None
    assert classify(IntegrityError("INSERT …", {}, sqlite3.IntegrityError("UNIQUE"))) is None


# -- personal data on disk and in logs -------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_real_run_keeps_its_files_private_and_warns_of_a_readable_config(
        tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    data = tmp_path / "var" / "mailbot"
    config = write_config(tmp_path / "mailbot.toml", dovecot, smtp_sink, "", {
        "data_dir": str(data), "schedule": {"poll_seconds": 1}})
    config.chmod(0o644)  # as `cp` from an admin's shell leaves it
    secret = tmp_path / "imap-password"
    secret.write_text(dovecot.password)
    secret.chmod(0o644)
    dovecot.append(request(1), WHEN)
    env = {**os.environ, "MAILBOT_IMAP_PASSWORD_FILE": str(secret)}
    env.pop("MAILBOT_IMAP_PASSWORD", None)
    process = subprocess.Popen([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: os.umask(0o022))  # a shell's umask: the bot sets its own
    try:
        deadline = time.monotonic() + 60
        while not smtp_sink.messages and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert smtp_sink.messages, "the bot did not answer"
        database = data / "mailbot.db"
        files = {path.name: _mode(path) for path in data.iterdir()}  # while it runs: -wal and -shm are open
    finally:
        process.send_signal(signal.SIGTERM)
        _out, stderr = process.communicate(timeout=60)
    assert _mode(data) == 0o700
    assert {"mailbot.db", "mailbot.db-wal", "mailbot.db-shm"} <= set(files)
    assert set(files.values()) == {0o600}, files  # database, journals and the leader lock alike
    assert database.exists()
    assert f"{config} is readable by other users (mode 644)" in stderr
    assert f"{secret} is readable by other users (mode 644)" in stderr


def test_database_files_an_older_version_left_readable_are_made_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "mailbot.db"
    Database(f"sqlite:///{path}").dispose()
    assert _mode(path.parent) == 0o700 and _mode(path) == 0o600  # created private
    path.chmod(0o644)
    Database(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


def test_a_message_id_made_of_the_senders_address_is_logged_by_a_short_hash(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mailbot")
    bot = make_bot({"processing": {"max_attempts": 1}})
    revealing = "<jo.bloggs@example.org>"
    dovecot.append(request(1, sender="jo.bloggs@example.org", message_id=revealing), WHEN)
    dovecot.append(request(2, sender="sam@example.org", message_id="<1234.sam.5678@mx.example.org>"), WHEN)
    dovecot.append(request(3, message_id="<CAF3xQ7a9@mail.gmail.com>"), WHEN)
    assert bot.cycle().send.sent == 3
    text = caplog.text
    assert "jo.bloggs" not in text and "1234.sam.5678" not in text  # nowhere: stored, decided, any line
    assert short_hash(revealing) in text and short_hash("<1234.sam.5678@mx.example.org>") in text
    assert "<CAF3xQ7a9@mail.gmail.com>" in text  # a random Message-ID still names its message
    assert {r.message_id for r in inbound(bot)} >= {revealing}  # the database keeps the real one for staff


@pytest.mark.parametrize(("message_id", "sender", "hashed"), [
    ("<john.smith@example.org>", None, True),
    ("<x.jsmith=example.org@relay.example>", None, True),
    ("<a1b2.jsmith.77@mail.example>", "jsmith@example.org", True),
    ("<abc123@jsmith.example>", "jsmith@example.org", False),  # the right-hand side is a host, not the person
    ("<CAF3xQ7a9-k=Q@mail.gmail.com>", "jo@example.org", False),
    ("<179660936.12973@council.example>", None, False),
])
def test_log_name(message_id: str, sender: str | None, hashed: bool) -> None:
    assert (log_name(message_id, sender) == short_hash(message_id)) is hashed
