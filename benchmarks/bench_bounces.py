"""Bounce recognition and failed-recipient extraction: mailbot's own code against flufl.bounce, on real bounces.

    .venv/bin/python benchmarks/bench_bounces.py [--flufl-tests DIR] [--sisimai DIR] [--alaveteli DIR]

For each set of messages it counts, for mailbot (its parser's delivery statuses and its judgement) and for
flufl.bounce's scanner run alone (`all_failures`): messages recognised as bounces (mailbot: judged kind `bounce`),
messages with at least one failed recipient extracted, permanent and temporary. On flufl.bounce's own test data
the expected recipients are known (its test table, passed in as `expected`), so exact extraction is counted too.
To measure mailbot before a change, run this script with PYTHONPATH pointing at the older checkout.
The figures go in docs/robot-mail.md ("Measured").
"""

from __future__ import annotations

import argparse
import email
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.policy import compat32
from pathlib import Path

from flufl.bounce import all_failures

from mailbot.judging.judge import judge
from mailbot.judging.settings import JudgeSettings
from mailbot.mail.parse import parse_message

SETTINGS = JudgeSettings(mailbox="foi@council.example")
ANSWERED: list[bool] = []  # per message of the current set: would mailbot reply automatically?


@dataclass
class Tally:
    total: int = 0
    recognised: int = 0
    extracted: int = 0
    permanent: int = 0
    temporary: int = 0
    exact: int = 0
    missed: list[str] = field(default_factory=list)

    def row(self, name: str, with_exact: bool) -> str:
        exact = f"  exact {self.exact:3d}" if with_exact else ""
        return (f"{name:<9} recognised {self.recognised:3d}/{self.total}  recipients {self.extracted:3d}  "
                f"permanent {self.permanent:3d}  temporary {self.temporary:3d}{exact}")


def ours(raw: bytes) -> tuple[bool, set[str], bool | None]:
    msg = parse_message(raw)
    decision = judge(msg, None, SETTINGS)
    statuses = msg.delivery_status
    recipients = {s.recipient.lower() for s in statuses if s.recipient}
    recognised = decision.kind == "bounce"
    permanent = any(s.permanent for s in statuses) if statuses else None
    ANSWERED.append(decision.action.replies)
    return recognised, recipients, permanent


def flufl(raw: bytes) -> tuple[bool, set[str], bool | None]:
    message = email.message_from_bytes(raw, policy=compat32)
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # noqa: BLE001 - a detector that crashes has recognised nothing
        return False, set(), None
    found = {a.decode("utf-8", "replace").lower() for a in (*temporary, *permanent)}
    return bool(found), found, (bool(permanent) if found else None)


def count(tally: Tally, name: str, result: tuple[bool, set[str], bool | None], expected: set[str] | None) -> None:
    recognised, recipients, permanent = result
    tally.total += 1
    tally.recognised += recognised
    tally.extracted += bool(recipients)
    tally.permanent += permanent is True
    tally.temporary += permanent is False
    if expected is not None and recipients == expected:
        tally.exact += 1
    if not recognised:
        tally.missed.append(name)


def measure(title: str, files: Iterable[tuple[str, bytes, set[str] | None]]) -> None:
    mine, theirs = Tally(), Tally()
    ANSWERED.clear()
    with_exact = False
    for name, raw, expected in files:
        with_exact = with_exact or expected is not None
        count(mine, name, ours(raw), expected)
        count(theirs, name, flufl(raw), expected)
    print(f"\n{title}")
    print(mine.row("mailbot", with_exact))
    print(theirs.row("flufl", with_exact))
    print(f"  mailbot answered automatically: {sum(ANSWERED)} of {len(ANSWERED)}")
    print(f"  not a bounce to mailbot: {', '.join(mine.missed[:60]) or '-'}")


def flufl_expected(tests: Path) -> dict[str, set[str]]:
    """flufl.bounce's own table of (detector, file, addresses, temporary): the union per file."""
    namespace: dict[str, object] = {}
    source = (tests / "test_detectors.py").read_text()
    start = source.index("DETECTORS = [")
    end = source.index("\n]\n", start) + 3
    exec(source[start:end], namespace)  # noqa: S102 - a literal table from a test file we downloaded
    expected: dict[str, set[str]] = {}
    for _, filename, addresses, _ in namespace["DETECTORS"]:  # type: ignore[attr-defined]
        expected.setdefault(filename, set()).update(a.decode().lower() for a in addresses)
    return expected


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flufl-tests", type=Path, help="flufl.bounce sdist tests/ folder")
    parser.add_argument("--sisimai", type=Path, help="a folder of sisimai set-of-emails .eml files")
    parser.add_argument("--alaveteli", type=Path, help="the Alaveteli corpus folder (MANIFEST.tsv)")
    args = parser.parse_args()
    if args.flufl_tests:
        expected = flufl_expected(args.flufl_tests)
        data = args.flufl_tests / "data"
        measure(f"flufl.bounce test data ({data})",
                ((p.name, p.read_bytes(), expected.get(p.name)) for p in sorted(data.glob("*.txt"))))
    if args.sisimai:
        measure(f"sisimai set-of-emails ({args.sisimai})",
                ((p.name, p.read_bytes(), None) for p in sorted(args.sisimai.glob("*.eml"))))
    if args.alaveteli:
        rows = [line.split("\t") for line in (args.alaveteli / "MANIFEST.tsv").read_text().splitlines()[1:]]
        bounces = [r[0] for r in rows if len(r) > 3 and r[3] == "bounce"]
        others = [r[0] for r in rows if len(r) > 3 and r[3] not in {"bounce", "autoreply"} and r[0].endswith(".eml")]
        measure("Alaveteli corpus, category bounce",
                ((n, (args.alaveteli / n).read_bytes(), None) for n in bounces))
        measure("Alaveteli corpus, people's mail (false positives)",
                ((n, (args.alaveteli / n).read_bytes(), None) for n in others))
    return 0


if __name__ == "__main__":
    sys.exit(main())
