"""Backlog throughput against the transport ceiling, measured in the same run.

    .venv/bin/python benchmarks/bench_backlog.py [N] [--postgres URL]

1. The transport ceiling: the N messages fetched from Dovecot (BODY.PEEK[] + INTERNALDATE, batches of 100) and N
   replies sent through aiosmtpd on one connection, with no processing at all.
2. The bot: a fresh database (SQLite, or with --postgres a new database on that server, dropped afterwards), the
   same N messages, one `Bot.cycle()` — stored, judged, answered, sent.
The ratio bot/ceiling is printed; the target is at least 0.5.
"""

from __future__ import annotations

import asyncio
import sys
import time
from email.message import EmailMessage

import aiosmtplib
from harness import database_url, deliver, make_bot, mixed_backlog, servers


def ceiling(account, sink, n: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with account.client() as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        fetched = 0
        for start in range(0, len(uids), 100):
            fetched += len(client.fetch(uids[start : start + 100], ["BODY.PEEK[]", "INTERNALDATE"]))

    async def send() -> None:
        smtp = aiosmtplib.SMTP(hostname=sink.host, port=sink.port, start_tls=False)
        await smtp.connect()
        for i in range(n):
            reply = EmailMessage()
            reply["From"], reply["To"], reply["Subject"] = "foi@council.example", f"p{i}@example.org", "Re: x"
            reply.set_content("Thank you for your request. " * 20)
            await smtp.send_message(reply)
        await smtp.quit()

    asyncio.run(send())
    elapsed = time.perf_counter() - started
    assert fetched == n
    return n / elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2000
    mails = mixed_backlog(n)
    with database_url(sys.argv) as db_url, servers() as (account, sink):
        deliver(account, mails)
        transport = ceiling(account, sink, n)
        sink.clear()
        bot = make_bot(account, sink, db_url)
        started = time.perf_counter()
        stats = bot.cycle()
        elapsed = time.perf_counter() - started
        assert stats.process.decided == n, stats
        bot_rate = n / elapsed
        print(f"backlog of {n} mixed messages ({stats.process.replies_queued} replies), database {db_url.split(':')[0]}")
        print(f"  transport ceiling (fetch {n} + send {n}, no processing): {transport:8.1f} messages/s")
        print(f"  mailbot (store, judge, act, send):                     {bot_rate:8.1f} messages/s "
              f"({elapsed:.1f} s)")
        print(f"  ratio: {bot_rate / transport:.2f} (target ≥ 0.5)")
        bot.db.dispose()


if __name__ == "__main__":
    main()
