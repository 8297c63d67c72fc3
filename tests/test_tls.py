"""TLS on both edges, on real servers: certificates are verified by default, and a trusted CA makes it work."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from mailbot.config import settings_from_mapping
from mailbot.service import Bot
from mailbot.store.db import Database
from mailbot.testing.moments import WHEN

REQUEST = (b"From: Jo Bloggs <jo@example.org>\r\nTo: foi@council.example\r\nSubject: Budget\r\n"
           b"Message-ID: <tls-1@example.org>\r\n\r\nPlease send the 2023 gritting budget.\r\n\r\n"
           b"Yours faithfully,\r\nJo Bloggs\r\n")


class Capture:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def tls_dovecot(dovecot_server):  # type: ignore[no-untyped-def]
    from servers import DovecotServer

    server = DovecotServer(tls=True).start()
    yield server
    server.close()


def tls_contexts(cafile: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cafile, cafile.with_name("key.pem"))
    return context


@pytest.fixture
def smtp_tls(tls_dovecot) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    """A STARTTLS and an implicit-TLS SMTP server using the Dovecot test certificate."""
    from servers import free_port

    cafile = Path(tls_dovecot.cafile)
    capture = Capture()
    starttls = Controller(capture, hostname="127.0.0.1", port=free_port(), tls_context=tls_contexts(cafile),
                          require_starttls=True)
    implicit = Controller(capture, hostname="127.0.0.1", port=free_port(), ssl_context=tls_contexts(cafile))
    starttls.start()
    implicit.start()
    yield {"starttls": starttls.port, "tls": implicit.port, "capture": capture, "cafile": str(cafile)}
    starttls.stop()
    implicit.stop()


def make_bot(tmp_path: Path, server, imap: dict, smtp: dict) -> Bot:  # type: ignore[no-untyped-def]
    settings = settings_from_mapping({
        "mailbox": {"address": "foi@council.example"},
        "imap": {"host": "127.0.0.1", "username": "foi@police.example.uk", **imap},
        "smtp": {"host": "127.0.0.1", **smtp},
    })
    return Bot(settings, db=Database(f"sqlite:///{tmp_path}/m.db"), imap_password="secret", smtp_password="")


@pytest.mark.parametrize("mode", ["tls", "starttls"])
def test_verified_tls_on_imap_and_smtp(tmp_path: Path, tls_dovecot, smtp_tls, mode: str) -> None:  # type: ignore[no-untyped-def]
    imap_port = tls_dovecot.imaps_port if mode == "tls" else tls_dovecot.port
    tls_dovecot.append(REQUEST.replace(b"tls-1", f"tls-{mode}".encode()), WHEN)
    bot = make_bot(tmp_path, tls_dovecot,
                   {"port": imap_port, "security": mode, "ca_file": smtp_tls["cafile"]},
                   {"port": smtp_tls[mode], "security": mode, "ca_file": smtp_tls["cafile"]})
    stats = bot.cycle()
    assert stats.imap_error is None and stats.process.decided == 1 and stats.send.sent == 1
    assert message_from_bytes(smtp_tls["capture"].messages[-1])["To"] == "jo@example.org"


def test_untrusted_imap_certificate_is_refused_by_default(tmp_path: Path, tls_dovecot, smtp_tls) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(tmp_path, tls_dovecot, {"port": tls_dovecot.imaps_port, "security": "tls"},
                   {"port": smtp_tls["tls"], "security": "tls", "ca_file": smtp_tls["cafile"]})
    stats = bot.cycle()
    assert stats.imap_error is not None and "CERTIFICATE_VERIFY_FAILED" in stats.imap_error


@pytest.mark.parametrize("mode", ["tls", "starttls"])
def test_untrusted_smtp_certificate_is_refused_and_the_reply_kept(tmp_path: Path, tls_dovecot, smtp_tls,
                                                                   mode: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from mailbot.store.models import OutboxMessage

    tls_dovecot.append(REQUEST.replace(b"tls-1", f"untrusted-{mode}".encode()), WHEN)
    before = len(smtp_tls["capture"].messages)
    bot = make_bot(tmp_path, tls_dovecot, {"port": tls_dovecot.imaps_port, "security": "tls",
                                           "ca_file": smtp_tls["cafile"]},
                   {"port": smtp_tls[mode], "security": mode})
    stats = bot.cycle()
    assert stats.process.replies_queued == 1 and stats.send.sent == 0 and stats.send.deferred == 1
    assert len(smtp_tls["capture"].messages) == before
    with bot.db.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.status == "queued" and "CERTIFICATE_VERIFY_FAILED" in row.last_error
