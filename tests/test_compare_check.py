"""benchmarks/compare_check.py proves that nothing visible changed: its comparison must see every real change and
forgive only what differs between two runs of the same code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "compare_check.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_check", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_check"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


compare = load()

OBJECT = {"file": "/a/corpus/x.eml", "kind": "request", "action": "acknowledge", "valid": True,
          "missing": [], "reasons": ["full-name: 'Jo Bloggs'", "valid-request: valid"]}


def test_the_same_objects_under_other_paths_are_identical() -> None:
    before = compare.keyed([OBJECT], {"/a/corpus/x.eml": "corpus/x.eml"})
    after = compare.keyed([{**OBJECT, "file": "/b/corpus/x.eml"}], {"/b/corpus/x.eml": "corpus/x.eml"})
    assert compare.differences(before, after) == []


def test_a_changed_field_a_changed_reason_and_a_missing_file_are_each_reported() -> None:
    before = {"corpus/x.eml": {**OBJECT, "file": "corpus/x.eml"}, "corpus/y.eml": {**OBJECT, "file": "corpus/y.eml"}}
    after = {"corpus/x.eml": {**OBJECT, "file": "corpus/x.eml", "action": "staff_review",
                              "reasons": ["full-name: 'Jo Bloggs'", "valid-request: held"]}}
    found = compare.differences(before, after)
    assert found == [
        'corpus/x.eml: action: "acknowledge" -> "staff_review"',
        'corpus/x.eml: reasons: - "valid-request: valid"; + "valid-request: held"',
        "corpus/y.eml: only in the before output",
    ]


def test_reasons_in_another_order_are_a_difference() -> None:
    before = {"k": {"reasons": ["a", "b"]}}
    after = {"k": {"reasons": ["b", "a"]}}
    assert compare.differences(before, after) == ['k: reasons: same items, in another order: ["a", "b"] -> ["b", "a"]']


def test_the_demo_forgives_dates_data_dirs_and_generated_ids_but_not_threading() -> None:
    def run(data_dir: str, first: str, second: str, reply_to: str) -> str:
        return (f"database sqlite:///{data_dir}/mailbot.db\nDate: Wed, 02 Dec 2026 00:41:2{first[-1]} +0000\n"
                f"Message-ID: <{first}@police.example.uk>\nMessage-ID: <{second}@police.example.uk>\n"
                f"In-Reply-To: <{reply_to}@police.example.uk>\nYours sincerely,\n")

    one = compare.normalised_demo(run("/tmp/d1", "17961.31612.153", "17962.31612.877", "17961.31612.153"),
                                  Path("/tmp/d1"))
    two = compare.normalised_demo(run("/tmp/d2", "18000.32018.108", "18001.32018.109", "18000.32018.108"),
                                  Path("/tmp/d2"))
    assert one == two
    assert "Yours sincerely," in one
    threaded_elsewhere = compare.normalised_demo(
        run("/tmp/d2", "18000.32018.108", "18001.32018.109", "18001.32018.109"), Path("/tmp/d2"))
    assert threaded_elsewhere != one


def test_inputs_skip_the_manifest_licence_and_expected_outputs(tmp_path: Path) -> None:
    if not (compare.SHARED / "scenarios").is_dir():
        pytest.skip("no ../shared/scenarios beside the repository")
    for name in ("MANIFEST.tsv", "LICENSE-NOTE.md", "a.txt", "a.txt.expected", "b.eml"):
        (tmp_path / name).write_text("x")
    keys = [mail.key for mail in compare.inputs(tmp_path) if mail.key.startswith("corpus/")]
    assert keys == ["corpus/a.txt", "corpus/b.eml"]
