"""The requests list (with its CSV) and one request's page.

The list filters and pages in the database on the stored due dates (store/listing.py); working days left are
counted only for the rows on the page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from mailbot.clock.deadlines import ClockPolicy, due_state
from mailbot.clock.regimes import REGIMES
from mailbot.clock.workdays import receipt_date
from mailbot.mail.parse import parse_message
from mailbot.store.listing import (
    STATES,
    RequestFilter,
    mailboxes_in_use,
    page_of_requests,
    request_ids,
    requests_by_id,
)
from mailbot.store.models import Case
from mailbot.store.retention import case_standing
from mailbot.store.timeline import case_timeline
from mailbot.web.context import WebContext, web_context
from mailbot.web.labels import ACTION_LABELS, ALL_OUTCOMES, EVENT_LABELS, REGIME_LABELS, STATE_LABELS
from mailbot.web.security import may_see_mailbox, require_user

SOON_WORKING_DAYS = 5
MAX_TEXT = 20_000  # characters of a message shown on the page; the rest is one click away in the raw download


@dataclass(frozen=True)
class Standing:
    """Where an open request stands against its due date, as the list and the page say it."""

    label: str  # due_in | due_today | overdue | long_overdue | held | done
    text: str
    days: int | None = None


def standing(case: Case, today: date, policy: ClockPolicy) -> Standing:
    if case.status == "held":
        return Standing("held", "held: " + (", ".join(case.missing or []) or "details") + " missing")
    if case.status != "open" or case.due is None:
        return Standing("done", case.status)
    state = due_state(case.due, case.regime, today, policy)
    n = state.working_days or 0
    days = f"{n} working day{'s' if n != 1 else ''}"
    if state.label == "due_in":
        return Standing("due_in", f"{days} left", n)
    if state.label == "due_today":
        return Standing("due_today", "due today", 0)
    return Standing(state.label, f"{state.label.replace('_', ' ')}: {days} late", -n)


def _date_param(request: Request, key: str) -> date | None:
    value = request.query_params.get(key, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{key}: write the date as YYYY-MM-DD") from None


def _filter(request: Request) -> RequestFilter:
    params = request.query_params
    state = params.get("state", "")
    regime = params.get("regime", "")
    return RequestFilter(
        state=state if state in STATES else "", regime=regime if regime in REGIMES else "",
        mailbox=params.get("mailbox", "")[:320], received_from=_date_param(request, "from"),
        received_to=_date_param(request, "to"), search=params.get("q", "")[:200],
    )


def _soon(web: WebContext, today: date) -> date:
    return web.policy(web.settings.mailbox.address).calendar.add_working_days(today, SOON_WORKING_DAYS)


def today_for(request: Request) -> date:
    """Today in London; `?today=` lets staff (and the tests) see the list as it stood or will stand."""
    given = request.query_params.get("today")
    if given:
        try:
            return date.fromisoformat(given)
        except ValueError:
            pass
    return receipt_date(datetime.now(UTC))


async def requests_page(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    wanted, today = _filter(request), today_for(request)
    size = web.settings.web.page_size
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    with web.session() as session:
        listed = page_of_requests(session, wanted, today=today, soon=_soon(web, today), number=page, size=size,
                               mailboxes=user.mailboxes)
        total, page, pages, cases = listed.total, listed.number, listed.pages, listed.cases
        mailboxes = [m for m in mailboxes_in_use(session) if may_see_mailbox(user, m)]
    rows = [(case, standing(case, today, web.policy(case.mailbox))) for case in cases]
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return web.render(request, "requests.html", rows=rows, total=total, page=page, pages=pages, wanted=wanted,
                      query=query, today=today, states=STATE_LABELS, regimes=REGIME_LABELS, mailboxes=mailboxes)


CSV_BATCH = 500
CSV_COLUMNS = ("reference", "status", "regime", "applicant_name", "address", "received", "due", "standing",
               "subject", "mailbox")


def _csv_rows(web: WebContext, wanted: RequestFilter, today: date, mailboxes: list[str]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    with web.session() as session:  # the order fixed once; rows read 500 at a time (a session each, kept short)
        ids = request_ids(session, wanted, today=today, soon=_soon(web, today), mailboxes=mailboxes)
    for first in range(0, len(ids), CSV_BATCH):
        with web.session() as session:
            cases = requests_by_id(session, ids[first:first + CSV_BATCH])
        for case in cases:
            writer.writerow([
                case.reference or f"#{case.id}", case.status, case.regime, _cell(case.applicant_name or ""),
                _cell(case.address), (case.received or case.first_received).isoformat(),
                case.due.isoformat() if case.due else "", standing(case, today, web.policy(case.mailbox)).text,
                _cell(case.subject), case.mailbox,
            ])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    if not ids:
        yield out.getvalue()  # the header row alone


def _cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def requests_csv(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    wanted, today = _filter(request), today_for(request)
    return StreamingResponse(_csv_rows(web, wanted, today, list(user.mailboxes)), media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="requests-{today}.csv"'})


async def request_page(request: Request) -> Response:
    return await render_case(request)


async def render_case(request: Request, *, preview: Any = None, error: str | None = None, status_code: int = 200,
                      filled: dict[str, Any] | None = None) -> Response:
    """A request's page; with `preview`, the effect of a clock event about to be saved; with `error`, why the
    form could not be taken (and `filled`, what was typed, so nothing is lost)."""
    web = web_context(request)
    user = require_user(request)
    case_id = request.path_params["case_id"]
    today = today_for(request)
    with web.session() as session:
        case = session.get(Case, case_id)
        if case is None or not may_see_mailbox(user, case.mailbox):
            raise HTTPException(404, "There is no such request.")
        entries = case_timeline(session, case)
        texts: dict[Any, dict[str, Any]] = {}
        for entry in entries:
            if entry.kind == "message":
                parsed = parse_message(entry.row.raw)
                text = parsed.text
                texts[entry.row.id] = {
                    "from": parsed.sender or "", "name": parsed.display_name or "", "subject": parsed.subject,
                    "text": text[:MAX_TEXT], "cut": len(text) > MAX_TEXT, "attachments": parsed.attachments,
                }
            elif entry.kind == "reply":
                texts[f"reply{entry.row.id}"] = {"text": _reply_text(entry.row.raw)}
        reviews = list(case.reviews)
        settings = web.by_mailbox.get(case.mailbox, web.settings)
        retention = case_standing(session, case, settings.retention_policy(), today)
    return web.render(request, "request.html", retention=retention, status_code=status_code, case=case,
                      entries=entries, texts=texts,
                      reviews=reviews, standing=standing(case, today, web.policy(case.mailbox)),
                      regimes=REGIME_LABELS, events=EVENT_LABELS, outcomes=ALL_OUTCOMES, actions=ACTION_LABELS,
                      today=today, preview=preview,
                      error=error, filled=filled or {}, saved=EVENT_LABELS.get(request.query_params.get("saved", "")),
                      held_done=HELD_DONE.get(request.query_params.get("held", "")))


HELD_DONE = {"remind": "The Section 8 notice is on its way again.",
             "release": "Released: the request has its reference and its clock is running.",
             "close": "Closed: the request was not completed."}


def _reply_text(raw: bytes) -> str:
    parsed = parse_message(raw)
    return parsed.text[:MAX_TEXT]


ROUTES = [
    Route("/requests", requests_page, methods=["GET"]),
    Route("/requests.csv", requests_csv, methods=["GET"]),
    Route("/requests/{case_id:int}", request_page, methods=["GET"]),
]
