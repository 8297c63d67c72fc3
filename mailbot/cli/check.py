"""`mailbot check`: judge .eml files (or standard input) without a mailbox or database."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from mailbot.cli import _settings, fail, main

if TYPE_CHECKING:
    from mailbot.config import Settings
    from mailbot.judging.decision import Decision
    from mailbot.judging.settings import JudgeSettings


def check_settings(settings: Settings, mailbox: str | None) -> JudgeSettings:
    """The judge's settings for `check`: the configured mailbox's, or those of the address given with --mailbox."""
    from dataclasses import replace

    judge_settings = settings.judge_settings()
    if mailbox:
        # The own domains as configured, else (the default) the given mailbox's domain, not the configured one's.
        judge_settings = replace(judge_settings, mailbox=mailbox, loop_token=f"mailbot {mailbox}",
                                 own_domains=settings.mailbox.own_domains)
    return judge_settings


def check_record(path: str, decision: Decision) -> dict[str, Any]:
    """One line of `check --json`: a contract for scripts, and what the labelled corpus (tests/) is checked against."""
    return {
        "file": path, "kind": decision.kind, "regime": decision.regime,
        "applicant_name": decision.applicant_name, "address": decision.address,
        "valid": decision.valid if decision.kind in ("request", "follow_up") else None,
        "missing": list(decision.missing), "references": list(decision.references),
        "action": decision.action, "reasons": list(decision.reasons),
    }


def _read(ctx: click.Context, path: str) -> bytes:
    """The raw message: `-` is standard input (a mail client's pipe, `mailbot check - < msg.eml`)."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        fail(ctx, f"{path}: {exc.strerror or exc}", 2)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per file.")
@click.option("--mailbox", help="The address the bot answers from (mail from it is a loop).")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE...")
@click.pass_context
def check(ctx: click.Context, as_json: bool, mailbox: str | None, files: tuple[str, ...]) -> None:
    """Judge .eml files without a mailbox or database and say what the bot would do.

    FILE is a message as the mail server stores it (RFC 5322); `-` reads one from standard input.
    """
    judge_settings = check_settings(_settings(ctx), mailbox)
    raws = [(path, _read(ctx, path)) for path in files]  # every file readable before any verdict is printed

    from mailbot.judging.judge import judge
    from mailbot.mail.parse import parse_message

    for path, raw in raws:
        decision = judge(parse_message(raw), None, judge_settings)
        record = check_record(path, decision)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{path}: {decision.kind} → {decision.action}"
                       + (f" ({decision.regime})" if decision.regime else "")
                       + (f"; missing {', '.join(decision.missing)}" if decision.missing else ""))
            for reason in decision.reasons:
                click.echo(f"    - {reason}")
