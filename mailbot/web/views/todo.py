"""The to-do list (triage): what the bot left to staff, and the page where staff settle one message.

Every verdict is carried out by runners/triage.py exactly as the bot would have acted, and recorded with who gave
it; the list reads columns only (store/todo.py), the message page parses the one message it shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy import update
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailbot.clock.deadlines import compute_deadline
from mailbot.clock.regimes import Regime
from mailbot.mail.attachments import attachment
from mailbot.mail.parse import parse_message
from mailbot.replies.templates import Templates
from mailbot.runners.triage import NOT_A_REQUEST_REASONS, VERDICTS, Triage, TriageError, verdict_of
from mailbot.store.accounts import record_action
from mailbot.store.models import InboundMessage, OutboxMessage
from mailbot.store.todo import failed_replies, held, quarantined, unanswered
from mailbot.web.context import web_context
from mailbot.web.labels import REGIME_LABELS
from mailbot.web.security import checked_form, form_text, may_see_mailbox, require_user
from mailbot.web.views.requests import MAX_TEXT

REQUEST_REGIMES = {key: label for key, label in REGIME_LABELS.items() if key != Regime.INTERNAL_REVIEW}


async def todo_page(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    with web.session() as session:
        waiting = unanswered(session, user.mailboxes)
        held_cases = held(session, user.mailboxes)
        stuck = quarantined(session, user.mailboxes)
        failed = failed_replies(session, user.mailboxes)
    due = {m.id: compute_deadline(m.regime, m.received_date, policy=web.policy(m.mailbox)).due
           for m in waiting if m.regime and m.case_id is None}
    return web.render(request, "todo.html", waiting=waiting, due=due, regimes=REGIME_LABELS, held=held_cases,
                      quarantined=stuck, failed=failed)


def _message(session: object, request: Request) -> InboundMessage:
    user = require_user(request)
    row = session.get(InboundMessage, request.path_params["message_id"])  # type: ignore[attr-defined]
    if row is None or not may_see_mailbox(user, row.mailbox):
        raise HTTPException(404, "There is no such message.")
    return row


async def message_page(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    web = web_context(request)
    with web.session() as session:
        row = _message(session, request)
        parsed = parse_message(row.raw)
        decision = row.decision
        verdict = verdict_of(session, row.id)
        case = decision.case if decision else None
        facts = dict(decision.facts) if decision else {}
        due = (compute_deadline(decision.regime, row.received_date, policy=web.policy(row.mailbox)).due
               if decision and decision.regime and case is None else None)
    return web.render(request, "message.html", status_code=status_code, row=row, parsed=parsed,
                      text=parsed.text[:MAX_TEXT], cut=len(parsed.text) > MAX_TEXT, decision=decision,
                      verdict=verdict, case=case, facts=facts, due=due, error=error, verdicts=VERDICTS,
                      reasons=NOT_A_REQUEST_REASONS, regimes=REQUEST_REGIMES)


async def download(request: Request) -> Response:
    """An attachment, always as a download (application/octet-stream, Content-Disposition: attachment): a
    sender's HTML or script is never opened in the staff member's browser session."""
    web = web_context(request)
    user = require_user(request)
    with web.session() as session:
        row = _message(session, request)
        found = attachment(row.raw, request.path_params["index"])
        if found is None:
            raise HTTPException(404, "There is no such attachment.")
        record_action(session, user.name, "attachment_downloaded", inbound_id=row.id,
                      case_id=row.decision.case_id if row.decision else None, index=request.path_params["index"])
    name = found.filename or f"attachment-{request.path_params['index'] + 1}"
    safe = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name)[:120] or "attachment"
    return Response(found.data, media_type="application/octet-stream", headers={
        "content-disposition": f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(name[:200])}"})


async def triage(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    form = await checked_form(request)
    verdict = form_text(form, "verdict")
    try:
        with web.session() as session:
            row = _message(session, request)
            settings = web.by_mailbox.get(row.mailbox, web.settings)
            triage_ = Triage(settings, Templates.from_settings(settings))
            if verdict == "request":
                done = triage_.open_request(
                    session, row.id, regime=form_text(form, "regime"), applicant_name=form_text(form, "name"),
                    address=form_text(form, "address"), acknowledge=form_text(form, "acknowledge") == "yes",
                    actor=user.name, now=datetime.now(UTC))
            elif verdict == "review":
                done = triage_.open_review(session, row.id, form_text(form, "reference"),
                                           acknowledge=form_text(form, "acknowledge") == "yes", actor=user.name,
                                           now=datetime.now(UTC))
            elif verdict == "attached":
                done = triage_.attach(session, row.id, form_text(form, "reference"), actor=user.name)
            elif verdict == "not_request":
                done = triage_.not_a_request(session, row.id, form_text(form, "reason"), form_text(form, "note"),
                                             actor=user.name)
            else:
                raise TriageError("Choose what the message is.")
    except TriageError as exc:
        return await message_page(request, error=str(exc), status_code=400)
    target = f"/requests/{done.case_id}" if done.case_id else "/todo"
    return RedirectResponse(target, status_code=303)


async def requeue(request: Request) -> Response:
    """A quarantined message goes back to the bot for another try (after whatever made it fail is fixed)."""
    web = web_context(request)
    user = require_user(request)
    await checked_form(request)
    with web.session() as session:
        row = _message(session, request)
        if row.status != "quarantined":
            raise HTTPException(409, "This message is not quarantined.")
        row.status, row.attempts = "new", 0
        record_action(session, user.name, "requeue", inbound_id=row.id, message_id=row.message_id)
    return RedirectResponse("/todo", status_code=303)


async def retry_reply(request: Request) -> Response:
    """A reply that failed goes back in the outbox (after the address or the relay is fixed)."""
    web = web_context(request)
    user = require_user(request)
    await checked_form(request)
    with web.session() as session:
        reply = session.get(OutboxMessage, request.path_params["reply_id"])
        if reply is None or not may_see_mailbox(user, reply.mailbox):
            raise HTTPException(404, "There is no such reply.")
        changed = session.execute(update(OutboxMessage).where(OutboxMessage.id == reply.id,
                                                              OutboxMessage.status == "failed")
                                  .values(status="queued", attempts=0, next_attempt_at=datetime.now(UTC)))
        if not changed.rowcount:  # type: ignore[attr-defined]
            raise HTTPException(409, "This reply has not failed.")
        record_action(session, user.name, "retry_reply", case_id=reply.case_id, message_id=reply.message_id)
    return RedirectResponse("/todo", status_code=303)


ROUTES = [
    Route("/todo", todo_page, methods=["GET"]),
    Route("/messages/{message_id:int}", message_page, methods=["GET"]),
    Route("/messages/{message_id:int}/attachments/{index:int}", download, methods=["GET"]),
    Route("/messages/{message_id:int}/triage", triage, methods=["POST"]),
    Route("/messages/{message_id:int}/requeue", requeue, methods=["POST"]),
    Route("/replies/{reply_id:int}/retry", retry_reply, methods=["POST"]),
]
