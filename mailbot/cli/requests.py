"""`mailbot requests`: what staff see of stored requests and enquiries, and the casework they record on them."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import click
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from mailbot.cli import _database, main, operator
from mailbot.cli.tables import clean, table, truncate
from mailbot.clock.deadlines import EVENT_KINDS, staff_state
from mailbot.clock.workdays import LONDON
from mailbot.store.accounts import record_action
from mailbot.store.casework import (
    CaseworkError,
    case_deadline,
    record_event,
    refresh_case,
    refresh_review,
    review_deadline,
)
from mailbot.store.models import Case, ClockEventRow, InboundMessage, OutboxMessage, Review
from mailbot.store.outcomes import OUTCOMES, REVIEW_OUTCOMES, OutcomeError, check_outcome, exemptions_from
from mailbot.store.queries import cases_for_listing, find_case_by_reference
from mailbot.store.standings import Standings, read_standings

SUBJECT_COLUMNS = 60  # the last column; a longer subject is cut with an ellipsis (`requests show` has it whole)


def today_in_london() -> date:
    return datetime.now(LONDON).date()


@main.group()
def requests() -> None:
    """Stored requests and enquiries."""


def _find(ctx: click.Context, session: Session, mailbox: str, ref: str) -> Case:
    """REF as staff type it: the reference as issued (13931/2022), `#id` while held, or the number alone (13931),
    which means this year's enquiry of that number, or the only one there is."""
    if ref.startswith("#") and ref[1:].isdigit():
        case = session.get(Case, int(ref[1:]))
    else:
        case = find_case_by_reference(session, mailbox, ref) or _by_number(ctx, session, mailbox, ref)
    if case is None:
        click.echo(f"mailbot: no request {ref}", err=True)
        ctx.exit(1)
    return case


_NUMBER = re.compile(r"^(?P<seq>\d{1,9})(?:\s*[/-]\s*(?P<year>\d{4}|\d{2}))?$")


def _by_number(ctx: click.Context, session: Session, mailbox: str, ref: str) -> Case | None:
    """13931 or 13931-22: by the reference's number (and year, if given) whatever the configured format."""
    match = _NUMBER.match(ref.strip())
    if match is None:
        return None
    query = select(Case).where(Case.mailbox == mailbox, Case.reference_seq == int(match["seq"]))
    if match["year"]:
        query = query.where(Case.reference_year == (int(match["year"]) % 100 + 2000 if len(match["year"]) == 2
                                                    else int(match["year"])))
    found = session.scalars(query.order_by(Case.reference_year)).all()
    if len(found) > 1:
        this_year = [case for case in found if case.reference_year == today_in_london().year]
        if len(this_year) == 1:
            return this_year[0]
        click.echo(f"mailbot: {ref} could be any of {', '.join(str(c.reference) for c in found)}: give the year",
                   err=True)
        ctx.exit(1)
    return found[0] if found else None


_CASES = Case.__table__.c  # Core columns: plain rows, without the ORM's per-row loading
# `missing` cast to text in SQL: decoded only where it is not the empty list (held requests), not 50,000 times
# (psycopg would otherwise parse every JSON value).
LISTED = (_CASES.id, _CASES.reference, _CASES.status, _CASES.regime, _CASES.applicant_name,
          cast(_CASES.missing, Text).label("missing"),
          _CASES.first_received, _CASES.received, _CASES.due, _CASES.due_why, _CASES.calendar, _CASES.subject)


def _row(case: Any, standings: Standings, policy: Any, today: date) -> dict[str, Any]:
    """One line of the listing from the case's stored dates (`standings` reads events only where those cannot
    say where it stands): what `case_deadline` would give, without a query per case."""
    case_id, reference, status, regime, applicant, missing, first_received, *_, subject = case  # one unpacking
    missing = [] if missing == "[]" else json.loads(missing) if isinstance(missing, str) else list(missing or [])
    if reference is None:
        received = due = None
        label, text = "held", "held: " + ", ".join(missing) + " missing"
    else:
        received, due, state = standings.standing(case, policy, today)
        label, text = state.label, state.text
    return {
        "reference": reference, "id": case_id, "status": status, "regime": regime, "applicant_name": applicant,
        "missing": missing, "first_received": first_received.isoformat(),
        "received": received.isoformat() if received else None, "due": due.isoformat() if due else None,
        "state": label, "state_text": text, "subject": subject,
    }


@requests.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per request.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Judge states as of this date.")
@click.pass_context
def requests_list(ctx: click.Context, as_json: bool, today: datetime | None) -> None:
    """Every request: reference (or #id while held), status, dates, and where it stands against its due date."""
    settings, db = _database(ctx)
    policy, day = settings.clock_policy(), today.date() if today else today_in_london()
    mailbox = settings.mailbox.address
    with db.session() as session:
        scope = [_CASES.mailbox == mailbox] if mailbox else []
        standings = read_standings(session, scope, policy)
        cases = session.execute(select(*LISTED).where(*scope).order_by(_CASES.id)).all()
        rows = [_row(c, standings, policy, day) for c in cases]
    if as_json:
        if rows:  # one write: echoing 50,000 lines one by one costs more than building them
            click.echo("\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
        return
    click.echo("\n".join(table(
        ("REFERENCE", "STATUS", "REGIME", "RECEIVED", "DUE", "STATE", "SUBJECT"),
        [(row["reference"] or f"#{row['id']}", row["status"], row["regime"], row["received"] or "-",
          row["due"] or "-", row["state_text"], truncate(clean(row["subject"]), SUBJECT_COLUMNS)) for row in rows])))


@requests.command("show")
@click.argument("ref")
@click.pass_context
def requests_show(ctx: click.Context, ref: str) -> None:
    """One request or enquiry (13931/2022; 13931 for this year's or the only one; #id while held): dates and why,
    events, decisions, replies."""
    settings, db = _database(ctx)
    policy, today = settings.clock_policy(), today_in_london()
    with db.session() as session:
        case = _find(ctx, session, settings.mailbox.address, ref)
        click.echo(f"{case.reference or '#' + str(case.id)}  {case.status}  {case.regime}")
        click.echo(f"  applicant:      {case.applicant_name or '-'}")
        click.echo(f"  subject:        {case.subject}")
        click.echo(f"  first received: {case.first_received}")
        if case.reference is None:
            click.echo(f"  held:           {', '.join(case.missing or [])} missing; no clock until it arrives")
        else:
            deadline = case_deadline(session, case, policy, today)
            click.echo(f"  clock from:     {deadline.start or '-'}")
            click.echo(f"  due:            {deadline.due or '-'}: {staff_state(deadline, today, policy).text}")
            click.echo(f"  why this date:  {deadline.why}")
            click.echo(f"  calendar:       {deadline.calendar}")
        click.echo(f"  retention:      {_retention_line(session, case, settings, today)}")
        _show_events(session, case)
        for review in case.reviews:
            deadline = review_deadline(session, review, policy, today)
            click.echo(f"  internal review #{review.id}: received {review.received}, due {deadline.due or '-'}: "
                       f"{staff_state(deadline, today, policy).text}")
            click.echo(f"      why this date: {deadline.why}")
        click.echo("  decisions:")
        for decision in case.decisions:
            inbound = session.get(InboundMessage, decision.inbound_id)
            click.echo(f"    {inbound.received_date if inbound else ''} {inbound.message_id if inbound else ''}: "
                       f"{decision.kind} → {decision.action}")
            for reason in decision.reasons:
                click.echo(f"        - {reason}")
        click.echo("  replies:")
        for reply in session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                                     .order_by(OutboxMessage.id)):
            click.echo(f"    {reply.template}: {reply.status} {reply.message_id}"
                       + (f" ({reply.last_error})" if reply.last_error else ""))


def _retention_line(session: Session, case: Case, settings: Any, today: date) -> str:
    """Where the case stands in the retention schedule, with every hold's reason."""
    from mailbot.store.retention import case_standing

    if case.anonymised_at is not None:
        return f"anonymised on {case.anonymised_at:%Y-%m-%d} under the retention schedule"
    verdict = case_standing(session, case, settings.retention_policy(), today)
    if verdict.holds:
        return "kept: " + "; ".join(verdict.holds)
    return f"to be anonymised on or after {verdict.due} ({verdict.rule})" if verdict.due else "-"


def _show_events(session: Session, case: Case) -> None:
    rows = session.scalars(select(ClockEventRow).where(ClockEventRow.case_id == case.id)
                           .order_by(ClockEventRow.id)).all()
    if not rows:
        return
    click.echo("  clock events:")
    for row in rows:
        target = f" (review #{row.review_id})" if row.review_id else ""
        who = f"{row.source} ({row.actor})" if row.actor else row.source
        click.echo(f"    {row.occurred_on} {row.kind}{target} by {who}" + (f": {row.note}" if row.note else ""))


def _record(ctx: click.Context, ref: str, kind: str, on: datetime | None, note: str, review_id: int | None,
            as_name: str | None = None, outcome: str | None = None, exemptions: tuple[str, ...] = ()) -> None:
    settings, db = _database(ctx)
    actor = operator(as_name)
    try:
        cited = exemptions_from(", ".join(exemptions))
        if outcome is not None:
            check_outcome(outcome, cited, review=review_id is not None)
    except OutcomeError as exc:
        hint = " (--exemption s40(2), repeated for each)" if not exemptions else ""
        click.echo(f"mailbot: {exc}{hint}", err=True)
        ctx.exit(1)
    policy = settings.clock_policy()
    day = on.date() if on else today_in_london()
    try:
        with db.session() as session:
            case = _find(ctx, session, settings.mailbox.address, ref)
            review = None
            if review_id is not None:
                review = session.get(Review, review_id)
                if review is None or review.case_id != case.id:
                    raise CaseworkError(f"enquiry {ref} has no internal review #{review_id}")
            deadline = record_event(session, case, kind, day, policy, source="staff", note=note, review=review,
                                    actor=actor)
            if outcome is not None and review is not None:
                review.outcome = outcome
            elif outcome is not None:
                case.outcome, case.exemptions = outcome, cited
            record_action(session, actor, "clock_event", via="cli", case_id=case.id, kind=kind, on=day.isoformat(),
                          review=review_id, outcome=outcome, exemptions=cited)
            label = case.reference or f"#{case.id}"
    except CaseworkError as exc:
        click.echo(f"mailbot: {exc}", err=True)
        ctx.exit(1)
    click.echo(f"{label}: recorded {kind} on {day}; "
               + (f"due {deadline.due} ({deadline.why})" if deadline.due else deadline.why)
               + (f"; {deadline.state}" if deadline.state != "running" else ""))


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@requests.command("record")
@click.argument("ref")
@click.argument("event", type=click.Choice(EVENT_KINDS))
@click.option("--date", "on", type=_DATE, help="When it happened (default: today, Europe/London).")
@click.option("--note", default="", help="A short note for the audit trail (no personal data needed).")
@click.option("--review", "review_id", type=int, help="The internal review's number, for an event on its clock.")
@click.option("--as", "as_name", help="Who is recording it, for the audit trail (default: your system user name).")
@click.pass_context
def requests_record(ctx: click.Context, ref: str, event: str, on: datetime | None, note: str,
                    review_id: int | None, as_name: str | None) -> None:
    """Record a clock event on REF (the due date is recomputed from receipt and all events)."""
    _record(ctx, ref, event, on, note, review_id, as_name)


def _shortcut(name: str, kind: str, help_text: str) -> None:
    @requests.command(name, help=help_text)
    @click.argument("ref")
    @click.option("--date", "on", type=_DATE, help="When (default: today, Europe/London).")
    @click.option("--note", default="", help="A short note for the audit trail (no personal data needed).")
    @click.option("--review", "review_id", type=int,
                      help="The internal review it is about: its number as `requests show` prints it (#N).")
    @click.option("--as", "as_name", help="Who is recording it, for the audit trail (default: your system user name).")
    @click.pass_context
    def command(ctx: click.Context, ref: str, on: datetime | None, note: str, review_id: int | None,
                as_name: str | None) -> None:
        _record(ctx, ref, kind, on, note, review_id, as_name)


@requests.command("answer")
@click.argument("ref")
@click.option("--date", "on", type=_DATE, help="When (default: today, Europe/London).")
@click.option("--outcome", type=click.Choice([*OUTCOMES, *REVIEW_OUTCOMES]),
              help="What the answer was, for the statistics (with --review: upheld, partly_upheld, overturned).")
@click.option("--exemption", "exemptions", multiple=True,
              help="An exemption or exception cited, e.g. s40(2) or 'reg 12(5)(a)' (repeat for each).")
@click.option("--note", default="", help="A short note for the audit trail (no personal data needed).")
@click.option("--review", "review_id", type=int,
              help="The internal review it is about: its number as `requests show` prints it (#N).")
@click.option("--as", "as_name", help="Who is recording it, for the audit trail (default: your system user name).")
@click.pass_context
def requests_answer(ctx: click.Context, ref: str, on: datetime | None, outcome: str | None,
                    exemptions: tuple[str, ...], note: str, review_id: int | None, as_name: str | None) -> None:
    """Record that REF was answered (for the on-time rate), with its outcome and any exemptions cited."""
    _record(ctx, ref, "answered", on, note, review_id, as_name, outcome, exemptions)


_shortcut("close", "closed", "Close REF without an answer being due any more.")
_shortcut("withdraw", "withdrawn", "Record that the requester withdrew REF.")
_shortcut("clarify", "clarification_asked", "Record that we asked the requester to clarify REF (the clock stops).")
_shortcut("clarified", "clarification_received", "Record that the clarification for REF arrived.")
_shortcut("extend", "extended", "Apply the extension the regime allows to REF.")


@requests.command("recompute")
@click.option("--dry-run", is_flag=True, help="Only say which due dates would change.")
@click.pass_context
def requests_recompute(ctx: click.Context, dry_run: bool) -> None:
    """Recompute every stored due date on the current calendar (after a new bank holiday is proclaimed)."""
    settings, db = _database(ctx)
    policy = settings.clock_policy()
    changed = 0
    with db.session() as session:
        for case in cases_for_listing(session, settings.mailbox.address):
            targets = ([(case.reference or f"#{case.id}", lambda c=case: refresh_case(session, c, policy))]
                       if case.reference else [])
            targets += [(f"{case.reference} review #{r.id}", lambda r=r: refresh_review(session, r, policy))
                        for r in case.reviews]
            for label, refresh in targets:
                result = refresh()
                if result.changed or result.calendar_before != result.calendar_after:
                    changed += result.changed
                    click.echo(f"{label}: due {result.before} → {result.after} "
                               f"(calendar {result.calendar_before} → {result.calendar_after})")
        if dry_run:
            session.rollback()
    click.echo(f"{changed} due date{'s' if changed != 1 else ''} {'would change' if dry_run else 'changed'}")


from mailbot.cli import held  # noqa: E402, F401  # registers `requests remind` and `requests release`

__all__ = ["requests"]
