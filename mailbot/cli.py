"""The command line. Its commands and JSON fields are a contract: scripts outside the project rely on them."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mailbot.config import ConfigError, Settings, load_settings, require_for_run

EXIT_CONFIG = 2


def setup_logging(level: str) -> None:
    # Messages are named by Message-ID and enquiry reference only; no module logs bodies or addresses at INFO.
    logging.basicConfig(level=getattr(logging, level), format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("imapclient").setLevel(logging.WARNING)


def _settings(ctx: click.Context) -> Settings:
    path = ctx.obj.get("config_path")
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        click.echo(f"mailbot: configuration error: {exc}", err=True)
        ctx.exit(EXIT_CONFIG)
    return settings


@click.group()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="MAILBOT_CONFIG",
              help="TOML settings file (default: embedded defaults). Also MAILBOT_CONFIG.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """mailbot answers a UK public authority's FOI mailbox: lawful, threaded, on time."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


@main.command()
@click.option("--once", is_flag=True, help="Run one poll-judge-reply-send cycle and exit.")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Poll the mailbox on a schedule, judge each message, reply, and send the outbox."""
    from mailbot.service import Bot

    settings = _settings(ctx)
    setup_logging(settings.log_level)
    if ctx.obj.get("config_path") is None:
        click.echo("mailbot: configuration error: no configuration file; pass --config or set MAILBOT_CONFIG "
                   "(every key is documented in config/mailbot.example.toml)", err=True)
        ctx.exit(EXIT_CONFIG)
    try:
        require_for_run(settings)
        bot = Bot(settings)
    except ConfigError as exc:
        click.echo(f"mailbot: configuration error: {exc}", err=True)
        ctx.exit(EXIT_CONFIG)
    except OperationalError as exc:
        click.echo(f"mailbot: database unavailable: {str(exc.orig).strip().splitlines()[0]}", err=True)
        ctx.exit(1)
    if once:
        stats = bot.cycle()
        bot.db.dispose()
        ctx.exit(1 if stats.imap_error else 0)
    bot.run_forever()


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per file.")
@click.option("--mailbox", help="The address the bot answers from (mail from it is a loop).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def check(ctx: click.Context, as_json: bool, mailbox: str | None, files: tuple[str, ...]) -> None:
    """Judge .eml files without a mailbox or database and say what the bot would do."""
    from dataclasses import replace

    from mailbot.judge import judge
    from mailbot.parse import parse_message

    settings = _settings(ctx)
    judge_settings = settings.judge_settings()
    if mailbox:
        judge_settings = replace(judge_settings, mailbox=mailbox, loop_token=f"mailbot {mailbox}")
    for path in files:
        decision = judge(parse_message(Path(path).read_bytes()), None, judge_settings)
        record = {
            "file": path, "kind": decision.kind, "regime": decision.regime,
            "applicant_name": decision.applicant_name, "address": decision.address,
            "valid": decision.valid if decision.kind in ("request", "follow_up") else None,
            "missing": list(decision.missing), "references": list(decision.references),
            "action": decision.action, "reasons": list(decision.reasons),
        }
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{path}: {decision.kind} → {decision.action}"
                       + (f" ({decision.regime})" if decision.regime else "")
                       + (f"; missing {', '.join(decision.missing)}" if decision.missing else ""))
            for reason in decision.reasons:
                click.echo(f"    - {reason}")


@main.command()
@click.argument("received", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--regime", type=click.Choice(["foi", "eir", "sar", "internal_review"]), default="foi",
              show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def deadline(ctx: click.Context, received: object, regime: str, as_json: bool) -> None:
    """The due date of a request received on RECEIVED (YYYY-MM-DD)."""
    from mailbot.actions import statutory_due

    settings = _settings(ctx)
    day: date = received.date()  # type: ignore[attr-defined]
    due = statutory_due(settings, regime, day)
    if as_json:
        click.echo(json.dumps({"regime": regime, "received": day.isoformat(), "due": due.due.isoformat(),
                               "why": due.why, "calendar": due.calendar}))
    else:
        click.echo(f"{due.due:%A} {due.due.day} {due.due:%B %Y}  ({due.why})")


@main.group()
def requests() -> None:
    """Stored requests and enquiries."""


def _database(ctx: click.Context):  # type: ignore[no-untyped-def]
    from mailbot.store.db import Database

    settings = _settings(ctx)
    try:
        return settings, Database(settings.database_url)
    except OperationalError as exc:
        click.echo(f"mailbot: database unavailable: {str(exc.orig).strip().splitlines()[0]}", err=True)
        ctx.exit(1)


@requests.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def requests_list(ctx: click.Context, as_json: bool) -> None:
    """Every request: reference (or #id while held), status, regime, received and due dates."""
    from mailbot.store.queries import cases_for_listing

    settings, db = _database(ctx)
    with db.session() as session:
        cases = cases_for_listing(session, settings.mailbox.address)
        rows = [{
            "reference": c.reference, "id": c.id, "status": c.status, "regime": c.regime,
            "applicant_name": c.applicant_name, "missing": list(c.missing or []),
            "first_received": c.first_received.isoformat(),
            "received": c.received.isoformat() if c.received else None,
            "due": c.due.isoformat() if c.due else None, "subject": c.subject,
        } for c in cases]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo(f"{'REFERENCE':<14} {'STATUS':<9} {'REGIME':<16} {'RECEIVED':<10} {'DUE':<10}  SUBJECT")
    for row in rows:
        label = row["reference"] or f"#{row['id']}"
        status = row["status"] + (f" ({', '.join(row['missing'])})" if row["missing"] else "")
        click.echo(f"{label:<14} {status:<9} {row['regime']:<16} {row['received'] or '-':<10} "
                   f"{row['due'] or '-':<10}  {row['subject'][:60]}")


@requests.command("show")
@click.argument("ref")
@click.pass_context
def requests_show(ctx: click.Context, ref: str) -> None:
    """One request or enquiry (by reference, or #id while held), with every decision and its reasons."""
    from mailbot.store.models import Case, InboundMessage, OutboxMessage
    from mailbot.store.queries import find_case_by_reference

    settings, db = _database(ctx)
    with db.session() as session:
        case = (session.get(Case, int(ref[1:])) if ref.startswith("#") and ref[1:].isdigit()
                else find_case_by_reference(session, settings.mailbox.address, ref))
        if case is None:
            click.echo(f"mailbot: no request {ref}", err=True)
            ctx.exit(1)
        click.echo(f"{case.reference or '#' + str(case.id)}  {case.status}  {case.regime}")
        click.echo(f"  applicant:      {case.applicant_name or '-'}")
        click.echo(f"  subject:        {case.subject}")
        click.echo(f"  first received: {case.first_received}")
        click.echo(f"  received:       {case.received or '- (held: ' + ', '.join(case.missing or []) + ' missing)'}")
        if case.due:
            click.echo(f"  due:            {case.due}  — {case.due_why}")
            click.echo(f"  calendar:       {case.calendar}")
        for review in case.reviews:
            click.echo(f"  internal review received {review.received}, due {review.due} — {review.due_why}")
        click.echo("  decisions:")
        for decision in case.decisions:
            inbound = session.get(InboundMessage, decision.inbound_id)
            click.echo(f"    {inbound.received_date if inbound else ''} {inbound.message_id if inbound else ''}: "
                       f"{decision.kind} → {decision.action}")
            for reason in decision.reasons:
                click.echo(f"        - {reason}")
        replies = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                                  .order_by(OutboxMessage.id)).all()
        click.echo("  replies:")
        for reply in replies:
            click.echo(f"    {reply.template}: {reply.status} {reply.message_id}"
                       + (f" ({reply.last_error})" if reply.last_error else ""))


@main.group()
def messages() -> None:
    """Every inbound message and what was decided about it: why a mail was (or was not) answered."""


@messages.command("list")
@click.option("--unanswered", is_flag=True, help="Only mail the bot did not answer (robots, staff review, "
              "quarantined, failed replies).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def messages_list(ctx: click.Context, unanswered: bool, as_json: bool) -> None:
    from mailbot.store.models import InboundMessage, OutboxMessage

    settings, db = _database(ctx)
    with db.session() as session:
        rows = session.scalars(select(InboundMessage).where(InboundMessage.mailbox == settings.mailbox.address)
                               .order_by(InboundMessage.received_at, InboundMessage.id)).all()
        records = []
        for row in rows:
            decision = row.decision
            reply = session.scalars(select(OutboxMessage).where(OutboxMessage.inbound_id == row.id)).one_or_none()
            record = {
                "message_id": row.message_id, "received": row.received_date.isoformat(), "status": row.status,
                "kind": decision.kind if decision else None, "action": decision.action if decision else None,
                "case_id": decision.case_id if decision else None,
                "reply": reply.status if reply else None, "error": row.last_error,
                "reasons": list(decision.reasons) if decision else [],
            }
            answered = record["reply"] in ("queued", "sent")
            if unanswered and answered:
                continue
            records.append(record)
    for record in records:
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{record['received']} {record['status']:<11} {record['kind'] or '-':<10} "
                       f"{record['action'] or '-':<22} reply:{record['reply'] or '-':<7} {record['message_id']}")
            if not record["reply"] and record["reasons"]:
                click.echo(f"    why: {record['reasons'][0]}")
            if record["error"]:
                click.echo(f"    error: {record['error']}")


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply every Alembic migration (also done at every start)."""
    settings, database = _database(ctx)
    database.dispose()
    click.echo(f"database at head: {database.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.option("--serve", is_flag=True, help="Keep the servers and the bot running; print how to connect.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the demo database goes (default: a fresh temporary directory).")
def demo(serve: bool, data_dir: str | None) -> None:
    """Play the seed exchange through embedded IMAP and SMTP servers and the real bot."""
    from mailbot.demo import run_demo

    setup_logging(os.environ.get("MAILBOT_LOG_LEVEL", "WARNING"))
    sys.exit(run_demo(serve=serve, data_dir=data_dir))


if __name__ == "__main__":
    main()
