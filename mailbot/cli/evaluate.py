"""`mailbot evaluate`: where the current judge disagrees with what staff decided about the mail it left them."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from mailbot.cli import _database, main


@main.command("evaluate")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per triaged message.")
@click.pass_context
def evaluate(ctx: click.Context, as_json: bool) -> None:
    """Replay the judge over every message staff triaged; print the disagreements and the agreement rate.
    Exit status 1 if the judge disagrees with staff anywhere."""
    from mailbot.runners.evaluate import replay

    settings, db = _database(ctx)
    replays = list(replay(db, settings))
    disagreements = [r for r in replays if not r.agrees]
    if as_json:
        for r in replays:
            click.echo(json.dumps({**asdict(r), "agrees": r.agrees}, ensure_ascii=False))
    else:
        for r in disagreements:
            click.echo(f"{r.message_id}: staff ({r.staff}) said {r.verdict.replace('_', ' ')}; "
                       f"the judge says {r.judge_kind} → {r.judge_action}: {r.reason}")
        agreed = len(replays) - len(disagreements)
        click.echo(f"{agreed} of {len(replays)} staff verdicts agree with the current judge"
                   + (f" ({100 * agreed / len(replays):.0f}%)" if replays else ""))
    ctx.exit(1 if disagreements else 0)
