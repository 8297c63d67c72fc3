"""`mailbot rules`: every judging rule with its description, whether it is switched on, and the chain."""

from __future__ import annotations

import click

from mailbot.cli import _settings, main
from mailbot.judging.chain import CHAIN
from mailbot.judging.rules import RULES


@main.command("rules")
@click.pass_context
def rules_command(ctx: click.Context) -> None:
    """List the rules (in order) and the chain that turns their hits into an action."""
    disabled = set(_settings(ctx).rules.disabled)
    click.echo("RULES")
    for rule in RULES:
        state = "off" if rule.NAME in disabled else "on "
        click.echo(f"  {state} {rule.NAME:<22} {rule.DESCRIPTION}")
    click.echo("CHAIN (the first link that matches decides)")
    for link in CHAIN:
        conditions = []
        if link.any_of:
            conditions.append("any of " + ", ".join(sorted(link.any_of)))
        if link.all_of:
            conditions.append("all of " + ", ".join(sorted(link.all_of)))
        if link.none_of:
            conditions.append("none of " + ", ".join(sorted(link.none_of)))
        click.echo(f"  {link.name:<28} → {link.kind}/{link.action}  when {'; '.join(conditions) or 'always'}")
