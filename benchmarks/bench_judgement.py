"""How well the judge judges: the labelled corpus (tests/data/labelled/) against its labels. Run on demand:

    .venv/bin/python benchmarks/bench_judgement.py [--labels FILE] [--wrong] [--json]

Prints, for every message judged exactly as `mailbot check --json` judges it:
- per field, the accuracy; for `action` and `kind` (and `valid`, `regime`, the items of `missing`) precision,
  recall and F1 per class, and for `applicant_name` and `references` how often one was expected, found, and right;
- the confusion matrix of actions, expected (rows) × got (columns);
- the wrong automatic replies: an automatic reply where the label says `none` or `staff_review`, and a reply of the
  wrong kind (a Section 8 notice for an acknowledgement, say);
- per family, the share of messages whose action is right and whose every field is right.
`--wrong` lists every message with a wrong field; `--json` prints the figures as one JSON object instead.
The figures for the code of each day go in docs/judgement.md.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

from mailbot.judging.values import REPLYING_ACTIONS, Action
from mailbot.testing.labelled import FIELDS, LABELS, Labelled, differences, judged, load

ACTIONS = [action.value for action in Action]
NOT_ANSWERED = {Action.NONE.value, Action.STAFF_REVIEW.value}
REPLIES = {action.value for action in REPLYING_ACTIONS}


def per_class(pairs: Iterable[tuple[Hashable, Hashable]]) -> dict[str, dict[str, float | int]]:
    """Precision, recall, F1 and support of each class, from (expected, got) pairs."""
    pairs = list(pairs)
    classes = sorted({str(c) for pair in pairs for c in pair})
    table: dict[str, dict[str, float | int]] = {}
    for name in classes:
        tp = sum(1 for want, got in pairs if str(want) == name and str(got) == name)
        predicted = sum(1 for _, got in pairs if str(got) == name)
        actual = sum(1 for want, _ in pairs if str(want) == name)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[name] = {"precision": precision, "recall": recall, "f1": f1, "support": actual, "predicted": predicted}
    return table


def missing_items(rows: list[tuple[Labelled, dict[str, Any]]]) -> dict[str, dict[str, float | int]]:
    """`missing` is a set of items (address, name, description): each item scored on its own."""
    table: dict[str, dict[str, float | int]] = {}
    items = sorted({item for entry, got in rows for item in [*entry.expected["missing"], *got["missing"]]})
    for item in items:
        pairs = [(item in entry.expected["missing"], item in got["missing"]) for entry, got in rows]
        tp = sum(1 for want, have in pairs if want and have)
        predicted = sum(1 for _, have in pairs if have)
        actual = sum(1 for want, _ in pairs if want)
        table[item] = {"precision": tp / predicted if predicted else 0.0, "recall": tp / actual if actual else 0.0,
                       "support": actual, "predicted": predicted}
    return table


def presence(rows: list[tuple[Labelled, dict[str, Any]]], field: str) -> dict[str, int]:
    """For a free-valued field (a name, a list of references): expected, found, and found right."""
    def given(value: Any) -> bool:
        return value not in (None, [], "")
    return {"expected": sum(1 for entry, _ in rows if given(entry.expected[field])),
            "found": sum(1 for _, got in rows if given(got[field])),
            "found_right": sum(1 for entry, got in rows if given(got[field]) and got[field] == entry.expected[field]),
            "found_unexpected": sum(1 for entry, got in rows if given(got[field]) and not given(entry.expected[field]))}


def wrong_replies(rows: list[tuple[Labelled, dict[str, Any]]]) -> dict[str, list[str]]:
    unwanted = [f"{entry.file}: {got['action']} (label: {entry.expected['action']})" for entry, got in rows
                if got["action"] in REPLIES and entry.expected["action"] in NOT_ANSWERED]
    wrong_kind = [f"{entry.file}: {got['action']} (label: {entry.expected['action']})" for entry, got in rows
                  if got["action"] in REPLIES and entry.expected["action"] in REPLIES
                  and got["action"] != entry.expected["action"]]
    missed = [f"{entry.file}: {got['action']} (label: {entry.expected['action']})" for entry, got in rows
              if entry.expected["action"] in REPLIES and got["action"] not in REPLIES]
    return {"reply_where_none_or_staff": unwanted, "reply_of_wrong_kind": wrong_kind, "no_reply_where_due": missed}


def figures(rows: list[tuple[Labelled, dict[str, Any]]]) -> dict[str, Any]:
    def accuracy(field: str) -> float:
        return sum(1 for entry, got in rows if got[field] == entry.expected[field]) / len(rows)

    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for entry, got in rows:
        confusion[entry.expected["action"]][got["action"]] += 1
    families: dict[str, dict[str, int]] = defaultdict(lambda: {"messages": 0, "action_right": 0, "all_right": 0})
    for entry, got in rows:
        family = families[entry.family]
        family["messages"] += 1
        family["action_right"] += got["action"] == entry.expected["action"]
        family["all_right"] += not any(differences(entry, got))
    return {
        "messages": len(rows),
        "all_fields_right": sum(1 for entry, got in rows if not any(differences(entry, got))),
        "accuracy": {field: accuracy(field) for field in FIELDS},
        "action": per_class((entry.expected["action"], got["action"]) for entry, got in rows),
        "kind": per_class((entry.expected["kind"], got["kind"]) for entry, got in rows),
        "valid": per_class((entry.expected["valid"], got["valid"]) for entry, got in rows),
        "regime": per_class((entry.expected["regime"], got["regime"]) for entry, got in rows),
        "missing": missing_items(rows),
        "applicant_name": presence(rows, "applicant_name"),
        "references": presence(rows, "references"),
        "action_confusion": {want: dict(confusion[want]) for want in ACTIONS if want in confusion},
        "wrong_replies": wrong_replies(rows),
        "families": dict(sorted(families.items())),
    }


def _table(title: str, table: dict[str, dict[str, float | int]]) -> None:
    print(f"\n{title}")
    print(f"  {'class':<24} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8} {'got':>5}")
    for name, row in table.items():
        f1 = f"{row['f1']:6.2f}" if "f1" in row else "      "
        print(f"  {name:<24} {row['precision']:9.2f} {row['recall']:7.2f} {f1} {row['support']:8} {row['predicted']:5}")


def report(result: dict[str, Any]) -> None:
    print(f"labelled corpus: {result['messages']} messages, every field right in {result['all_fields_right']}")
    print("\naccuracy per field")
    for field, value in result["accuracy"].items():
        print(f"  {field:<16} {value:6.1%}")
    _table("action", result["action"])
    _table("kind", result["kind"])
    _table("valid (None: the question does not arise)", result["valid"])
    _table("regime (None: no law applies)", result["regime"])
    _table("missing, item by item", result["missing"])
    for field in ("applicant_name", "references"):
        row = result[field]
        print(f"\n{field}: expected in {row['expected']}, found in {row['found']}, found and right in "
              f"{row['found_right']}, found where none was expected in {row['found_unexpected']}")
    print("\naction confusion (rows: expected, columns: got)")
    present = [a for a in ACTIONS if a in result["action_confusion"]
               or any(a in row for row in result["action_confusion"].values())]
    short = {a: a.replace("acknowledge", "ack").replace("section8_notice", "s8") for a in present}
    print(f"  {'':<24}" + "".join(f"{short[a]:>14}" for a in present))
    for want in present:
        row = result["action_confusion"].get(want, {})
        print(f"  {want:<24}" + "".join(f"{row.get(a, 0):>14}" for a in present))
    wrong = result["wrong_replies"]
    print(f"\nwrong automatic replies: {len(wrong['reply_where_none_or_staff'])} where the label says none or "
          f"staff_review, {len(wrong['reply_of_wrong_kind'])} of the wrong kind; "
          f"{len(wrong['no_reply_where_due'])} labelled replies not sent")
    for line in wrong["reply_where_none_or_staff"] + wrong["reply_of_wrong_kind"]:
        print(f"  {line}")
    print("\nper family: action right, every field right")
    for name, row in result["families"].items():
        n = row["messages"]
        print(f"  {name:<18} {n:4}   action {row['action_right']:4} ({row['action_right'] / n:6.1%})   "
              f"all {row['all_right']:4} ({row['all_right'] / n:6.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS, help="labels file (default: the corpus's)")
    parser.add_argument("--wrong", action="store_true", help="list every message with a wrong field")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    rows = [(entry, judged(entry)) for entry in load(args.labels)]
    result = figures(rows)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        report(result)
    if args.wrong:
        print("\nmessages with a wrong field")
        for entry, got in rows:
            wrong = "; ".join(f"{f}: {want!r} → {have!r}" for f, want, have in differences(entry, got))
            if wrong:
                print(f"  {entry.file}: {wrong}")


if __name__ == "__main__":
    main()
