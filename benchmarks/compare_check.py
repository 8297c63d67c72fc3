"""Nothing visible changed: `mailbot check --json` and `mailbot demo` from an earlier revision and from this tree.

    .venv/bin/python benchmarks/compare_check.py [--before REV] [--reference FILE.jsonl] [--no-demo]

A refactoring promises that people see exactly what they saw before: the same judgement of every message and the
same replies. This script checks the promise instead of trusting it. It checks REV out in a temporary `git
worktree` (default: the merge base of HEAD with origin/main, or with main when there is no origin), then runs both
trees with the same Python (this venv's) over the same files:

- `mailbot check --json` over the corpus ($MAILBOT_CORPUS_DIR or ../shared/corpus/alaveteli: every file but
  MANIFEST*, LICENSE* and *.expected), every .eml under ../shared/scenarios and under mailbot/demo/data; the
  objects are compared file by file, field by field (the `file` path is made relative to its folder);
- `mailbot demo` in a fresh data directory each; the printed replies are compared line by line, after replacing
  what differs between any two runs (the data directory, each reply's Date header and generated Message-ID).

`--reference` also compares this tree's objects with a stored `check --json` output. Exit status: 0 when
everything is identical, 1 on any difference (each one is listed), 2 when a tree could not be run at all.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SKIPPED = ("MANIFEST*", "LICENSE*", "*.expected")
# Settings from the caller's environment would make the two runs judge with settings neither tree chose.
UNSET = ("MAILBOT_CONFIG", "MAILBOT_MAILBOX", "MAILBOT_LOG_LEVEL")


class CompareError(RuntimeError):
    """A tree could not be run at all: nothing to compare."""


@dataclass(frozen=True)
class Mail:
    """One input file: where it is, and the name it is compared under (stable across machines and checkouts)."""

    path: Path
    key: str


def inputs(corpus: Path) -> list[Mail]:
    folders = [("corpus", corpus, "*"), ("scenarios", SHARED / "scenarios", "**/*.eml"),
               ("demo", REPO / "mailbot" / "demo" / "data", "**/*.eml")]
    found: list[Mail] = []
    for label, folder, pattern in folders:
        if not folder.is_dir():
            raise CompareError(f"no folder {folder} (set MAILBOT_CORPUS_DIR for the corpus)")
        for path in sorted(folder.glob(pattern)):
            if path.is_file() and not any(path.match(skip) for skip in SKIPPED):
                found.append(Mail(path, f"{label}/{path.relative_to(folder).as_posix()}"))
    return found


def run_tree(tree: Path, args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`mailbot ARGS` from TREE's package: PYTHONPATH puts it first, and a neutral cwd keeps `-m` from finding
    another checkout's package in the current directory."""
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    env["PYTHONPATH"] = str(tree)
    return subprocess.run([sys.executable, "-m", "mailbot.cli", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=600, check=False)


def judged(tree: Path, mails: list[Mail], cwd: Path) -> dict[str, dict[str, Any]]:
    by_path = {str(mail.path): mail.key for mail in mails}
    done = run_tree(tree, ["check", "--json", *by_path], cwd)
    if done.returncode != 0:
        raise CompareError(f"`mailbot check` of {tree} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return keyed((json.loads(line) for line in done.stdout.splitlines() if line.strip()), by_path)


def keyed(objects: Iterator[dict[str, Any]] | list[dict[str, Any]], by_path: dict[str, str]) -> dict[str, Any]:
    """The objects by comparison key; `file` is replaced by the key, so only what was judged can differ."""
    result: dict[str, dict[str, Any]] = {}
    for obj in objects:
        key = by_path.get(obj["file"], obj["file"])
        result[key] = {**obj, "file": key}
    return result


def differences(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            found.append(f"{key}: only in the {'after' if old is None else 'before'} output")
            continue
        for name in sorted(old.keys() | new.keys()):
            if old.get(name) != new.get(name):
                found.append(f"{key}: {name}: {changed(old.get(name), new.get(name))}")
    return found


def changed(old: object, new: object) -> str:
    """A value's change; for lists (reasons, missing, references) only the items that went or came."""
    def shown(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    if isinstance(old, list) and isinstance(new, list):
        gone = [shown(item) for item in old if item not in new]
        came = [shown(item) for item in new if item not in old]
        if not gone and not came:
            return f"same items, in another order: {shown(old)} -> {shown(new)}"
        return "; ".join([*(f"- {item}" for item in gone), *(f"+ {item}" for item in came)])
    return f"{shown(old)} -> {shown(new)}"


_GENERATED_ID = re.compile(r"<\d+\.\d+\.\d+@([^>]+)>")  # email.utils.make_msgid(): time, pid, random


def normalised_demo(text: str, data_dir: Path) -> list[str]:
    """The demo's output without what differs between two runs of the same code; generated Message-IDs are
    numbered in order of appearance, so a reply threaded to the wrong one still shows."""
    ids: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return f"<generated-{ids.setdefault(match.group(0), str(len(ids) + 1))}@{match.group(1)}>"

    lines = []
    for line in text.replace(str(data_dir), "<DATA_DIR>").splitlines():
        if line.startswith("Date: "):
            line = "Date: <DATE>"
        lines.append(_GENERATED_ID.sub(number, line))
    return lines


def demo_output(tree: Path, workdir: Path, name: str) -> list[str]:
    data_dir = workdir / f"demo-{name}"
    done = run_tree(tree, ["demo", "--data-dir", str(data_dir)], workdir)
    if done.returncode != 0:
        raise CompareError(f"`mailbot demo` of {tree} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return normalised_demo(done.stdout, data_dir)


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], text=True, capture_output=True, check=True).stdout.strip()


def default_before() -> str:
    for upstream in ("origin/main", "main"):
        try:
            return git("merge-base", "HEAD", upstream)
        except subprocess.CalledProcessError:
            continue
    raise CompareError("no origin/main or main to take the merge base with: pass --before REV")


@contextmanager
def checkout(rev: str, parent: Path) -> Iterator[Path]:
    """REV in a temporary worktree of its own, removed afterwards (the repository's own worktrees untouched)."""
    tree = parent / "before"
    git("worktree", "add", "--detach", "--quiet", str(tree), rev)
    try:
        yield tree
    finally:
        git("worktree", "remove", "--force", str(tree))


def report(title: str, compared: int, found: list[str]) -> None:
    print(f"{title}: {compared} compared, {compared - len({f.split(':')[0] for f in found})} identical, "
          f"{len(found)} difference(s)")
    for line in found:
        print(f"  {line}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--before", help="the revision to compare with (default: the merge base with main)")
    parser.add_argument("--corpus", type=Path, help="default: $MAILBOT_CORPUS_DIR or ../shared/corpus/alaveteli")
    parser.add_argument("--reference", type=Path, help="a stored `mailbot check --json` output to compare too")
    parser.add_argument("--no-demo", action="store_true", help="compare `mailbot check` only")
    args = parser.parse_args(argv)
    corpus = args.corpus or Path(os.environ.get("MAILBOT_CORPUS_DIR") or SHARED / "corpus" / "alaveteli")
    try:
        rev = args.before or default_before()
        mails = inputs(corpus)
        with tempfile.TemporaryDirectory(prefix="mailbot-compare-") as tmp, checkout(rev, Path(tmp)) as old:
            workdir = Path(tmp)
            print(f"before: {git('rev-parse', '--short', rev)} ({old}); after: the tree at {REPO}")
            before, after = judged(old, mails, workdir), judged(REPO, mails, workdir)
            failed = bool(found := differences(before, after))
            report(f"mailbot check --json, {len(mails)} files", len(mails), found)
            if args.reference:
                by_path = {str(mail.path): mail.key for mail in mails}
                lines = args.reference.read_text(encoding="utf-8").splitlines()
                stored = keyed([json.loads(line) for line in lines if line.strip()], by_path)
                mine = {key: after[key] for key in stored if key in after}
                failed |= bool(found := differences(stored, mine))
                report(f"against {args.reference} ({len(stored)} files)", len(stored), found)
            if not args.no_demo:
                old_demo, new_demo = demo_output(old, workdir, "before"), demo_output(REPO, workdir, "after")
                diff = list(difflib.unified_diff(old_demo, new_demo, "demo before", "demo after", lineterm=""))
                failed |= bool(diff)
                print(f"mailbot demo: {len(new_demo)} lines, " + ("identical" if not diff else "differences:"))
                for line in diff:
                    print(f"  {line}")
    except (CompareError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else ""
        print(f"compare_check: {exc}{detail and ': ' + str(detail).strip()}", file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
