"""The retention schedule and the quarterly statistics at the size of a real authority (25 years, 2,000 requests a
year, four messages each: mailbot/testing/scale.py). Prints, for each size, the time of the dry run (`plan`), of one
day's disposal of everything due (the first run after years of keeping everything: the worst case), of the next
day's run (nothing left: the steady state), and of a quarter's statistics. Run on demand:

    .venv/bin/python benchmarks/bench_retention.py [--sizes 10000,50000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from mailbot.clock.deadlines import ClockPolicy
from mailbot.config import Settings
from mailbot.runners.retention import Retention
from mailbot.store.db import Database
from mailbot.store.quarterly import quarter_stats
from mailbot.testing.scale import MAILBOX, TODAY, fill


def fresh(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()


def measure(url: str, size: int) -> None:
    fresh(url)
    db = Database(url)
    fill(db, size)
    settings = Settings.model_validate({"mailbox": {"address": MAILBOX}, "database": {"url": url},
                                        "retention": {"notice_days": 0}})
    runner = Retention(settings, db, instance="bench")
    now = datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=2)
    start = time.perf_counter()
    items = runner.plan(TODAY)
    planned = time.perf_counter() - start
    due = sum(1 for i in items if i.verdict.disposable(TODAY))
    start = time.perf_counter()
    first = runner.dispose_due(now, announced=False)
    disposing = time.perf_counter() - start
    start = time.perf_counter()
    runner.dispose_due(now + timedelta(days=1), announced=False)
    steady = time.perf_counter() - start
    start = time.perf_counter()
    with db.session() as session:
        _stats, rows = quarter_stats(session, "2026Q3", ClockPolicy(), TODAY)
    quarter = time.perf_counter() - start
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{kind} {size:>6} cases: dry run {planned:6.2f} s ({len(items)} listed, {due} due); first disposal "
          f"{disposing:6.2f} s ({sum(first.disposed.values())} records); next day {steady:5.2f} s; quarter's "
          f"statistics {quarter:5.2f} s ({len(rows)} requests)")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            measure(f"sqlite:///{tmp}/bench.db", size)
        if args.postgres:
            measure(args.postgres, size)


if __name__ == "__main__":
    main()
