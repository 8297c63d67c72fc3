"""Which part of the world failed, and whether it was the message's fault.

A message is quarantined after `processing.max_attempts` failures that *it* caused. A database that is down, a
disk that is full or an IMAP or SMTP server that does not answer fails every message alike: counting that against
the message in hand would quarantine innocent mail, and logging it per message (or per cycle, with a traceback)
buries the one line an operator needs. So every runner asks `classify` first: an infrastructure fault is retried
without counting, and `OutageLog` says so once per outage (with its traceback the first time) and once when it is
over.
"""

from __future__ import annotations

import errno
import imaplib
import logging
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosmtplib
from imapclient.exceptions import IMAPClientError
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from mailbot.mailserver.logins import LoginRefused
from mailbot.mailserver.oauth.tokens import TokenUnavailable


class Component(StrEnum):
    DATABASE = "database"
    DISK = "disk"
    IMAP = "imap"
    SMTP = "smtp"


@dataclass(frozen=True)
class Fault:
    """An infrastructure failure: the component, and what an operator should read ("disk full")."""

    component: Component
    what: str

    def __str__(self) -> str:
        return self.what


DISK_FULL = Fault(Component.DISK, "disk full")
DISK_ERROR = Fault(Component.DISK, "disk error")
DATABASE_DOWN = Fault(Component.DATABASE, "database unavailable")
IMAP_DOWN = Fault(Component.IMAP, "IMAP server unreachable")
IMAP_LOGIN = Fault(Component.IMAP, "IMAP login refused")  # a configuration fault: mailserver/logins.py
SMTP_DOWN = Fault(Component.SMTP, "SMTP relay unavailable")
SMTP_LOGIN = Fault(Component.SMTP, "SMTP login refused")  # a configuration fault, as IMAP_LOGIN
IMAP_TOKEN_DOWN = Fault(Component.IMAP, "OAuth token endpoint unreachable (IMAP)")
SMTP_TOKEN_DOWN = Fault(Component.SMTP, "OAuth token endpoint unreachable (SMTP)")
# Faults whose message already says what to check: logged without a traceback, which would help nobody.
CONFIGURATION = (IMAP_LOGIN, SMTP_LOGIN)

_FULL = {errno.ENOSPC, errno.EDQUOT}
_DISK = {errno.EIO, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOMEM, errno.EMFILE, errno.ENFILE}
_DATABASE_ERRORS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (a DBAPI error's `orig`) and its causes, without looping."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [getattr(item, "orig", None), item.__cause__, item.__context__]
    return seen


def _sqlite_disk(text: str) -> Fault | None:
    text = text.lower()
    if "disk is full" in text or "database or disk is full" in text:
        return DISK_FULL
    if "disk i/o error" in text or "readonly database" in text:
        return DISK_ERROR
    return None


def classify(exc: BaseException, *, during: Component | None = None) -> Fault | None:
    """The infrastructure fault behind `exc`, or None when it may be the message's own doing.

    `during` names the server being talked to, so a bare connection error (refused, reset, timed out, TLS) is put
    down to it; without it such an error is still infrastructure (no message makes a socket fail), filed under
    the database, the only server every step touches.
    """
    chain = _chain(exc)
    for item in chain:
        if isinstance(item, OSError) and item.errno in _DISK:
            return DISK_FULL if item.errno in _FULL else DISK_ERROR
    for item in chain:
        if isinstance(item, _DATABASE_ERRORS) or (isinstance(item, DBAPIError) and item.connection_invalidated):
            return _sqlite_disk(str(item)) or DATABASE_DOWN
        if type(item).__name__ == "OperationalError":  # the driver's own (sqlite3, psycopg), unwrapped
            return _sqlite_disk(str(item)) or DATABASE_DOWN
    for item in chain:
        if isinstance(item, LoginRefused):
            return SMTP_LOGIN if during is Component.SMTP else IMAP_LOGIN
        if isinstance(item, TokenUnavailable):
            return SMTP_TOKEN_DOWN if during is Component.SMTP else IMAP_TOKEN_DOWN
        if isinstance(item, (IMAPClientError, imaplib.IMAP4.error)):
            return IMAP_DOWN
        if isinstance(item, aiosmtplib.SMTPException):
            return SMTP_DOWN
    for item in chain:
        if isinstance(item, (OSError, socket.timeout, ssl.SSLError, ConnectionError)):
            if during is Component.IMAP:
                return IMAP_DOWN
            if during is Component.SMTP:
                return SMTP_DOWN
            return DISK_ERROR if not isinstance(item, ConnectionError | socket.timeout) else DATABASE_DOWN
    return None


@dataclass
class _Open:
    fault: Fault
    since: datetime
    detail: str
    occurrences: int = 1


class OutageLog:
    """One ERROR line (with the traceback) when a component starts failing, one INFO line when it works again;
    every failure between the two is counted at DEBUG. One per bot, shared by its runners."""

    def __init__(self, logger: logging.Logger, name: str = "") -> None:
        self.log = logger
        self.name = name
        self._open: dict[Component, _Open] = {}

    def failed(self, fault: Fault, exc: BaseException | None, now: datetime, detail: str = "") -> bool:
        """Record a failure; True when it starts an outage (the caller may then record it for staff)."""
        detail = detail or (f"{type(exc).__name__}: {str(exc)[:300]}" if exc is not None else "")
        current = self._open.get(fault.component)
        if current is not None:
            current.occurrences += 1
            self.log.debug("%s still (%s), failure %d", fault, detail, current.occurrences)
            return False
        self._open[fault.component] = _Open(fault, now, detail)
        if fault in CONFIGURATION:  # a configuration fault: its message says what to check; no traceback helps
            self.log.error("%s%s: %s; logged once until it is fixed", fault, f" for {self.name}" if self.name else "",
                           str(exc) if exc is not None else detail)
            return True
        self.log.error("%s%s (%s): will keep retrying; logged once until it recovers", fault,
                       f" for {self.name}" if self.name else "", detail,
                       exc_info=(type(exc), exc, exc.__traceback__) if exc is not None else None)
        return True

    def ok(self, component: Component, now: datetime) -> bool:
        """The component worked; True when that ends an outage."""
        current = self._open.pop(component, None)
        if current is None:
            return False
        # WARNING, not INFO: a deployment logging at WARNING must see the end of what it saw start.
        self.log.warning("%s: recovered%s after %s (%d failed attempts)", current.fault,
                         f" for {self.name}" if self.name else "", str(now - current.since).split(".")[0],
                         current.occurrences)
        return True

    def is_open(self, component: Component) -> bool:
        return component in self._open

    def since(self, component: Component) -> datetime | None:
        current = self._open.get(component)
        return current.since if current else None
