"""`mailbot requests remind|release`: a held request's actions at the command line, as on its web page
(runners/held.py). Closing one is `mailbot requests record '#ID' closed`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from mailbot.cli import _database, operator
from mailbot.cli.requests import _DATE, _find, requests, today_in_london

if TYPE_CHECKING:
    from mailbot.config import Settings
    from mailbot.runners.held import HeldRequests
    from mailbot.store.db import Database


def _held_requests(ctx: click.Context) -> tuple[Settings, Database, HeldRequests]:
    from mailbot.replies.templates import Templates
    from mailbot.runners.held import HeldRequests

    settings, db = _database(ctx)
    return settings, db, HeldRequests(settings, Templates.from_settings(settings), via="cli")


@requests.command("remind")
@click.argument("ref")
@click.option("--as", "as_name", help="Who is sending it, for the audit trail (default: your system user name).")
@click.pass_context
def requests_remind(ctx: click.Context, ref: str, as_name: str | None) -> None:
    """Send a held request's Section 8 notice again (REF is #ID; at most once a day)."""
    from mailbot.runners.held import HeldError

    settings, db, held = _held_requests(ctx)
    try:
        with db.session() as session:
            case = _find(ctx, session, settings.mailbox.address, ref)
            done = held.remind(session, case.id, actor=operator(as_name), now=datetime.now(UTC))
    except HeldError as exc:
        click.echo(f"mailbot: {exc}", err=True)
        ctx.exit(1)
    click.echo(f"{ref}: the Section 8 notice is queued again ({done.reply_message_id})")


@requests.command("release")
@click.argument("ref")
@click.option("--name", default="", help="The requester's full name, if it arrived another way.")
@click.option("--date", "on", type=_DATE, help="When the complete request was received (default: today).")
@click.option("--acknowledge/--no-acknowledge", default=True, show_default=True,
              help="Send the acknowledgement with the reference and due date.")
@click.option("--as", "as_name", help="Who is releasing it, for the audit trail (default: your system user name).")
@click.pass_context
def requests_release(ctx: click.Context, ref: str, name: str, on: datetime | None, acknowledge: bool,
                     as_name: str | None) -> None:
    """Release a held request (REF is #ID): complete after all, it gets its reference and its clock now."""
    from mailbot.runners.held import HeldError

    settings, db, held = _held_requests(ctx)
    day = on.date() if on else today_in_london()
    try:
        with db.session() as session:
            case = _find(ctx, session, settings.mailbox.address, ref)
            done = held.release(session, case.id, on=day, applicant_name=name,
                                acknowledge=acknowledge, actor=operator(as_name), now=datetime.now(UTC))
            due = case.due
    except HeldError as exc:
        click.echo(f"mailbot: {exc}", err=True)
        ctx.exit(1)
    click.echo(f"{ref} is now {done.reference}, due {due}" + ("; acknowledgement queued" if done.reply_message_id
                                                                else ""))


__all__ = ["requests_release", "requests_remind"]
