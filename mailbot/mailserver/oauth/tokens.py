"""Access tokens for XOAUTH2/OAUTHBEARER logins: fetched from the provider, cached, renewed before they expire.

A token lasts an hour or so and client credentials bring no refresh token, so a source simply asks again when
the one it holds has less than RENEW_BEFORE left (or when a mail server refused it: `fresh=True`). What the provider
says splits in two, as for a password: a refusal of our credential (expired secret, no consent, wrong tenant) is a
configuration fault — TokenRefused, a LoginRefused, kept by mailserver/logins.py so the endpoint is not asked again
until the secret changes or `login_retry_minutes` pass — and an endpoint that does not answer is a passing outage
(TokenUnavailable, a ConnectionError: runners/faults.py puts it down to the server being logged in to).

The cache is in memory, per process: a restart costs one request to the provider.
"""

from __future__ import annotations

import hashlib
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from mailbot.config.sections import OAuth2Settings
from mailbot.mailserver import logins

if TYPE_CHECKING:
    import requests

RENEW_BEFORE = 300.0  # seconds: a token with less left than this is renewed before a login uses it


class TokenRefused(logins.LoginRefused):
    """The provider refused our credential; the message names the endpoint, the client and what to do."""


class TokenUnavailable(ConnectionError):
    """The token endpoint could not be reached or answered with a server error: tried again next time."""


@dataclass(frozen=True)
class Token:
    value: str = field(repr=False)
    expires_at: float  # time.time() seconds
    from_cache: bool = False

    def seconds_left(self, now: float | None = None) -> float:
        return self.expires_at - (time.time() if now is None else now)


class TokenSource(ABC):
    """One mailbox's tokens from one provider, shared by its IMAP and SMTP logins (and their threads)."""

    provider = "generic"

    def __init__(self, settings: OAuth2Settings, credential: str, subject: str, *, retry_minutes: int = 60) -> None:
        self.settings = settings
        self.subject = subject  # the mailbox: the XOAUTH2 user, and whom a Google token is for
        self._credential = credential
        self.retry_seconds = retry_minutes * 60
        self._lock = threading.Lock()
        self._token: Token | None = None
        self.fetched = 0  # tokens asked of the provider (not from the cache): for tests and `mailbot doctor`

    def __reduce_ex__(self, protocol: object) -> str | tuple[object, ...]:
        raise TypeError("a token source holds a secret and is never pickled")

    @property
    def endpoint(self) -> str:
        """Where tokens come from, for messages."""
        return self.settings.token_url

    @property
    def key(self) -> str:
        """The refusal memory's key: a changed secret (a rotated file) is tried at once."""
        return logins.login_key(self.endpoint, 0, f"{self.settings.client_id}\0{self.subject}", self._credential)

    def token(self, *, fresh: bool = False) -> Token:
        """A token with at least RENEW_BEFORE seconds left; `fresh` asks the provider even if one is cached."""
        with self._lock:
            held = self._token
            if not fresh and held is not None and held.seconds_left() > RENEW_BEFORE:
                return Token(held.value, held.expires_at, from_cache=True)
            logins.check(self.key)
            try:
                token = self._fetch(fresh=fresh)
            except TokenRefused as exc:
                logins.refused(self.key, str(exc), self.retry_seconds)
                self._token = None
                raise
            logins.accepted(self.key)
            self._token = token
            self.fetched += 1
            return token

    def forget(self) -> None:
        """Drop the cached token (a mail server refused it)."""
        with self._lock:
            self._token = None

    def refused(self, detail: str, advice: str) -> TokenRefused:
        return TokenRefused(f"OAuth token refused by {self.endpoint} for client {self.settings.client_id or '-'} "
                            f"(mailbox {self.subject}): {detail[:200]}: {advice}")

    def unavailable(self, detail: str) -> TokenUnavailable:
        return TokenUnavailable(f"OAuth token endpoint {self.endpoint} unavailable ({detail[:200]}); will retry")

    @abstractmethod
    def _fetch(self, *, fresh: bool) -> Token:
        """Ask the provider for a token; raise TokenRefused or TokenUnavailable."""

    def credential_expires(self) -> date | None:
        """When the credential stops working, where that is known (a certificate's notAfter, a configured date)."""
        return self.settings.client_secret_expires

    def http_session(self) -> requests.Session:
        """A requests session that trusts oauth2.ca_file (a private CA) when it is set."""
        from mailbot.mailserver.oauth.http import TokenSession

        return TokenSession(self.settings.ca_file)


def expires_in(seconds: object, now: float | None = None) -> float:
    """`expires_in` of a token response as an absolute time; a missing or odd one counts as an hour."""
    try:
        left = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        left = 3600.0
    return (time.time() if now is None else now) + max(left, 60.0)


def credential_fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def utc_timestamp(moment: datetime) -> float:
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).timestamp()
