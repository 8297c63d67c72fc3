"""The requests list as staff filter it (web app and CSV): one query per page, on the stored dates.

Due dates are stored on each case (casework.py keeps them derived), so filtering and sorting never recompute a
deadline or read clock events, and no raw mail is loaded: a page costs two statements whatever the archive's size
(three past its end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVarTuple

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from mailbot.store.models import Case

_Ts = TypeVarTuple("_Ts")
STATES = ("held", "open", "due_soon", "overdue", "answered", "closed")


@dataclass(frozen=True)
class RequestFilter:
    """What staff asked to see. Empty fields do not filter."""

    state: str = ""  # one of STATES
    regime: str = ""
    mailbox: str = ""
    received_from: date | None = None
    received_to: date | None = None
    search: str = ""  # part of a reference, applicant name, address or subject


def _filtered(query: Select[*_Ts], wanted: RequestFilter, today: date, soon: date,
              mailboxes: Sequence[str]) -> Select[*_Ts]:
    """`soon` is the last day counted as due soon (today + 5 working days: the caller owns the calendar)."""
    if mailboxes:
        query = query.where(Case.mailbox.in_(list(mailboxes)))
    if wanted.mailbox:
        query = query.where(Case.mailbox == wanted.mailbox)
    if wanted.regime:
        query = query.where(Case.regime == wanted.regime)
    received = func.coalesce(Case.received, Case.first_received)
    if wanted.received_from:
        query = query.where(received >= wanted.received_from)
    if wanted.received_to:
        query = query.where(received <= wanted.received_to)
    state = wanted.state
    if state in ("held", "open", "answered"):
        query = query.where(Case.status == state)
    elif state == "closed":
        query = query.where(Case.status.in_(("closed", "withdrawn")))
    elif state == "due_soon":
        query = query.where(Case.status == "open", Case.due >= today, Case.due <= soon)
    elif state == "overdue":
        query = query.where(Case.status == "open", Case.due < today)
    text = wanted.search.strip().lower()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(func.lower(column).like(pattern, escape="\\") for column in
                                  (Case.subject, Case.applicant_name, Case.address, Case.reference))))
    return query


_STANDING = case((Case.status == "open", 0), (Case.status == "held", 1), else_=2)
# Open requests first, due soonest first; then held ones (no clock yet), then the rest; oldest first within.
_ORDER = (_STANDING, Case.due.is_(None), Case.due, Case.first_received, Case.id)


@dataclass(frozen=True)
class Page:
    total: int  # requests matching the filter
    number: int  # this page, 1-based (a page past the end is the last page)
    pages: int
    cases: list[Case]


def page_of_requests(session: Session, wanted: RequestFilter, *, today: date, soon: date, number: int, size: int,
                  mailboxes: Sequence[str] = ()) -> Page:
    """One page of the list and the count of all that match, in one scan: the page's ids carry the total
    (`count(*) OVER ()`), so the filter (a search is a `LIKE` over four columns of every candidate) runs once, not
    once to count and again to list. The ids are chosen sorting only the sort keys, then their rows read by id:
    sorting whole rows of 50,000 cases to keep 50 cost more than the rest of the page."""
    number = max(1, number)
    ids, total = _page_ids(session, wanted, today, soon, mailboxes, (number - 1) * size, size)
    if not ids:  # past the end (or nothing matches): count, and show the last page
        total = int(session.scalar(_filtered(select(func.count(Case.id)), wanted, today, soon, mailboxes)) or 0)
        number = max(1, -(-total // size))
        if total:
            ids, _ = _page_ids(session, wanted, today, soon, mailboxes, (number - 1) * size, size)
    return Page(total, number, max(1, -(-total // size)), requests_by_id(session, ids))


def _page_ids(session: Session, wanted: RequestFilter, today: date, soon: date, mailboxes: Sequence[str],
              offset: int, limit: int) -> tuple[list[int], int]:
    query = _filtered(select(Case.id, func.count().over()), wanted, today, soon, mailboxes)
    rows = session.execute(query.order_by(*_ORDER).offset(offset).limit(limit)).all()
    return [row[0] for row in rows], (rows[0][1] if rows else 0)


def request_ids(session: Session, wanted: RequestFilter, *, today: date, soon: date,
                mailboxes: Sequence[str] = ()) -> list[int]:
    """Every matching id in the list's order, in one statement: an export reads its rows in batches by id, so it
    neither re-sorts the whole filter per batch (OFFSET) nor skips or repeats a row that changes meanwhile."""
    return list(session.scalars(_filtered(select(Case.id), wanted, today, soon, mailboxes).order_by(*_ORDER)))


def requests_by_id(session: Session, ids: Sequence[int]) -> list[Case]:
    """The cases with these ids, in the order given (ids no longer there are left out)."""
    if not ids:
        return []
    rows = {row.id: row for row in session.scalars(select(Case).where(Case.id.in_(list(ids))))}
    return [rows[i] for i in ids if i in rows]


def mailboxes_in_use(session: Session) -> list[str]:
    return list(session.scalars(select(Case.mailbox).distinct().order_by(Case.mailbox)))


__all__ = ["STATES", "Page", "RequestFilter", "mailboxes_in_use", "page_of_requests", "request_ids", "requests_by_id"]
