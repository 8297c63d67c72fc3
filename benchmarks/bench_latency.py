"""Latency from APPEND to the acknowledgement at the SMTP server, p50 and p95, with IDLE and with polling.

    .venv/bin/python benchmarks/bench_latency.py [COUNT] [POLL_SECONDS]

`mailbot run` runs as a real process; COUNT requests (default 20) are delivered at random intervals.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import START, servers, write_config


def run(idle: bool, count: int, poll: int) -> list[float]:
    with servers(sink_in_process=True) as (account, sink):
        workdir = Path(tempfile.mkdtemp(prefix="mailbot-latency-"))
        config = workdir / "mailbot.toml"
        write_config(config, account, sink, f"sqlite:///{workdir}/m.db", {
            "log_level": "WARNING", "mailbox": {"organisation": "Bench Council"}, "imap": {"idle": idle},
            "schedule": {"poll_seconds": 300 if idle else poll}})
        process = subprocess.Popen([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run"],
                                   env={**os.environ, "MAILBOT_IMAP_PASSWORD": account.password})
        rng = random.Random(7)
        latencies = []
        try:
            time.sleep(3)
            for n in range(count):
                raw = (f"From: Jo Bloggs <jo{n}@example.org>\r\nTo: foi@council.example\r\nSubject: Budget {n}\r\n"
                       f"Message-ID: <lat-{n}@example.org>\r\n\r\nPlease send the 2023 budget.\r\n\r\n"
                       f"Yours faithfully,\r\nJo Bloggs\r\n").encode()
                started = time.perf_counter()
                account.append(raw, START)
                sink.wait_for(n + 1, timeout=poll + 60)
                latencies.append(time.perf_counter() - started)
                time.sleep(rng.uniform(0.2, 1.0))
        finally:
            process.terminate()
            process.wait(timeout=30)
        return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    poll = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    for label, idle in (("IDLE", True), (f"polling every {poll} s", False)):
        values = run(idle, count, poll)
        print(f"{label:<22} p50 {statistics.median(values):6.2f} s   p95 {percentile(values, 0.95):6.2f} s   "
              f"({count} messages)")


if __name__ == "__main__":
    main()
