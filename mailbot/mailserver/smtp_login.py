"""SMTP AUTH as the outbox (and `mailbot doctor`) does it: a password, or XOAUTH2 with the mailbox's token.

A login the server refuses for good (5xx) is a configuration fault, kept by mailserver/logins.py like IMAP's:
LoginRefused naming the relay, the user and what to check, and no further login with the same secret for
`smtp.login_retry_minutes` (Exchange Online locks accounts that keep failing). A 4xx (454 and the like) is the
server's passing trouble and propagates as any SMTP error does, to be retried as an outage.
"""

from __future__ import annotations

import asyncio
import logging

import aiosmtplib
from pydantic import SecretStr

from mailbot.config import Settings
from mailbot.mailserver import logins
from mailbot.mailserver.oauth.advice import mailbox_advice
from mailbot.mailserver.oauth.tokens import TokenSource

log = logging.getLogger(__name__)


def login_key(settings: Settings, password: SecretStr | None, tokens: TokenSource | None) -> str | None:
    """The refusal memory's key for this relay, user and secret; None when no AUTH is configured."""
    user, smtp = settings.smtp_username, settings.smtp
    if not user:
        return None
    if smtp.auth == "oauth2" and tokens is not None:
        return logins.login_key(smtp.host, smtp.port, user, tokens.key)
    return logins.login_key(smtp.host, smtp.port, user, password.get_secret_value() if password else "")


async def connect(client: aiosmtplib.SMTP, settings: Settings, password: SecretStr | None,
                  tokens: TokenSource | None) -> None:
    """Connect `client` and log in as configured; LoginRefused (or LoginSuspended, without trying) if refused."""
    key = login_key(settings, password, tokens)
    if key is not None:
        logins.check(key)
    await client.connect()
    if key is None:
        return
    smtp, user = settings.smtp, settings.smtp_username
    oauth = smtp.auth == "oauth2" and tokens is not None
    try:
        if oauth:
            assert tokens is not None
            await _xoauth2(client, settings, user, tokens)
        else:
            # The one place the SMTP password leaves its SecretStr: handed to the library, never logged.
            await client.login(user, password.get_secret_value() if password else "")
    except aiosmtplib.SMTPAuthenticationError as exc:
        if not 500 <= exc.code < 600:
            raise
        client.close()
        said = f"{exc.code} {exc.message}"[:200]
        if oauth:
            assert tokens is not None
            message = (f"SMTP login refused by {smtp.host}:{smtp.port} for user {user} ({said}) with a fresh OAuth "
                       f"token: {mailbox_advice(tokens.provider, 'SMTP')}")
        else:
            message = (f"SMTP login refused by {smtp.host}:{smtp.port} for user {user} ({said}): check the password "
                       "(MAILBOT_SMTP_PASSWORD or its _FILE), smtp.username and that the account may send by SMTP "
                       "AUTH")
        logins.refused(key, message, smtp.login_retry_minutes * 60)
        raise logins.LoginRefused(message) from None
    logins.accepted(key)


async def _xoauth2(client: aiosmtplib.SMTP, settings: Settings, user: str, tokens: TokenSource) -> None:
    """AUTH XOAUTH2; a refused cached token is tried once more fresh (it may have expired or been revoked). The
    token is fetched in a thread: the provider's HTTP client blocks, and other connections share the loop."""
    token = await asyncio.to_thread(tokens.token)
    try:
        await client.auth_xoauth2(user, token.value)
    except aiosmtplib.SMTPAuthenticationError as exc:
        if not 500 <= exc.code < 600:
            raise
        log.info("SMTP server %s refused an OAuth token for %s: trying once with a fresh one", settings.smtp.host,
                 user)
        tokens.forget()
        token = await asyncio.to_thread(tokens.token, fresh=True)
        await client.auth_xoauth2(user, token.value)
