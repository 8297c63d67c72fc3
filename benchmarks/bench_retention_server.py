"""Removing disposed messages' copies from a real Dovecot: the Processed folder holds N messages and half of them
have been disposed of; prints how long the retention runner takes to find them by Message-ID (one pass reading each
folder's Message-ID headers) and expunge them. Run on demand:

    .venv/bin/python benchmarks/bench_retention_server.py [--sizes 2000,10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime

from harness import START, deliver, servers
from pydantic import SecretStr

from mailbot.config import settings_from_mapping
from mailbot.mailserver.imap import ImapConnection
from mailbot.runners.retention import Retention
from mailbot.store.db import Database
from mailbot.store.models import InboundMessage
from mailbot.testing.messages import request


def measure(size: int) -> None:
    with servers() as (account, _sink), tempfile.TemporaryDirectory() as tmp:
        mails = [request(n, tag="bench") for n in range(size)]
        with account.client() as client:
            client.create_folder("Processed")
        deliver(account, mails, folder="Processed")
        db = Database(f"sqlite:///{tmp}/bench.db")
        now = datetime(2030, 1, 1, tzinfo=UTC)
        with db.session() as session:
            session.add_all(InboundMessage(
                mailbox="foi@council.example", message_id=f"<bench-{n}@example.org>", folder="INBOX", uidvalidity=1,
                uid=n + 1, moved=True, received_at=START, received_date=START.date(), raw=b"", size=0,
                status="processed", disposed_at=now if n % 2 == 0 else None) for n in range(size))
        settings = settings_from_mapping({"mailbox": {"address": "foi@council.example"},
                                          "imap": {"host": account.host, "port": account.port,
                                                   "username": account.user}})
        runner = Retention(settings, db, instance="bench")
        start = time.perf_counter()
        with ImapConnection(settings.imap, account.user, SecretStr(account.password)) as conn:
            removed = runner.remove_server_copies(conn, now)
        took = time.perf_counter() - start
        left = len(account.list_messages("Processed"))
        print(f"Dovecot, {size:>6} messages in Processed: {removed} disposed copies found and expunged in "
              f"{took:5.2f} s ({left} left)")
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,10000")
    for size in (int(s) for s in parser.parse_args().sizes.split(",")):
        measure(size)


if __name__ == "__main__":
    main()
