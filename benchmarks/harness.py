"""Shared set-up for the benchmarks: the same real servers the tests use (Dovecot, aiosmtpd) and a real bot."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from servers import DovecotServer, SmtpSink, make_postgres_database  # noqa: E402  # tests/servers.py, above

from mailbot.config import settings_from_mapping  # noqa: E402
from mailbot.service import Bot  # noqa: E402
from mailbot.store.db import Database  # noqa: E402
from mailbot.testing.backlog import mixed_backlog  # noqa: E402
from mailbot.testing.bots import merge, write_config  # noqa: E402

START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


class SinkProcess:
    """The aiosmtpd sink running in its own process (sink_process.py), with the little of SmtpSink's API the
    benchmarks use."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self._process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("sink_process.py"))],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self._ask(None))

    def _ask(self, command: str | None) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        if command is not None:
            self._process.stdin.write(command + "\n")
            self._process.stdin.flush()
        return self._process.stdout.readline().strip()

    def clear(self) -> None:
        self._ask("clear")

    def stop(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)


@contextmanager
def servers(*, sink_in_process: bool = False) -> Iterator[tuple[Any, Any]]:
    """Dovecot, and aiosmtpd in a process of its own — or, with sink_in_process, the tests' in-process SmtpSink
    (for benchmarks that read back what was sent)."""
    with DovecotServer() as dovecot:
        account = dovecot.account()
        sink: Any = SmtpSink().start() if sink_in_process else SinkProcess()
        try:
            yield account, sink
        finally:
            sink.stop()


def deliver(account: Any, mails: list[bytes], folder: str = "INBOX",
            apart: timedelta = timedelta(minutes=1)) -> None:
    """APPEND with INTERNALDATEs `apart` from each other (a minute: a backlog; a second: a flood), one connection."""
    with account.client() as client:
        for n, raw in enumerate(mails):
            client.append(folder, raw, msg_time=START + n * apart)


def make_bot(account: Any, sink: SmtpSink, db_url: str, extra: dict[str, Any] | None = None) -> Bot:
    base = {
        "mailbox": {"address": "foi@council.example", "organisation": "Bench Council"},
        "imap": {"host": account.host, "port": account.port, "username": account.user, "batch_size": 100},
        "smtp": {"host": sink.host, "port": sink.port},
        "rules": {"daily_reply_cap": 100000, "hourly_reply_cap": 100000},  # a backlog, not a flood
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


__all__ = ["START", "database_url", "deliver", "make_bot", "mixed_backlog", "servers", "sqlite_url", "write_config"]
