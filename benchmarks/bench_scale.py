"""At the size of a real authority: 25 years of requests (2,000 a year) and four messages per request.

For each size it fills a fresh database with bulk inserts (cases with their stored dates, clock events, messages with
small raw bodies, decisions, replies, reviews), then prints the server time (p50/p95, in-process through Starlette's
test client) of the requests list, a filtered list, one request's page and the to-do page, with each page's weight and
whether it names an external resource, and the wall time and peak memory of `requests list`, `digest --preview` and
`messages list` run as their own processes. Targets at 50,000: pages p95 <= 150 ms, the commands <= 1 s, memory
independent of the mail archive's size. Run on demand (PostgreSQL: a throwaway database, its schema is dropped):

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,10000,50000] [--postgres URL] [--stale 0.4]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from mailbot.config import Settings
from mailbot.store.db import Database
from mailbot.testing.scale import MAILBOX, TODAY, fill
from mailbot.testing.web import HASHER, PASSWORD, add_account
from mailbot.web.app import create_app


def fresh(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    fn()  # warm: the first request compiles templates and statements
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))], result


EXTERNAL = re.compile(rb"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)


def pages(settings: Settings, db: Database, repeat: int) -> list[tuple[str, float, float, int, bool]]:
    add_account(db, "bench")
    app = create_app(settings, db, password_hasher=HASHER, secret_key="bench")
    results = []
    with TestClient(app, base_url="http://testserver") as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
        assert token
        signed = client.post("/signin", data={"name": "bench", "password": PASSWORD, "csrf_token": token.group(1),
                                              "next": "/requests"}, follow_redirects=False)
        assert signed.status_code in (302, 303), signed.status_code
        for name, path in (("requests list", f"/requests?today={TODAY}"),
                           ("filtered list", f"/requests?today={TODAY}&state=overdue&regime=foi&q=budget&page=3"),
                           ("request page", f"/requests/{max(1, len_hint(db) // 2)}?today={TODAY}"),
                           ("to-do page", "/todo")):
            p50, p95, response = timed(lambda path=path: client.get(path), repeat)
            assert response.status_code == 200, (path, response.status_code)
            results.append((name, p50, p95, len(response.content), bool(EXTERNAL.search(response.content))))
    return results


def len_hint(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT max(id) FROM cases")).scalar() or 1)


# A small parent for each command: a child's peak memory counts from its parent's size at fork (Linux copies the
# high-water mark), and this benchmark holds every generated row.
MEASURE = ("import resource, subprocess, sys, time; start = time.perf_counter(); "
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
           "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")


def command(config: Path, *args: str) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of one `mailbot` command in its own process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "mailbot", "--config", str(config),
                          *args], capture_output=True, text=True, check=True).stdout.split()
    if out[2] != "0":
        raise SystemExit(f"mailbot {' '.join(args)} failed")
    return float(out[0]), int(out[1]) / 1024


def run(backend: str, url: str, size: int, stale: float, repeat: int, workdir: Path) -> None:
    fresh(url)
    settings = Settings.model_validate({"data_dir": str(workdir), "mailbox": {"address": MAILBOX},
                                        "database": {"url": url}})
    db = Database(url)
    start = time.perf_counter()
    counts = fill(db, size, stale)
    print(f"\n{backend}: {counts['cases']:,} requests ({counts['open']:,} open), {counts['messages']:,} messages "
          f"(filled in {time.perf_counter() - start:.0f} s)")
    for name, p50, p95, weight, external in pages(settings, db, repeat):
        print(f"  {name:<16} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {weight / 1024:6.1f} KB"
              f"{'  EXTERNAL RESOURCE' if external else ''}")
    db.dispose()
    config = workdir / "mailbot.toml"
    config.write_text(f'[mailbox]\naddress = "{MAILBOX}"\norganisation = "Bench Council"\n'
                      f'[database]\nurl = "{url}"\n')
    for args in (("--help",), ("requests", "list"), ("requests", "list", "--json"),
                 ("digest", "--preview", "--at", str(TODAY)), ("messages", "list", "--json")):
        seconds, mib = command(config, *args)
        name = "start-up (mailbot --help)" if args == ("--help",) else " ".join(args[:3])
        print(f"  {name:<28} {seconds:6.2f} s  peak {mib:6.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--postgres", help="a throwaway PostgreSQL database (its public schema is dropped)")
    parser.add_argument("--stale", type=float, default=0.4,
                        help="share of older requests left open (answer never recorded); 0.4: 20,000 at 50,000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            if not args.no_sqlite:
                run("SQLite", f"sqlite:///{tmp}/bench.db", size, args.stale, args.repeat, Path(tmp))
            if args.postgres:
                run("PostgreSQL", args.postgres, size, args.stale, args.repeat, Path(tmp))


if __name__ == "__main__":
    main()
