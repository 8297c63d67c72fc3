"""A held request's three actions from its page: send the Section 8 notice again, release it (complete after all:
reference, clock and, if staff choose, an acknowledgement), or close it. Carried out by runners/held.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailbot.replies.templates import Templates
from mailbot.runners.held import HeldError, HeldRequests
from mailbot.store.models import Case
from mailbot.web.context import web_context
from mailbot.web.security import checked_form, form_text, may_see_mailbox, require_user
from mailbot.web.views.requests import HELD_DONE, render_case


async def held_action(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    form = await checked_form(request)
    action = request.path_params["action"]
    if action not in HELD_DONE:
        raise HTTPException(404, "There is no such action.")
    now = datetime.now(UTC)
    try:
        with web.session() as session:
            case = session.get(Case, request.path_params["case_id"])
            if case is None or not may_see_mailbox(user, case.mailbox):
                raise HTTPException(404, "There is no such request.")
            settings = web.by_mailbox.get(case.mailbox, web.settings)
            held = HeldRequests(settings, Templates.from_settings(settings))
            if action == "remind":
                held.remind(session, case.id, actor=user.name, now=now)
            elif action == "release":
                held.release(session, case.id, on=_day(form_text(form, "on")), actor=user.name, now=now,
                             applicant_name=form_text(form, "name"),
                             acknowledge=form_text(form, "acknowledge") == "yes")
            else:
                held.close(session, case.id, note=form_text(form, "note"), actor=user.name, now=now)
    except HeldError as exc:
        return await render_case(request, error=str(exc), status_code=400, filled=dict(form))
    return RedirectResponse(f"/requests/{request.path_params['case_id']}?held={action}#held-done", status_code=303)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HeldError("Give the date the complete request was received (YYYY-MM-DD).") from None


ROUTES = [Route("/requests/{case_id:int}/held/{action:str}", held_action, methods=["POST"])]
