"""Recording what happened to a request from its page: every clock event previewed (the new due date and why)
before it is saved, and saved with the name of the person who did it.

Without JavaScript this is two plain form posts: the first (`…/events/preview`) checks the event and shows its
effect with a "Save" button carrying the same fields; the second (`…/events`) records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailbot.clock.deadlines import Deadline
from mailbot.store.accounts import record_action
from mailbot.store.casework import CaseworkError, preview_event, record_event
from mailbot.store.models import Case, Review
from mailbot.store.outcomes import OutcomeError, check_outcome, exemptions_from
from mailbot.web.context import web_context
from mailbot.web.labels import EVENT_LABELS
from mailbot.web.security import checked_form, form_text, may_see_mailbox, require_user
from mailbot.web.views.requests import render_case


@dataclass(frozen=True)
class EventForm:
    """What staff asked to record, as read from the form and checked."""

    kind: str
    on: date
    note: str
    review_id: int | None
    outcome: str | None
    exemptions: list[str]
    exemptions_text: str

    def hidden(self) -> dict[str, str]:
        return {"kind": self.kind, "on": self.on.isoformat(), "note": self.note,
                "review": str(self.review_id or ""), "outcome": self.outcome or "",
                "exemptions": self.exemptions_text}


class FormProblem(Exception):
    """The form cannot be recorded as filled in; the message says what to change."""


def read_form(form: FormData) -> EventForm:
    kind = form_text(form, "kind")
    if kind not in EVENT_LABELS:
        raise FormProblem("Choose what happened.")
    try:
        on = date.fromisoformat(form_text(form, "on").strip())
    except ValueError:
        raise FormProblem("Give the date it happened (YYYY-MM-DD).") from None
    review_text = form_text(form, "review").strip()
    outcome = form_text(form, "outcome") or None
    exemptions_text = form_text(form, "exemptions").strip()[:500]
    try:
        exemptions = exemptions_from(exemptions_text)
        if kind == "answered":
            check_outcome(outcome or "", exemptions, review=review_text.isdigit())
        elif outcome or exemptions:
            raise FormProblem("An outcome and exemptions belong to an answer only.")
    except OutcomeError as exc:
        raise FormProblem(f"{str(exc)[0].upper()}{str(exc)[1:]}.") from None
    return EventForm(kind, on, form_text(form, "note").strip()[:500],
                     int(review_text) if review_text.isdigit() else None, outcome, exemptions, exemptions_text)


def _case_and_review(session: object, request: Request, wanted: EventForm | None) -> tuple[Case, Review | None]:
    user = require_user(request)
    case = session.get(Case, request.path_params["case_id"])  # type: ignore[attr-defined]
    if case is None or not may_see_mailbox(user, case.mailbox):
        raise HTTPException(404, "There is no such request.")
    review = None
    if wanted is not None and wanted.review_id is not None:
        review = session.get(Review, wanted.review_id)  # type: ignore[attr-defined]
        if review is None or review.case_id != case.id:
            raise FormProblem("That internal review is not one of this request's.")
    return case, review


async def preview(request: Request) -> Response:
    web = web_context(request)
    require_user(request)
    form = await checked_form(request)
    try:
        wanted = read_form(form)
        with web.session() as session:
            case, review = _case_and_review(session, request, wanted)
            deadline = preview_event(session, case, wanted.kind, wanted.on, web.policy(case.mailbox), review=review)
    except (FormProblem, CaseworkError) as exc:
        return await render_case(request, error=str(exc), status_code=400, filled=dict(form))
    return await render_case(request, preview=Preview(wanted, EVENT_LABELS[wanted.kind], deadline))


@dataclass(frozen=True)
class Preview:
    form: EventForm
    label: str
    deadline: Deadline


async def record(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    form = await checked_form(request)
    try:
        wanted = read_form(form)
        with web.session() as session:
            case, review = _case_and_review(session, request, wanted)
            record_event(session, case, wanted.kind, wanted.on, web.policy(case.mailbox), source="staff",
                         note=wanted.note, review=review, actor=user.name)
            if wanted.kind == "answered" and review is None:
                case.outcome, case.exemptions = wanted.outcome, wanted.exemptions
            elif wanted.kind == "answered" and review is not None:
                review.outcome = wanted.outcome
            record_action(session, user.name, "clock_event", case_id=case.id, kind=wanted.kind,
                          on=wanted.on.isoformat(), review=wanted.review_id, outcome=wanted.outcome,
                          exemptions=wanted.exemptions)
            case_id = case.id
    except (FormProblem, CaseworkError) as exc:
        return await render_case(request, error=str(exc), status_code=400, filled=dict(form))
    return RedirectResponse(f"/requests/{case_id}?saved={wanted.kind}#record", status_code=303)


async def legal_hold(request: Request) -> Response:
    """An admin sets (with a reason) or releases (without one) the legal hold that keeps a case from disposal."""
    web = web_context(request)
    user = require_user(request, "admin")
    form = await checked_form(request)
    reason = form_text(form, "reason").strip()[:500] or None
    with web.session() as session:
        case = session.get(Case, request.path_params["case_id"])
        if case is None or not may_see_mailbox(user, case.mailbox):
            raise HTTPException(404, "There is no such request.")
        if reason and case.anonymised_at is not None:
            return await render_case(request, error="It was anonymised already: there is nothing left to hold.",
                                     status_code=400)
        case.hold_reason = reason
        record_action(session, user.name, "legal_hold" if reason else "legal_hold_released", case_id=case.id,
                      reason=reason)
        case_id = case.id
    return RedirectResponse(f"/requests/{case_id}?saved=hold#retention", status_code=303)


ROUTES = [
    Route("/requests/{case_id:int}/events/preview", preview, methods=["POST"]),
    Route("/requests/{case_id:int}/events", record, methods=["POST"]),
    Route("/requests/{case_id:int}/hold", legal_hold, methods=["POST"]),
]
