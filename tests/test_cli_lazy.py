"""`mailbot` imports a command's modules only when it is used (mailbot/cli LazyGroup): every command that `--help`
lists must still be found by name in a fresh interpreter, and asking for one must not import the others."""

from __future__ import annotations

import subprocess
import sys

import click

from mailbot.cli import LAZY_COMMANDS, main

PROBE = """
import sys, click
from mailbot.cli import main
ctx = click.Context(main)
name = sys.argv[1]
found = main.get_command(ctx, name)
print(found is not None, sorted(m for m in sys.modules if m.startswith("mailbot.cli.")))
"""


def test_every_listed_command_is_found_by_name_alone() -> None:
    names = main.list_commands(click.Context(main))
    assert {"requests", "messages", "digest", "users", "requeue"} <= set(names)
    for name in names:
        out = subprocess.run([sys.executable, "-c", PROBE, name], capture_output=True, text=True, check=True).stdout
        assert out.startswith("True"), f"`mailbot {name}` is listed but not found without listing: {out}"


def test_asking_for_one_command_imports_only_its_module() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, "requests"], capture_output=True, text=True,
                         check=True).stdout
    assert "'mailbot.cli.requests'" in out
    assert "'mailbot.cli.digest'" not in out and "'mailbot.cli.templates'" not in out
    assert LAZY_COMMANDS["requests"] == "requests"
