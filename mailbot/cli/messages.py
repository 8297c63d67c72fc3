"""`mailbot messages`: every inbound message and its decision — the answer to "why was this mail ignored?"."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from sqlalchemy import select

from mailbot.cli import _database, main, operator
from mailbot.store.accounts import record_action


@main.group()
def messages() -> None:
    """Every inbound message and what was decided about it: why a mail was (or was not) answered."""


@messages.command("list")
@click.option("--unanswered", is_flag=True, help="Only mail the bot did not answer (robots, staff review, "
              "quarantined, failed replies); a person's mail that may be a request shows the due date it would "
              "have.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def messages_list(ctx: click.Context, unanswered: bool, as_json: bool) -> None:
    from mailbot.runners.unanswered import would_be_due
    from mailbot.store.models import InboundMessage, OutboxMessage

    settings, db = _database(ctx)
    policy = settings.clock_policy()
    with db.session() as session:
        rows = session.scalars(select(InboundMessage).where(InboundMessage.mailbox == settings.mailbox.address)
                               .order_by(InboundMessage.received_at, InboundMessage.id)).all()
        records = []
        for row in rows:
            decision = row.decision
            reply = session.scalars(select(OutboxMessage).where(OutboxMessage.inbound_id == row.id)).one_or_none()
            record: dict[str, Any] = {  # one JSON object of the `messages list --json` contract
                "message_id": row.message_id, "received": row.received_date.isoformat(), "status": row.status,
                "kind": decision.kind if decision else None, "action": decision.action if decision else None,
                "case_id": decision.case_id if decision else None,
                "reply": reply.status if reply else None, "error": row.last_error,
                "reasons": list(decision.reasons) if decision else [],
                "regime": decision.regime if decision else None,
            }
            # A person's mail left to staff may be a request: the due date it would have (none for robots).
            due = would_be_due(decision, row.received_date, policy) if decision else None
            record["would_be_due"] = due.isoformat() if due else None
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
                why = record["reasons"][-1 if record["would_be_due"] else 0]
                click.echo(f"    why: {why}")
            if record["would_be_due"]:
                click.echo(f"    if it is a request ({record['regime']}): received {record['received']}, "
                           f"due {record['would_be_due']}")
            if record["error"]:
                click.echo(f"    error: {record['error']}")



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
