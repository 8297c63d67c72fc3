"""Wiring a real Bot, or a configuration file for `mailbot` as its own process, to the test servers.

The servers themselves (Dovecot, the SMTP sink, a throw-away PostgreSQL database) are tests/servers.py, started by
tests/conftest.py's fixtures; anything with `.host`, `.port` (and for IMAP `.user`, `.password`) will do here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from mailbot.config import settings_from_mapping
from mailbot.config.settings import merge_tables
from mailbot.service import Bot, utc_now
from mailbot.store.db import Database


class ImapAccount(Protocol):
    """What the bot needs of a mailbox (tests/servers.py's DovecotAccount is one)."""

    host: str
    port: int
    user: str
    password: str


class SmtpServer(Protocol):
    """What the bot needs of an SMTP server (tests/servers.py's SmtpSink is one)."""

    host: str
    port: int


merge = merge_tables  # the settings file's own rule, so a test's overrides combine as a mailbox's do


class BotFactory:
    """Makes bots wired to one Dovecot account, one SMTP server and one database; disposes them after the test."""

    def __init__(self, dovecot: ImapAccount, smtp: SmtpServer, db_url: str) -> None:
        self.dovecot, self.smtp, self.db_url = dovecot, smtp, db_url
        self.bots: list[Bot] = []

    def __call__(self, settings: dict[str, Any] | None = None, *, smtp: SmtpServer | None = None,
                 smtp_password: str = "",
                 clock: Callable[[], datetime] = utc_now) -> Bot:
        sink = smtp or self.smtp
        base = {
            "mailbox": {"address": "foi@council.example", "organisation": "Test Council"},
            "imap": {"host": self.dovecot.host, "port": self.dovecot.port, "username": self.dovecot.user},
            "smtp": {"host": sink.host, "port": sink.port},
        }
        bot = Bot(settings_from_mapping(merge(base, settings or {})), db=Database(self.db_url),
                  imap_password=self.dovecot.password, smtp_password=smtp_password, clock=clock)
        self.bots.append(bot)
        return bot

    def close(self) -> None:
        for bot in self.bots:
            bot.close()


def toml(data: dict[str, Any], prefix: str = "") -> str:
    """A settings mapping as TOML text (strings, numbers, booleans, lists and nested tables): enough for tests
    that run mailbot as a separate process with a real configuration file."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    scalars = [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [toml(v, f"{prefix}{k}.") for k, v in data.items() if isinstance(v, dict)]
    head = f"[{prefix.rstrip('.')}]\n" if prefix and scalars else ""
    return head + "".join(line + "\n" for line in scalars) + "".join(tables)


def write_config(path: Path, dovecot: ImapAccount, smtp: SmtpServer, db_url: str,
                 extra: dict[str, Any] | None = None) -> Path:
    """A configuration file for `mailbot` run as its own process against the test servers."""
    base = {
        "mailbox": {"address": "foi@council.example", "organisation": "Test Council"},
        "imap": {"host": dovecot.host, "port": dovecot.port, "username": dovecot.user},
        "smtp": {"host": smtp.host, "port": smtp.port},
        "database": {"url": db_url},
    }
    path.write_text(toml(merge(base, extra or {})))
    return path
