"""Shared set-up for the benchmarks: the same real servers the tests use (Dovecot, aiosmtpd) and a real bot."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from botkit import merge, mixed_backlog, write_config  # noqa: E402
from servers import DovecotServer, SmtpSink, make_postgres_database  # noqa: E402

from mailbot.config import settings_from_mapping  # noqa: E402
from mailbot.service import Bot  # noqa: E402
from mailbot.store.db import Database  # noqa: E402

START = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)


@contextmanager
def servers() -> Iterator[tuple[Any, SmtpSink]]:
    with DovecotServer() as dovecot:
        account = dovecot.account()
        sink = SmtpSink().start()
        try:
            yield account, sink
        finally:
            sink.stop()


def deliver(account: Any, mails: list[bytes], folder: str = "INBOX") -> None:
    """APPEND with INTERNALDATEs a minute apart, over one connection."""
    with account.client() as client:
        for n, raw in enumerate(mails):
            client.append(folder, raw, msg_time=START + timedelta(minutes=n))


def make_bot(account: Any, sink: SmtpSink, db_url: str, extra: dict[str, Any] | None = None) -> Bot:
    base = {
        "mailbox": {"address": "foi@council.example", "organisation": "Bench Council"},
        "imap": {"host": account.host, "port": account.port, "username": account.user, "batch_size": 100},
        "smtp": {"host": sink.host, "port": sink.port},
        "rules": {"daily_reply_cap": 100000},
    }
    return Bot(settings_from_mapping(merge(base, extra or {})), db=Database(db_url), imap_password=account.password,
               smtp_password="")


def sqlite_url() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='mailbot-bench-')}/bench.db"


@contextmanager
def database_url(argv: list[str]) -> Iterator[str]:
    """A fresh SQLite file, or with `--postgres URL` a fresh database on that server, dropped afterwards.

    Fresh each run, because a second run into the same database would find every message already stored (and
    its reference counter already advanced), and measure something else."""
    if "--postgres" not in argv:
        yield sqlite_url()
        return
    url, drop = make_postgres_database(argv[argv.index("--postgres") + 1], prefix="mailbot_bench")
    try:
        yield url
    finally:
        drop()


__all__ = ["write_config", "START", "database_url", "deliver", "make_bot", "mixed_backlog", "servers", "sqlite_url"]
