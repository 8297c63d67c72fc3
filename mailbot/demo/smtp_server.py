"""The demo's SMTP server: aiosmtpd in the servers' own loop; it records what it is sent and delivers nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from mailbot.demo.imap_server import HOST, SERVER_NAME, close_server


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message handed to the embedded SMTP server, exactly as the client sent it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes  # the DATA bytes as received (CRLF line endings, dot-unstuffed)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class _CaptureHandler:
    """aiosmtpd handler: records every message and accepts it, so the bot sees a normal successful send."""

    def __init__(self, record: Callable[[SentMessage], None]) -> None:
        self._record = record

    # aiosmtpd calls its handlers by the verb they answer: handle_DATA.
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - see above
        raw = envelope.original_content
        if raw is None:  # only when decode_data=True, which we never set; kept for the type checker
            content = envelope.content or b""
            raw = content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")
        self._record(SentMessage(mail_from=envelope.mail_from or "", rcpt_tos=tuple(envelope.rcpt_tos), raw=raw))
        return "250 OK: recorded by the mailbot demo, not delivered"


class TrackedSMTP(SMTP):
    """aiosmtpd's SMTP protocol, remembering live connections so :meth:`EmbeddedMailServers.stop` can close them."""

    tracker: set[SMTP] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.tracker is not None:
            self.tracker.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self.tracker is not None:
            self.tracker.discard(self)
        super().connection_lost(error)


def password_check(user: str, password: str, more_users: dict[str, str] | None = None,
                   ) -> Callable[[SMTP, Session, Envelope, str, Any], AuthResult]:
    """An aiosmtpd authenticator accepting `user` with `password` (and each of `more_users` with its own), PLAIN
    or LOGIN, and nothing else."""
    accounts = {user: password, **(more_users or {})}

    def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
        # handled=False lets aiosmtpd send 535 on failure; with the default a wrong password hangs the client.
        ok = (
            isinstance(auth_data, LoginPassword)
            and accounts.get(auth_data.login.decode("utf-8", "replace")) == auth_data.password.decode("utf-8",
                                                                                                       "replace")
        )
        return AuthResult(success=ok, handled=False)

    return authenticate


async def start_smtp(stack: AsyncExitStack, port: int, record: Callable[[SentMessage], None],
                     authenticator: Callable[[SMTP, Session, Envelope, str, Any], AuthResult],
                     tracker: set[SMTP]) -> int:
    """Serve SMTP on `port` (0: any free port) until `stack` closes, recording each message; the port."""
    loop = asyncio.get_running_loop()
    handler = _CaptureHandler(record)

    def factory() -> SMTP:
        smtp = TrackedSMTP(
            handler,
            hostname=SERVER_NAME,  # the default, socket.getfqdn(), can stall for seconds
            enable_SMTPUTF8=True,
            authenticator=authenticator,
            auth_require_tls=False,
            loop=loop,
        )
        smtp.tracker = tracker
        return smtp

    # aiosmtpd's Controller would start a second thread and loop, and cannot use port 0 (it connects to
    # the configured port to check it is up); the SMTP protocol class in our own loop needs neither.
    server = await loop.create_server(factory, host=HOST, port=port)
    stack.push_async_callback(close_server, server)
    return int(server.sockets[0].getsockname()[1])
