"""benchmarks/bench_judgement.py: its figures from hand-made judgements, so a miscount in the report shows here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mailbot.testing.labelled import Labelled

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_judgement.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_judgement", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_judgement"] = module
    spec.loader.exec_module(module)
    return module


bench = load()

REQUEST = {"kind": "request", "regime": "foi", "applicant_name": "Jo Bloggs", "valid": True, "missing": [],
           "references": [], "action": "acknowledge"}
ROBOT = {"kind": "auto_reply", "regime": None, "applicant_name": None, "valid": None, "missing": [],
         "references": [], "action": "none"}
NOTICE = {**REQUEST, "applicant_name": None, "valid": False, "missing": ["name"], "action": "section8_notice"}


def row(family: str, expected: dict[str, Any], **got: Any) -> tuple[Labelled, dict[str, Any]]:
    return Labelled(file=f"{family}/x.eml", family=family, expected=expected), {**expected, **got}


ROWS = [
    row("valid", REQUEST),
    row("valid", REQUEST, action="section8_notice", valid=False, missing=["description"]),  # a reply of the wrong kind
    row("robots", ROBOT, kind="request", regime="foi", applicant_name="Out Of Office", valid=True,
        action="acknowledge"),  # a reply where none is due
    row("robots", ROBOT),
    row("name_incomplete", NOTICE),
]


def test_wrong_automatic_replies_are_counted_by_what_went_wrong() -> None:
    wrong = bench.figures(ROWS)["wrong_replies"]
    assert len(wrong["reply_where_none_or_staff"]) == 1
    assert len(wrong["reply_of_wrong_kind"]) == 1
    assert wrong["no_reply_where_due"] == []


def test_action_precision_recall_and_confusion() -> None:
    result = bench.figures(ROWS)
    acknowledge = result["action"]["acknowledge"]
    assert (acknowledge["precision"], acknowledge["recall"], acknowledge["support"]) == (0.5, 0.5, 2)
    assert result["action"]["none"]["recall"] == 0.5
    assert result["action_confusion"]["acknowledge"] == {"acknowledge": 1, "section8_notice": 1}
    assert result["action_confusion"]["none"] == {"acknowledge": 1, "none": 1}
    assert result["accuracy"]["action"] == pytest.approx(3 / 5)


def test_missing_is_scored_item_by_item() -> None:
    missing = bench.figures(ROWS)["missing"]
    assert missing["name"]["precision"] == 1.0 and missing["name"]["recall"] == 1.0
    assert missing["description"]["precision"] == 0.0 and missing["description"]["support"] == 0


def test_per_family_and_names() -> None:
    result = bench.figures(ROWS)
    assert result["families"]["valid"] == {"messages": 2, "action_right": 1, "all_right": 1}
    assert result["families"]["robots"] == {"messages": 2, "action_right": 1, "all_right": 1}
    assert result["applicant_name"]["found_unexpected"] == 1
    assert result["all_fields_right"] == 3
