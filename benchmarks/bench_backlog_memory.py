"""Peak RSS of `mailbot run --once` over backlogs of growing size: it must not grow with the backlog. The bot is one
process (it sends its replies itself), so wait4's peak is the whole of it.

    .venv/bin/python benchmarks/bench_backlog_memory.py [SIZES...]   (default: 250 1000 2000)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import deliver, mixed_backlog, servers, write_config


def peak_rss_mb(sizes: list[int]) -> list[tuple[int, float, int]]:
    results = []
    for size in sizes:
        with servers(sink_in_process=True) as (account, sink):
            deliver(account, mixed_backlog(size))
            workdir = Path(tempfile.mkdtemp(prefix="mailbot-mem-"))
            config = workdir / "m.toml"
            write_config(config, account, sink, f"sqlite:///{workdir}/m.db", {
                "log_level": "WARNING", "mailbox": {"organisation": "Bench Council"}, "imap": {"batch_size": 50},
                "rules": {"daily_reply_cap": 100000}})
            process = subprocess.Popen([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run", "--once"],
                                       env={**os.environ, "MAILBOT_IMAP_PASSWORD": account.password})
            _, status, usage = os.wait4(process.pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
            results.append((size, usage.ru_maxrss / 1024, len(sink.messages)))
    return results


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [250, 1000, 2000]
    for size, peak, sent in peak_rss_mb(sizes):
        print(f"backlog {size:5d} messages: peak RSS of the bot {peak:6.1f} MB ({sent} replies sent)")


if __name__ == "__main__":
    main()
