"""Backlog throughput against the transport ceiling, measured in the same run.

    .venv/bin/python benchmarks/bench_backlog.py [N] [--postgres URL] [--rounds R]

1. The bot: a fresh database (SQLite, or with --postgres a new database on that server, dropped afterwards), N mixed
   messages in Dovecot, one `Bot.cycle()` — stored, judged, answered, sent, copied to Sent — of a bot already
   running (one empty cycle before the mail arrives, as `mailbot run` has done before a backlog lands).
2. The transport ceiling, right after (three times; the mean is used): the same N messages fetched again
   (BODY.PEEK[] + INTERNALDATE, batches of 100, from the folder the bot moved them to) and the same replies — the
   bot's own bytes, as many as it sent —
   sent through aiosmtpd on one connection. Nothing is parsed, judged or composed: this is the servers' speed and
   the client libraries', which no bot can beat.
The ratio bot/ceiling is printed; the target is at least 0.5. For comparison with figures before 2026-11-26, the
earlier, looser ceiling is printed too: N replies each composed as an `EmailMessage` and sent (composing costs
more than the transport, so that ceiling was about half as fast and its ratio about twice as high).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from email.message import EmailMessage

import aiosmtplib
from harness import database_url, deliver, make_bot, mixed_backlog, servers
from sqlalchemy import select

from mailbot.store.models import OutboxMessage

CEILING_RUNS = 3


def fetch_all(account, folder: str, n: int) -> None:  # type: ignore[no-untyped-def]
    with account.client() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        fetched = 0
        for start in range(0, len(uids), 100):
            fetched += len(client.fetch(uids[start : start + 100], ["BODY.PEEK[]", "INTERNALDATE"]))
    assert fetched == n, (fetched, n)


def ceiling(account, sink, folder: str, n: int, replies: list[tuple[str, bytes]]) -> float:  # type: ignore[no-untyped-def]
    """Messages per second: fetch the N messages, send the given replies as they are."""
    started = time.perf_counter()
    fetch_all(account, folder, n)

    async def send() -> None:
        smtp = aiosmtplib.SMTP(hostname=sink.host, port=sink.port, start_tls=False)
        await smtp.connect()
        for recipient, raw in replies:
            await smtp.sendmail("foi@council.example", [recipient], raw)
        await smtp.quit()

    asyncio.run(send())
    return n / (time.perf_counter() - started)


def composing_ceiling(account, sink, folder: str, n: int) -> float:  # type: ignore[no-untyped-def]
    """The ceiling as measured before 2026-11-26: N replies, each composed by the email package, then sent."""
    started = time.perf_counter()
    fetch_all(account, folder, n)

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
    return n / (time.perf_counter() - started)


def one_round(n: int, mails: list[bytes], argv: list[str], *, verbose: bool) -> float:
    """The bot on a fresh database and mailbox, then the ceiling; returns the ratio."""
    with database_url(argv) as db_url, servers() as (account, sink):
        bot = make_bot(account, sink, db_url)
        bot.cycle()  # a running bot: connections tried, templates and the database warm
        deliver(account, mails)
        started = time.perf_counter()
        stats = bot.cycle()
        elapsed = time.perf_counter() - started
        assert stats.process.decided == n, stats
        bot_rate = n / elapsed
        with bot.db.session() as session:
            replies = [(row.recipient, row.raw) for row in session.execute(
                select(OutboxMessage.recipient, OutboxMessage.raw).where(OutboxMessage.status == "sent")
                .order_by(OutboxMessage.id))]
        assert len(replies) == stats.process.replies_queued, (len(replies), stats)
        bot.close()
        folder = bot.settings.imap.processed_folder
        # The machine's speed drifts over tens of seconds: the ceiling is taken three times over about as long as the
        # bot took, and their mean is the ratio's denominator (the spread is printed).
        ceilings = []
        for _ in range(CEILING_RUNS):
            sink.clear()
            ceilings.append(ceiling(account, sink, folder, n, replies))
        transport = sum(ceilings) / len(ceilings)
        ratio = bot_rate / transport
        size = sum(len(raw) for _, raw in replies) // max(len(replies), 1)
        if verbose:
            print(f"backlog of {n} mixed messages ({len(replies)} replies of {size} bytes on average), "
                  f"database {db_url.split(':')[0]}")
        print(f"  mailbot (store, judge, act, send, copy to Sent):                {bot_rate:8.1f} messages/s "
              f"({elapsed:.1f} s)")
        print(f"  transport ceiling (fetch {n}, send the same {len(replies)} replies):     {transport:8.1f} messages/s "
              f"(mean of {min(ceilings):.0f}-{max(ceilings):.0f})")
        print(f"  ratio: {ratio:.2f}")
        if verbose:
            sink.clear()
            composing = composing_ceiling(account, sink, folder, n)
            print(f"  earlier ceiling (fetch {n}, compose and send {n}):          {composing:8.1f} messages/s "
                  f"-> ratio {bot_rate / composing:.2f}")
        return ratio


def main() -> None:
    """`--rounds R` (default 3): each round is a fresh database and mailbox, the bot then its ceiling; the median
    ratio is the result, because one round can land on a slow or a fast stretch of this machine."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2000
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    mails = mixed_backlog(n)
    ratios = [one_round(n, mails, sys.argv, verbose=i == 0) for i in range(rounds)]
    print(f"ratio over {rounds} rounds: median {statistics.median(ratios):.2f} "
          f"(each: {', '.join(f'{r:.2f}' for r in ratios)}; target ≥ 0.5)")


if __name__ == "__main__":
    main()
