"""The real-server fixtures do what the rest of the suite relies on.

If one of these fails, tests of the bot built on the fixtures would fail for reasons that
have nothing to do with the bot; so each behaviour the bot's tests depend on is pinned here.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import aiosmtplib
import imapclient
import psycopg
import pytest
from servers import (
    DEFAULT_USER,
    DovecotAccount,
    DovecotServer,
    SmtpSink,
    make_postgres_database,
)

RAW = (
    b"From: Alice Requester <alice@example.org>\r\n"
    b"To: FOI <foi@police.example.uk>\r\n"
    b"Subject: Freedom of Information request - speed cameras\r\n"
    b"Message-ID: <req-1@example.org>\r\n"
    b"Date: Mon, 14 Mar 2022 09:26:53 +0000\r\n"
    b"\r\n"
    b"Please send me the number of speed cameras in 2021.\r\n"
)

# A receipt time in the past, in a non-UTC offset so a timezone slip would show.
RECEIVED = datetime(2022, 3, 14, 9, 26, 53, tzinfo=timezone(timedelta(hours=1)))


def _message(subject: str = "Re: your request", to: str = "alice@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "foi@police.example.uk"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = "<reply-1@police.example.uk>"
    msg.set_content("Dear Alice,\n\nWe received your request.\n")
    return msg


# --------------------------------------------------------------------------------------------
# Dovecot
# --------------------------------------------------------------------------------------------


def test_append_keeps_internaldate_and_bytes(dovecot: DovecotAccount) -> None:
    uid = dovecot.append(RAW, RECEIVED)

    with dovecot.client() as client:
        client.normalise_times = False  # aware datetimes, so the instant can be compared
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        assert uids == [uid]
        data = client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE", "FLAGS"])

    fetched = data[uid]
    assert fetched[b"BODY[]"] == RAW
    assert fetched[b"INTERNALDATE"] == RECEIVED  # same instant, whatever offset comes back
    assert fetched[b"INTERNALDATE"].year == 2022
    assert b"\\Seen" not in fetched[b"FLAGS"]  # BODY.PEEK must not mark it read
    assert dovecot.list_messages() == [(uid, RAW)]


def test_each_test_gets_an_empty_mailbox_of_its_own(
    dovecot: DovecotAccount, dovecot_server: DovecotServer
) -> None:
    assert dovecot.user != DEFAULT_USER
    assert dovecot.list_messages() == []
    assert {"INBOX", "Sent", "Trash", "Junk"} <= set(dovecot.list_folders())

    other = dovecot_server.add_user("someone-else@police.example.uk", "pw2")
    other.append(RAW, RECEIVED)
    assert dovecot.list_messages() == []
    assert len(other.list_messages()) == 1


def test_move_to_a_created_folder(dovecot: DovecotAccount) -> None:
    uid = dovecot.append(RAW, RECEIVED)

    with dovecot.client() as client:
        assert b"MOVE" in client.capabilities()
        client.create_folder("Processed")
        client.select_folder("INBOX")
        client.move([uid], "Processed")

    assert dovecot.list_messages("INBOX") == []
    moved = dovecot.list_messages("Processed")
    assert [raw for _uid, raw in moved] == [RAW]


def test_wrong_imap_password_is_refused(dovecot: DovecotAccount) -> None:
    with pytest.raises(imapclient.exceptions.LoginError):
        dovecot.server.client(dovecot.user, "wrong")
    with pytest.raises(imapclient.exceptions.LoginError):
        dovecot.server.client("no-such-user@police.example.uk", "secret")
    # Failed logins are answered at once (no failure delay, no per-IP penalty), so fault tests stay fast.
    config = dovecot.server.config_path.read_text()
    assert "auth_failure_delay = 0" in config and "nodelay=yes" in config
    dovecot.client().logout()  # and the right password still works afterwards


def test_restart_keeps_mail_and_drops_connections(dovecot: DovecotAccount) -> None:
    uid = dovecot.append(RAW, RECEIVED)
    client = dovecot.client()
    client.select_folder("INBOX")
    port = dovecot.port

    dovecot.restart()

    # The old session is gone, as after a real server restart...
    with pytest.raises(Exception):  # noqa: B017 - a dropped connection surfaces as OSError or imaplib's abort, by timing
        client.noop()
        client.noop()
    client.shutdown()
    # ...and a new one on the same port finds the same message with the same UID.
    assert dovecot.port == port
    assert dovecot.list_messages() == [(uid, RAW)]


def test_start_stop_start_keeps_mail(dovecot_factory: Callable[..., DovecotServer]) -> None:
    """A private server (not the session one): a test can afford its own."""
    server = dovecot_factory()
    server.account().append(RAW, RECEIVED)

    server.stop()
    assert not server.running

    server.start()
    assert len(server.list_messages()) == 1
    mail_dir = server.dir
    server.close()
    assert server.dir is None and mail_dir is not None and not mail_dir.exists()


def test_kill_is_a_crash_and_start_recovers(dovecot_factory: Callable[..., DovecotServer]) -> None:
    server = dovecot_factory()
    uid = server.append(RAW, RECEIVED)
    client = server.client()
    client.select_folder("INBOX")
    server.kill()
    with pytest.raises(Exception):  # noqa: B017 - a dropped connection surfaces as OSError or imaplib's abort, by timing
        client.noop()
    client.shutdown()
    server.start()
    assert server.list_messages() == [(uid, RAW)]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_mode_offers_imaps_and_starttls(dovecot_factory: Callable[..., DovecotServer]) -> None:
    server = dovecot_factory(tls=True)
    with server.client(ssl=True) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    with server.client(starttls=True) as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0


# --------------------------------------------------------------------------------------------
# SMTP sink
# --------------------------------------------------------------------------------------------


def _send(sink: SmtpSink, msg: EmailMessage, **kwargs: object) -> object:
    return asyncio.run(
        aiosmtplib.send(
            msg, hostname=sink.host, port=sink.port, start_tls=False, timeout=10, **kwargs
        )
    )


def test_smtp_sink_captures_the_message(smtp_sink: SmtpSink) -> None:
    _send(smtp_sink, _message(), sender="bounces@police.example.uk",
          recipients=["alice@example.org", "cc@example.org"])

    [record] = smtp_sink.wait_for(1, timeout=5)
    assert record.mail_from == "bounces@police.example.uk"
    assert record.rcpt_tos == ["alice@example.org", "cc@example.org"]
    assert b"Subject: Re: your request" in record.raw
    assert record.message["Subject"] == "Re: your request"
    assert record.message["Message-ID"] == "<reply-1@police.example.uk>"
    assert "We received your request." in record.message.get_content()
    assert record.auth_login is None


def test_smtp_sink_defers_then_accepts(smtp_sink: SmtpSink) -> None:
    smtp_sink.fail_next(1, "451 4.3.0 try later")

    with pytest.raises(aiosmtplib.SMTPResponseException) as excinfo:
        _send(smtp_sink, _message())
    assert excinfo.value.code == 451
    assert smtp_sink.messages == []

    _send(smtp_sink, _message())  # the failure was used up: the retry goes through
    assert len(smtp_sink.wait_for(1)) == 1


def test_smtp_sink_outage_and_restart_on_the_same_port(smtp_sink: SmtpSink) -> None:
    port = smtp_sink.port
    smtp_sink.stop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        _send(smtp_sink, _message())
    smtp_sink.start()
    assert smtp_sink.port == port
    _send(smtp_sink, _message())
    assert len(smtp_sink.wait_for(1)) == 1


def test_smtp_sink_refuses_a_recipient(smtp_sink: SmtpSink) -> None:
    smtp_sink.fail_next(1, "550 5.1.1 no such user", stage="RCPT")

    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as excinfo:
        _send(smtp_sink, _message(to="gone@example.org"))
    assert excinfo.value.recipients[0].code == 550
    assert smtp_sink.messages == []


def test_smtp_sink_auth(smtp_sink_factory: Callable[..., SmtpSink]) -> None:
    sink = smtp_sink_factory(credentials={"mailbot": "relay-secret"}, auth_required=True)

    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as excinfo:
        _send(sink, _message(), username="mailbot", password="wrong")
    assert excinfo.value.code == 535

    with pytest.raises(aiosmtplib.SMTPResponseException) as excinfo2:
        _send(sink, _message())  # no AUTH at all: refused because auth_required
    assert excinfo2.value.code == 530

    _send(sink, _message(), username="mailbot", password="relay-secret")
    [record] = sink.wait_for(1)
    assert record.auth_login == "mailbot"
    # aiosmtplib tries each offered mechanism (PLAIN, LOGIN) before giving up on a password.
    assert sink.auth_attempts[-1] == ("mailbot", True)
    assert all(not ok for _login, ok in sink.auth_attempts[:-1])


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


def test_postgres_url_is_a_fresh_usable_database(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        name = conn.execute("SELECT current_database()").fetchone()[0]
        assert name.startswith("mailbot_test_")
        conn.execute("CREATE TABLE t (x int)")  # empty database: no clash with other tests


def test_make_postgres_database_drops_what_it_made() -> None:
    base_url = os.environ.get("MAILBOT_TEST_DATABASE_URL")
    if not base_url:
        pytest.skip("MAILBOT_TEST_DATABASE_URL is not set")
    url, dropper = make_postgres_database(base_url)
    name = url.rsplit("/", 1)[1]
    leaked = psycopg.connect(url)  # an open connection must not block the drop (FORCE)
    try:
        dropper()
    finally:
        leaked.close()
    with psycopg.connect(base_url) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert row is None


def test_db_url_gives_a_working_database(db_url: str) -> None:
    if db_url.startswith("sqlite:///"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    else:
        with psycopg.connect(db_url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
