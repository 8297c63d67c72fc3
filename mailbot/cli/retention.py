"""`mailbot retention`: what the retention schedule would dispose of and why, legal holds, and the disposal log."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from mailbot.cli import EXIT_CONFIG, _database, main, operator
from mailbot.clock.workdays import LONDON

if TYPE_CHECKING:
    from mailbot.mailserver.imap import Credential

COLUMNS = ("record", "label", "regime", "rule", "due", "status", "removes")


@main.group("retention", invoke_without_command=True)
@click.option("--dry-run", is_flag=True, help="List what would go today and why, and what is held (the default).")
@click.option("--within", "within", type=click.IntRange(0, 3650), default=0, metavar="DAYS",
              help="Also list what becomes due in the next DAYS days.")
@click.option("--csv", "as_csv", is_flag=True, help="The list as CSV (one row per record) on standard output.")
@click.option("--dispose", is_flag=True, help="Dispose of what is due now, and remove its copies on the mail "
              "server (an admin's run: no first-run wait; holds always apply).")
@click.option("--as", "as_name", help="Who is disposing, for the disposal log (default: your system user name).")
@click.pass_context
def retention(ctx: click.Context, dry_run: bool, within: int, as_csv: bool, dispose: bool,
              as_name: str | None) -> None:
    """The retention schedule: what would be disposed of and why (holds included), or dispose now."""
    if ctx.invoked_subcommand is not None:
        return
    if dry_run and dispose:
        raise click.UsageError("give --dry-run or --dispose, not both")
    from mailbot.runners.retention import Retention

    settings, db = _database(ctx)
    runner = Retention(settings, db, instance=f"cli:{operator(as_name)}")
    now = datetime.now(UTC)
    if dispose:
        _dispose(ctx, runner, now)
        return
    today = now.astimezone(LONDON).date()
    items = runner.plan(today, within)
    rows = [{"record": i.record, "label": i.label, "regime": i.regime or "", "rule": i.verdict.rule,
             "due": i.verdict.due.isoformat() if i.verdict.due else "",
             "status": ("held: " + "; ".join(i.verdict.holds)) if i.verdict.holds else
             ("would go today" if i.verdict.disposable(today) else "due later"),
             "removes": i.removes} for i in items]
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    for row in rows:
        click.echo(f"{row['label']:<16} {row['rule']:<16} due {row['due'] or '—':<10}  {row['status']}")
    going = sum(1 for i in items if i.verdict.disposable(today))
    held = sum(1 for i in items if i.verdict.holds)
    legal = _legal_holds(db, settings.mailbox.address)
    click.echo(f"{going} record{'s' if going != 1 else ''} would go today, {held} held"
               + (f", {len(items) - going - held} due in the next {within} days" if within else "")
               + (f"; {legal} case{'s' if legal != 1 else ''} under a legal hold (nothing of "
                  f"{'them' if legal != 1 else 'it'} goes until released)" if legal else "")
               + ("" if settings.retention.dispose else " (retention.dispose is false: nothing goes by itself)"))


def _legal_holds(db: Any, mailbox: str) -> int:
    """Cases an admin has put under a legal hold, due or not: an officer who has just set one sees it counted."""
    from sqlalchemy import func, select

    from mailbot.store.models import Case

    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Case).where(
            Case.mailbox == mailbox, Case.hold_reason.is_not(None))) or 0)


def _dispose(ctx: click.Context, runner: object, now: datetime) -> None:
    from mailbot.config import ConfigError
    from mailbot.mailserver.imap import ImapConnection
    from mailbot.runners.retention import Retention

    assert isinstance(runner, Retention)
    settings = runner.settings
    try:
        password = imap_credential(settings)
    except ConfigError as exc:
        click.echo(f"mailbot: {'; '.join(str(exc).splitlines())}: the server copies cannot be removed; nothing "
                   "disposed", err=True)
        ctx.exit(EXIT_CONFIG)
    if password is None:
        click.echo("mailbot: the IMAP password is not set (MAILBOT_IMAP_PASSWORD or its _FILE): the server copies "
                   "cannot be removed; nothing disposed", err=True)
        ctx.exit(EXIT_CONFIG)
    try:
        outcome = runner.run(now, lambda: ImapConnection(settings.imap, settings.imap_username, password),
                             announced=False)
    except ConfigError as exc:
        click.echo(f"mailbot: configuration error: {exc}", err=True)
        ctx.exit(EXIT_CONFIG)
    gone = ", ".join(f"{n} {kind}" for kind, n in sorted(outcome.disposed.items())) or "nothing"
    click.echo(f"disposed of {gone}; {outcome.held} held; server copies removed for {outcome.server_copies}")


def imap_credential(settings: Any) -> Credential | None:
    """The IMAP login as the bot makes it: an OAuth mailbox's token source (ConfigError when its settings or
    credential are missing), otherwise the password (None when not set)."""
    from mailbot.mailserver.oauth import token_source

    if settings.imap.auth == "oauth2":
        return token_source(settings)
    password: Credential | None = settings.secret("imap_password")
    return password


def _hold(ctx: click.Context, ref: str, reason: str | None, as_name: str | None) -> None:
    from mailbot.store.accounts import record_action
    from mailbot.store.queries import find_case_by_reference

    settings, db = _database(ctx)
    actor = operator(as_name)
    with db.session() as session:
        case = find_case_by_reference(session, settings.mailbox.address, ref)
        if case is None:
            click.echo(f"mailbot: no request {ref}", err=True)
            ctx.exit(1)
        if case.anonymised_at is not None and reason:
            click.echo(f"mailbot: {ref} was anonymised on {case.anonymised_at:%Y-%m-%d}; there is nothing left to "
                       "hold", err=True)
            ctx.exit(1)
        case.hold_reason = reason
        record_action(session, actor, "legal_hold" if reason else "legal_hold_released", via="cli",
                      case_id=case.id, reason=reason)
    click.echo(f"{ref}: " + (f"held ({reason}): nothing of it is disposed of until released" if reason
                             else "legal hold released: the retention schedule applies again"))


@retention.command("hold")
@click.argument("ref")
@click.option("--reason", required=True, help="Why it is held (e.g. 'litigation: claim 123'); shown with the case.")
@click.option("--as", "as_name", help="Who is setting it, for the audit trail (default: your system user name).")
@click.pass_context
def retention_hold(ctx: click.Context, ref: str, reason: str, as_name: str | None) -> None:
    """Set a legal hold on REF: nothing of it is disposed of (nor erased) until it is released."""
    if not reason.strip():
        raise click.UsageError("give the reason for the hold")
    _hold(ctx, ref, reason.strip()[:500], as_name)


@retention.command("release")
@click.argument("ref")
@click.option("--as", "as_name", help="Who is releasing it, for the audit trail (default: your system user name).")
@click.pass_context
def retention_release(ctx: click.Context, ref: str, as_name: str | None) -> None:
    """Release the legal hold on REF."""
    _hold(ctx, ref, None, as_name)


@retention.command("log")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="From this day (default: everything).")
@click.option("--csv", "as_csv", is_flag=True, help="The log as CSV on standard output.")
@click.pass_context
def retention_log(ctx: click.Context, since: datetime | None, as_csv: bool) -> None:
    """The disposal log: what kind of record went, under which rule, when, by which instance (no personal data)."""
    from mailbot.store.disposal import disposals_since

    settings, db = _database(ctx)
    start = since.replace(tzinfo=LONDON) if since else datetime(1970, 1, 1, tzinfo=UTC)
    with db.session() as session:
        rows = [{"at": r.at.isoformat(timespec="seconds"), "record": r.record, "rule": r.rule,
                 "record_id": r.record_id or "", "reference": r.reference or "", "instance": r.instance,
                 "detail": r.detail} for r in disposals_since(session, settings.mailbox.address, start)]
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=["at", "record", "rule", "record_id", "reference", "instance",
                                                        "detail"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    if not rows:
        click.echo("nothing disposed of" + (f" since {since:%Y-%m-%d}" if since else " yet"))
    for row in rows:
        click.echo(f"{row['at']}  {row['record']:<11} {row['rule']:<15} {row['reference'] or row['record_id']}  "
                   f"by {row['instance']}")


__all__ = ["retention"]
