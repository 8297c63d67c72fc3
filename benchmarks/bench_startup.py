"""Start-up time of the command line: each command's wall time beside `python -c pass`, the interpreter's own.
Run on demand (figures in docs/operations.md, "Start-up time"):

    .venv/bin/python benchmarks/bench_startup.py [ROUNDS]

Targets (issue 17): `--help` ≤ 0.3 s, `deadline DATE` and `check FILE` ≤ 0.5 s on the project's 2-core machine.
The median of ROUNDS runs (default 7) is printed, with the fastest, and the median CPU time (user + system) of the
process: the machine is shared, and while neighbours keep both cores busy the wall time says more about them than
about mailbot, where the CPU time stays close to what an idle machine's wall time would be.
`python -X importtime -m mailbot COMMAND` says what to make lazy.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MESSAGE = REPO / "tests" / "data" / "labelled" / "replies" / "antw-dutch-reply.eml"

COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", ["-c", "pass"], None),
    ("mailbot --help", ["-m", "mailbot", "--help"], 0.3),
    ("mailbot --version", ["-m", "mailbot", "--version"], None),
    ("mailbot deadline DATE", ["-m", "mailbot", "deadline", "2024-03-15"], 0.5),
    ("mailbot check FILE", ["-m", "mailbot", "check", str(MESSAGE)], 0.5),
    ("mailbot config example", ["-m", "mailbot", "config", "example"], None),
    ("mailbot rules", ["-m", "mailbot", "rules"], None),
    ("mailbot requests list (no database)", ["-m", "mailbot", "requests", "list"], None),
]


def timed(args: list[str], cwd: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print(f"{'command':<38} {'median':>8} {'fastest':>8} {'CPU':>8}  target (on the fastest)")
    with tempfile.TemporaryDirectory() as empty:  # no mailbot.toml, no data/: the defaults, nothing created
        for label, args, target in COMMANDS:
            runs = [timed(args, empty) for _ in range(rounds)]
            walls = [wall for wall, _cpu in runs]
            fastest = min(walls)
            verdict = "" if target is None else f"≤ {target:.1f} s {'met' if fastest <= target else 'MISSED'}"
            print(f"{label:<38} {statistics.median(walls):>7.3f}s {fastest:>7.3f}s "
                  f"{statistics.median(cpu for _wall, cpu in runs):>7.3f}s  {verdict}")


if __name__ == "__main__":
    main()
