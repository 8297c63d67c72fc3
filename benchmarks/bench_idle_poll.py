"""Idle poll cost: a poll that finds nothing new, with 100 and with 50,000 already-processed messages.

    .venv/bin/python benchmarks/bench_idle_poll.py [LARGE]

The processed messages are really there: in the mailbox's Processed folder (MULTIAPPEND) and in the database
(one inbound row, decision and case each). Each figure is the median of 30 polls (connect, select, search, the
database look-ups, and a cycle's decide/send queries). Target: ratio at most 1.5.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from harness import make_bot, servers, sqlite_url
from sqlalchemy import insert

from mailbot.store.models import Case, Decision, FolderState, InboundMessage

if TYPE_CHECKING:
    from servers import DovecotAccount

    from mailbot.service import Bot

RAW = (b"From: Jo Bloggs <jo@example.org>\r\nTo: foi@council.example\r\nSubject: Old %d\r\n"
       b"Message-ID: <old-%d@example.org>\r\n\r\nPlease send the budget.\r\n\r\nYours faithfully,\r\nJo Bloggs\r\n")


def fill(account: DovecotAccount, bot: Bot, count: int) -> None:
    with account.client() as client:
        if not client.folder_exists("Processed"):
            client.create_folder("Processed")
        for start in range(0, count, 500):
            client.multiappend("Processed", [{"msg": RAW % (i, i), "flags": [b"\\Seen"]}
                                             for i in range(start, min(count, start + 500))])
        client.select_folder("INBOX")
        uidvalidity = client.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"]
    when = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    mailbox = bot.settings.mailbox.address
    with bot.db.session() as session:
        session.add(FolderState(mailbox=mailbox, folder="INBOX", uidvalidity=uidvalidity, last_uid=count))
        for start in range(0, count, 2000):
            chunk = range(start, min(count, start + 2000))
            session.execute(insert(InboundMessage), [dict(
                mailbox=mailbox, message_id=f"<old-{i}@example.org>", folder="INBOX", uidvalidity=uidvalidity,
                uid=i + 1, moved=True, received_at=when, received_date=date(2024, 3, 4), raw=RAW % (i, i), size=100,
                status="processed", attempts=0) for i in chunk])
            session.execute(insert(Case), [dict(
                mailbox=mailbox, reference=f"{i + 1}/2024", reference_seq=i + 1, reference_year=2024, status="open",
                regime="foi", applicant_name="Jo Bloggs", address="jo@example.org", subject=f"Old {i}",
                subject_stem=f"old {i}", first_received=date(2024, 3, 4), received=date(2024, 3, 4),
                due=date(2024, 4, 2), missing=[]) for i in chunk])
        session.flush()
        ids = [row[0] for row in session.execute(InboundMessage.__table__.select().with_only_columns(
            InboundMessage.id))]
        for start in range(0, len(ids), 2000):
            session.execute(insert(Decision), [dict(inbound_id=i, case_id=None, kind="request", action="acknowledge",
                                                    regime="foi", reasons=["old"], facts={}) for i in
                                               ids[start : start + 2000]])


def measure(count: int) -> float:
    with servers() as (account, sink):
        bot = make_bot(account, sink, sqlite_url())
        fill(account, bot, count)
        bot.cycle()  # warm: folders exist, connections made once
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            stats = bot.cycle()
            timings.append(time.perf_counter() - started)
            assert stats.ingest.fetched == 0 and stats.process.decided == 0
        bot.db.dispose()
        return statistics.median(timings)


def main() -> None:
    large = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    small_t, large_t = measure(100), measure(large)
    print("idle poll (a full cycle that finds nothing), median of 30:")
    print(f"  100 processed messages:    {small_t * 1000:7.1f} ms")
    print(f"  {large:,} processed messages: {large_t * 1000:7.1f} ms")
    print(f"  ratio: {large_t / small_t:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
