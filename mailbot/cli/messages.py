"""`mailbot messages`: every inbound message and its decision — the answer to "why was this mail ignored?"."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import click
from sqlalchemy import select

from mailbot.cli import _database, main, operator
from mailbot.cli.tables import clean, line, widths
from mailbot.judging.values import Action, Kind
from mailbot.store.accounts import record_action


@main.group()
def messages() -> None:
    """Every inbound message and what was decided about it: why a mail was (or was not) answered."""


@messages.command("list")
@click.option("--unanswered", is_flag=True, help="Only mail the bot did not answer (robots, staff review, "
              "quarantined, failed replies); a person's mail that may be a request shows the due date it would "
              "have.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per message.")
@click.pass_context
def messages_list(ctx: click.Context, unanswered: bool, as_json: bool) -> None:
    """Every inbound message: when it came, its status, what the bot decided and whether its reply went.

    (Streamed in batches from one statement that reads columns only, never the raw mail: memory stays the same
    whatever the archive's size.)"""
    from mailbot.clock.deadlines import compute_deadline
    from mailbot.runners.unanswered import could_be_request
    from mailbot.store.models import Case, Decision, InboundMessage, OutboxMessage

    settings, db = _database(ctx)
    policy = settings.clock_policy()
    due_dates: dict[tuple[str, date], date | None] = {}  # the due date depends on regime and receipt alone
    query = (select(InboundMessage.message_id, InboundMessage.received_date, InboundMessage.status,
                    InboundMessage.last_error, Decision.kind, Decision.action, Decision.case_id, Decision.reasons,
                    Decision.regime, OutboxMessage.status, Case.reference)
             .outerjoin(Decision, Decision.inbound_id == InboundMessage.id)
             .outerjoin(OutboxMessage, OutboxMessage.inbound_id == InboundMessage.id)  # at most one: unique key
             .outerjoin(Case, Case.id == Decision.case_id)
             .where(InboundMessage.mailbox == settings.mailbox.address)
             .order_by(InboundMessage.received_at, InboundMessage.id)
             .execution_options(yield_per=2000))
    if not as_json:
        click.echo(line(MESSAGE_HEADERS, MESSAGE_COLUMNS))
    with db.session() as session:
        for batch in session.execute(query).partitions():
            lines: list[str] = []
            for (message_id, received, status, error, kind, action, case_id, reasons, regime, reply,
                 reference) in batch:
                if unanswered and reply in ("queued", "sent"):
                    continue
                record: dict[str, Any] = {  # one JSON object of the `messages list --json` contract
                    "message_id": message_id, "received": received.isoformat(), "status": status,
                    "kind": kind, "action": action, "case_id": case_id, "reply": reply, "error": error,
                    "reasons": list(reasons or []), "regime": regime,
                }
                # A person's mail left to staff may be a request: the due date it would have (none for robots).
                due = None
                if action is not None and could_be_request(action, kind, regime, reference is not None):
                    key = (regime or "", received)
                    if key not in due_dates:
                        due_dates[key] = compute_deadline(key[0], received, policy=policy).due
                    due = due_dates[key]
                record["would_be_due"] = due.isoformat() if due else None
                lines.extend(_lines(record, as_json))
            if lines:
                click.echo("\n".join(lines))


# The listing is streamed (memory stays flat whatever the archive's size), so its columns are as wide as the
# widest value each can hold, known in advance, rather than measured over every row first.
MESSAGE_HEADERS = ("RECEIVED", "STATUS", "KIND", "ACTION", "REPLY", "MESSAGE-ID")
MESSAGE_COLUMNS = widths(MESSAGE_HEADERS, [
    ("2022-01-01", "quarantined", max(Kind, key=len), max(Action, key=len), "sending", "")])


def _lines(record: dict[str, Any], as_json: bool) -> list[str]:
    if as_json:
        return [json.dumps(record, ensure_ascii=False)]
    lines = [line((record["received"], record["status"], record["kind"] or "-", record["action"] or "-",
                   record["reply"] or "-", clean(record["message_id"])), MESSAGE_COLUMNS)]
    if not record["reply"] and record["reasons"]:
        why = record["reasons"][-1 if record["would_be_due"] else 0]
        lines.append(f"    why: {why}")
    if record["would_be_due"]:
        lines.append(f"    if it is a request ({record['regime']}): received {record['received']}, "
                     f"due {record['would_be_due']}")
    if record["error"]:
        lines.append(f"    error: {record['error']}")
    return lines


@main.command("requeue")
@click.argument("message_ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every quarantined message.")
@click.option("--failed", "failed", is_flag=True, help="Replies (and staff mail) the mail server refused for good: "
              "queue them to be sent again, e.g. once a relay's misconfiguration is fixed.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="With --failed: only replies queued on or after this date (YYYY-MM-DD, UTC).")
@click.option("--as", "as_name", help="Who is doing it, for the audit trail (default: your system user name).")
@click.pass_context
def requeue(ctx: click.Context, message_ids: tuple[str, ...], everything: bool, failed: bool,
            since: datetime | None, as_name: str | None) -> None:
    """Put quarantined messages (by Message-ID, or --all) back in the queue for another try; with --failed, the
    replies that failed to send."""
    from mailbot.store.models import InboundMessage

    if failed:
        if message_ids or everything:
            click.echo("mailbot: --failed takes no Message-IDs and no --all (narrow it with --since)", err=True)
            ctx.exit(2)
        _requeue_failed(ctx, since, operator(as_name))
        return
    if since is not None:
        click.echo("mailbot: --since goes with --failed", err=True)
        ctx.exit(2)
    if not message_ids and not everything:
        click.echo("mailbot: name Message-IDs to requeue, or pass --all or --failed", err=True)
        ctx.exit(2)
    settings, db = _database(ctx)
    with db.session() as session:
        query = select(InboundMessage).where(InboundMessage.mailbox == settings.mailbox.address,
                                             InboundMessage.status == "quarantined")
        if not everything:
            query = query.where(InboundMessage.message_id.in_(message_ids))
        rows = session.scalars(query).all()
        for row in rows:
            row.status, row.attempts = "new", 0
            record_action(session, operator(as_name), "requeue", via="cli", inbound_id=row.id,
                          message_id=row.message_id)
            click.echo(f"requeued {row.message_id} (last error: {row.last_error})")
    missing = set(message_ids) - {row.message_id for row in rows}
    for message_id in sorted(missing):
        click.echo(f"mailbot: {message_id} is not a quarantined message", err=True)
    click.echo(f"{len(rows)} message{'s' if len(rows) != 1 else ''} requeued; the next run processes them")
    ctx.exit(1 if missing else 0)


def _requeue_failed(ctx: click.Context, since: datetime | None, actor: str) -> None:
    """Failed outbox rows back to `queued`, due now. Their Message-IDs stay the same, so a copy the relay did take
    after all is still recognised by the Sent folder check, and the one-reply-per-message key still holds."""
    from mailbot.store.models import OutboxMessage

    settings, db = _database(ctx)
    now = datetime.now(UTC)
    with db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.mailbox == settings.mailbox.address,
                                            OutboxMessage.status == "failed")
        if since is not None:
            query = query.where(OutboxMessage.created_at >= since.replace(tzinfo=UTC))
        rows = session.scalars(query.order_by(OutboxMessage.id)).all()
        for row in rows:
            click.echo(f"requeued reply {row.message_id} to the mail server (last error: {row.last_error})")
            row.status, row.attempts, row.next_attempt_at = "queued", 0, now
            record_action(session, actor, "retry_reply", via="cli", case_id=row.case_id, message_id=row.message_id)
    click.echo(f"{len(rows)} failed repl{'ies' if len(rows) != 1 else 'y'} requeued; the next run sends them")
