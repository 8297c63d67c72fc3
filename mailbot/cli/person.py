"""`mailbot person`: what mailbot holds about one requester (for their subject access request), and its erasure."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import click

from mailbot.cli import _database, main, operator
from mailbot.clock.workdays import LONDON


@main.group("person")
def person() -> None:
    """A requester's own data, by their e-mail address."""


@person.command("export")
@click.argument("address")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write the JSON here (default: "
              "standard output). It holds personal data: keep it as the subject access request's file.")
@click.option("--as", "as_name", help="Who is exporting, for the audit trail (default: your system user name).")
@click.pass_context
def person_export(ctx: click.Context, address: str, output: str | None, as_name: str | None) -> None:
    """Everything held about ADDRESS as JSON: its cases and their events, every message and reply in full."""
    from mailbot.store.accounts import record_action
    from mailbot.store.people import export

    settings, db = _database(ctx)
    with db.session() as session:
        found = export(session, settings.mailbox.address, address)
        record_action(session, operator(as_name), "person_export", via="cli", cases=len(found["cases"]),
                      messages=len(found["messages"]), replies=len(found["replies"]))
    text = json.dumps(found, ensure_ascii=False, indent=2)
    if not (found["cases"] or found["messages"] or found["replies"]):
        # A true answer to a subject access request, or a mistyped address: the officer should know which to check.
        click.echo(f"mailbot: nothing is held about {address} in {settings.mailbox.address} (check the address: "
                   "the whole address is matched, in any case)", err=True)
    if output:
        with open(output, "w", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as file:
            file.write(text + "\n")
        click.echo(f"{len(found['cases'])} cases, {len(found['messages'])} messages, {len(found['replies'])} replies "
                   f"written to {output}", err=True)
    else:
        click.echo(text)


@person.command("erase")
@click.argument("address")
@click.option("--yes", is_flag=True, help="Do it without asking (for scripts).")
@click.option("--as", "as_name", help="Who is erasing, for the audit trail (default: your system user name).")
@click.pass_context
def person_erase(ctx: click.Context, address: str, yes: bool, as_name: str | None) -> None:
    """Anonymise everything held about ADDRESS that the law does not require to be kept; say why for the rest.

    The copies on the mail server go at the next daily retention run (or `mailbot retention --dispose`)."""
    from mailbot.store.accounts import record_action
    from mailbot.store.disposal import disposals_since
    from mailbot.store.people import erase

    if not yes:
        click.confirm(f"Anonymise every record of {address} that nothing holds? This cannot be undone", abort=True)
    settings, db = _database(ctx)
    actor = operator(as_name)
    now = datetime.now(UTC)
    with db.session() as session:
        result = erase(session, settings.mailbox.address, address, settings.retention_policy(),
                       now.astimezone(LONDON).date(), now, f"cli:{actor}")
        record_action(session, actor, "person_erase", via="cli", erased=len(result.erased),
                      refused=[label for label, _ in result.refused])
        logged = len(disposals_since(session, settings.mailbox.address, now))
    for label in result.erased:
        click.echo(f"erased: {label}")
    for label, why in result.refused:
        click.echo(f"kept: {label}: {why}")
    click.echo(f"{len(result.erased)} erased, {len(result.refused)} kept under a hold; {logged} entries in the "
               "disposal log")
    if result.refused:
        ctx.exit(3)


__all__ = ["person"]
