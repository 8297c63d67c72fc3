"""`mailbot rules`: every judging rule with its description, whether it is switched on, and the chain."""

from __future__ import annotations

import click

from mailbot.cli import _settings, main
from mailbot.cli.tables import table
from mailbot.judging.chain import CHAIN
from mailbot.judging.rules import RULES


@main.command("rules")
@click.pass_context
def rules_command(ctx: click.Context) -> None:
    """List the rules (in order) and the chain that turns their hits into an action."""
    disabled = set(_settings(ctx).rules.disabled)
    click.echo("RULES (each reports whether it hits and why)")
    for row in table(("STATE", "RULE", "DESCRIPTION"),
                     [("off" if rule.NAME in disabled else "on", rule.NAME, rule.DESCRIPTION) for rule in RULES]):
        click.echo(f"  {row}")
    click.echo("")
    click.echo("CHAIN (the first link that matches decides)")
    rows = []
    for link in CHAIN:
        conditions = []
        if link.any_of:
            conditions.append("any of " + ", ".join(sorted(link.any_of)))
        if link.all_of:
            conditions.append("all of " + ", ".join(sorted(link.all_of)))
        if link.none_of:
            conditions.append("none of " + ", ".join(sorted(link.none_of)))
        rows.append((link.name, f"{link.kind}/{link.action}", "; ".join(conditions) or "always"))
    for row in table(("LINK", "OUTCOME", "WHEN"), rows):
        click.echo(f"  {row}")
