"""The labelled corpus (tests/data/labelled/): each message with the judgement the law and mail practice call for.

The labels say what the bot *should* do, not what it does today, so tests/test_labelled_corpus.py and
benchmarks/bench_judgement.py measure the judge against them. Each file is judged exactly as `mailbot check --json`
judges it (the same settings, the same record), with the mailbox below unless a label names another one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mailbot.cli.check import check_record, check_settings
from mailbot.config import load_settings
from mailbot.judging.judge import judge
from mailbot.judging.settings import JudgeSettings
from mailbot.mail.parse import parse_message

CORPUS = Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "labelled"
LABELS = CORPUS / "labels.jsonl"
MAILBOX = "foi@council.example.gov.uk"
# The fields of a `check --json` record that a label fixes, in the order they are reported.
FIELDS = ("kind", "regime", "applicant_name", "valid", "missing", "references", "action")


@dataclass(frozen=True)
class Labelled:
    """One message of the corpus and the outcome it should get."""

    file: str  # relative to CORPUS; also the message's id in tests and reports
    family: str
    expected: dict[str, Any]  # FIELDS → the value `check --json` should print
    mailbox: str = MAILBOX
    note: str = ""

    @property
    def path(self) -> Path:
        return CORPUS / self.file


def load(labels: Path = LABELS) -> list[Labelled]:
    entries = []
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        entries.append(Labelled(file=row["file"], family=row["family"],
                                expected={field: row[field] for field in FIELDS},
                                mailbox=row.get("mailbox", MAILBOX), note=row.get("note", "")))
    return entries


@cache
def _settings(mailbox: str) -> JudgeSettings:
    return check_settings(load_settings(None).for_mailbox("default"), mailbox)


def judged(entry: Labelled) -> dict[str, Any]:
    """What `mailbot check --json --mailbox MAILBOX FILE` prints for the entry, with the default configuration."""
    decision = judge(parse_message(entry.path.read_bytes()), None, _settings(entry.mailbox))
    record = check_record(str(entry.path), decision)
    # The record holds StrEnum members; as JSON they are their strings, and so are they here.
    return json.loads(json.dumps(record, ensure_ascii=False))


def differences(entry: Labelled, got: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(field, expected, got) for each labelled field the judgement gets wrong."""
    for field in FIELDS:
        if got[field] != entry.expected[field]:
            yield field, entry.expected[field], got[field]
