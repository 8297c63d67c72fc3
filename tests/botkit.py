"""Building a real Bot against the test servers, shared by the server tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mailbot.config import settings_from_mapping
from mailbot.service import Bot, utc_now
from mailbot.store.db import Database


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


class BotFactory:
    """Makes bots wired to one Dovecot account, one SMTP server and one database; disposes them after the test."""

    def __init__(self, dovecot: Any, smtp: Any, db_url: str) -> None:
        self.dovecot, self.smtp, self.db_url = dovecot, smtp, db_url
        self.bots: list[Bot] = []

    def __call__(self, settings: dict[str, Any] | None = None, *, smtp: Any = None, smtp_password: str = "",
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
            bot.db.dispose()
