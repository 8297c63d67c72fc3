"""Peak RSS of `mailbot run --once` over backlogs of growing size: it must not grow with the backlog. The bot
and its sender process are two processes; the sender's own peak is printed beside.

    .venv/bin/python benchmarks/bench_backlog_memory.py [SIZES...]   (default: 250 1000 2000)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import deliver, mixed_backlog, servers, write_config
from servers import process_table


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
            sender_peak = [0.0]
            watcher = threading.Thread(target=watch_children, args=(process.pid, sender_peak), daemon=True)
            watcher.start()
            _, status, usage = os.wait4(process.pid, 0)
            watcher.join(5)
            assert os.waitstatus_to_exitcode(status) == 0
            # wait4's figure is the larger of the bot's and its reaped sender's; the sender's own is read apart.
            results.append((size, usage.ru_maxrss / 1024, sender_peak[0], len(sink.messages)))
    return results


def watch_children(parent: int, peak: list[float]) -> None:
    """The sender process's peak RSS (VmHWM), read from /proc while it lives."""
    while Path(f"/proc/{parent}").exists():
        for child in (process for process in process_table() if process.ppid == parent):
            try:
                for line in Path(f"/proc/{child.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]) / 1024)
            except OSError:
                continue
        time.sleep(0.05)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [250, 1000, 2000]
    for size, peak, sender, sent in peak_rss_mb(sizes):
        print(f"backlog {size:5d} messages: peak RSS of the bot {peak:6.1f} MB, of its sender process {sender:5.1f} MB ("
              f"{sent} replies sent)")


if __name__ == "__main__":
    main()
