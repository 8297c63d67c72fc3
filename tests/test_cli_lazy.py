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


def test_help_lists_every_command_without_importing_any() -> None:
    probe = ("import sys; from click.testing import CliRunner; from mailbot.cli import main; "
             "out = CliRunner().invoke(main, ['--help']).output; "
             "print(sorted(m for m in sys.modules if m.startswith('mailbot.') and m not in ('mailbot.cli.logs', 'mailbot.cli.summaries')), "
             "sorted(m for m in ('sqlalchemy', 'pydantic', 'alembic', 'apscheduler') if m in sys.modules)); "
             "print(out)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.startswith("['mailbot.cli'] []"), out.splitlines()[0]
    for name in LAZY_COMMANDS:
        assert f"  {name} " in out, f"`mailbot --help` does not list {name}"


def test_the_help_without_imports_says_what_each_command_says_of_itself() -> None:
    """`--help` reads the summaries from the source; they must be what click gives once the command is loaded."""
    from mailbot.cli.summaries import summaries

    read = summaries(set(LAZY_COMMANDS.values()))
    assert set(LAZY_COMMANDS) <= set(read)
    ctx = click.Context(main)
    for name in LAZY_COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None, name
        assert click.Command(name, help=read[name]).get_short_help_str(80) == command.get_short_help_str(80), name


def test_every_command_and_subcommand_has_a_description() -> None:
    def walk(command: click.Command, path: str) -> list[str]:
        missing = [] if (command.help or command.short_help) else [path]
        if isinstance(command, click.Group):
            for name in command.list_commands(click.Context(command)):
                sub = command.get_command(click.Context(command), name)
                assert sub is not None
                missing += walk(sub, f"{path} {name}")
        return missing

    ctx = click.Context(main)
    missing = [p for name in main.list_commands(ctx) for p in walk(main.get_command(ctx, name), name)]  # type: ignore[arg-type]
    assert missing == []
