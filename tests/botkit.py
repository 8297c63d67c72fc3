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
        both_tables = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = merge(merged[key], value) if both_tables else value
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
            bot.close()


FIRST = ["Alex", "Sam", "Priya", "Tomasz", "Aoife", "Kwame", "Mei", "Olu", "Ines", "Rhys", "Fatima", "Jonas"]
LAST = ["Morgan", "Taylor", "Patel", "Nowak", "Byrne", "Mensah", "Chen", "Adeyemi", "Silva", "Evans", "Khan", "Berg"]


def person(i: int) -> str:
    """A different full name for each i below 1,728 (double-barrelled surnames after the first 144), so a backlog
    is written by as many people as a real one and a per-name cache cannot make a benchmark look faster."""
    first, rest = FIRST[i % len(FIRST)], i // len(FIRST)
    surname = LAST[rest % len(LAST)]
    if rest >= len(LAST):
        surname += "-" + LAST[(rest // len(LAST)) % len(LAST)]
    return f"{first} {surname}"


def eml(sender: str, subject: str, body: str, message_id: str, headers: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: foi@council.example\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
            f"{headers}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


def mixed_backlog(n: int) -> list[bytes]:
    """Mixed mail in arrival order: valid requests, held ones with their completing replies, robots."""
    mails: list[bytes] = []
    i = 0
    while len(mails) < n:
        kind = i % 5
        if kind in (0, 1):  # a valid request
            name = person(i)
            mails.append(eml(f"{name} <valid{i}@example.org>", f"Budget question {i}",
                             f"Please send the 2023 budget for service {i}.\n\nYours faithfully,\n{name}",
                             f"<valid-{i}@example.org>"))
        elif kind == 2:  # a request signed with a first name only, then the reply that completes it
            mails.append(eml(f"Sam <held{i}@example.org>", f"Contracts {i}",
                             f"Please send the contract register for {i}.\n\nThanks,\nSam", f"<held-{i}@example.org>"))
            mails.append(eml(f"Sam <held{i}@example.org>", f"Re: Contracts {i}",
                             f"My full name is {person(i).replace(FIRST[i % len(FIRST)], 'Sam', 1)}\n\nSam",
                             f"<held-{i}-name@example.org>"))
        elif kind == 3:  # an out-of-office
            mails.append(eml(f"away{i}@example.org", "Automatic reply: away", "I am away until Monday.",
                             f"<oof-{i}@example.org>", "Auto-Submitted: auto-replied\r\n"))
        else:  # a newsletter
            mails.append(eml(f"news{i}@example.org", f"Newsletter {i}", "This month: more news.",
                             f"<news-{i}@example.org>", "List-Id: <news.example.org>\r\n"))
        i += 1
    return mails[:n]


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


def write_config(path: Any, dovecot: Any, smtp: Any, db_url: str, extra: dict[str, Any] | None = None) -> Any:
    """A configuration file for `mailbot` run as its own process against the test servers."""
    base = {
        "mailbox": {"address": "foi@council.example", "organisation": "Test Council"},
        "imap": {"host": dovecot.host, "port": dovecot.port, "username": dovecot.user},
        "smtp": {"host": smtp.host, "port": smtp.port},
        "database": {"url": db_url},
    }
    path.write_text(toml(merge(base, extra or {})))
    return path
