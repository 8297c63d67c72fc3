"""What `mailbot --help` says of each command, read from the command modules' source without importing them:
importing them all cost over a second, where reading them costs a few milliseconds; and the help cannot drift from
the code (tests/test_cli_lazy.py compares both for every command)."""

from __future__ import annotations

import re
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# `@main.command("name")`, `@main.group()`: the registration, then (after other decorators) the function and its
# docstring's first paragraph.
_REGISTRATION = re.compile(r'^@main\.(?:command|group)\((?:"([^"]*)")?', re.MULTILINE)
_FUNCTION = re.compile(r'^def (\w+)\(', re.MULTILINE)
_DOCSTRING = re.compile(r'\)\s*->\s*[^:]+:\s*"""(.*?)(?:\n\s*\n|""")', re.DOTALL)


def module_summaries(module: str) -> dict[str, str]:
    """Each command `mailbot.cli.<module>` registers on `main`, with the first paragraph of its docstring."""
    source = (_HERE / f"{module}.py").read_text(encoding="utf-8")
    found = {}
    for registration in _REGISTRATION.finditer(source):
        function = _FUNCTION.search(source, registration.end())
        if function is None:
            continue
        docstring = _DOCSTRING.search(source, function.end())
        text = docstring.group(1) if docstring else ""
        found[registration.group(1) or function.group(1).replace("_", "-")] = " ".join(text.split())
    return found


def summaries(modules: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for module in sorted(modules):
        found.update(module_summaries(module))
    return found
