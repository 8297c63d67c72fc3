"""The requests list as staff filter it (web app and CSV): one query per page, on the stored dates.

Due dates are stored on each case (casework.py keeps them derived), so filtering and sorting never recompute a
deadline or read clock events, and no raw mail is loaded: a page costs three statements whatever the archive's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from mailbot.store.models import Case

_T = TypeVar("_T", bound=Any)
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


def _filtered(query: Select[_T], wanted: RequestFilter, today: date, soon: date,
              mailboxes: Sequence[str]) -> Select[_T]:
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
                                  (Case.reference, Case.applicant_name, Case.address, Case.subject))))
    return query


def count_requests(session: Session, wanted: RequestFilter, *, today: date, soon: date,
                   mailboxes: Sequence[str] = ()) -> int:
    # count(cases.id) over the filter itself: a subquery of whole rows made the database build every row to count it.
    return int(session.scalar(_filtered(select(func.count(Case.id)), wanted, today, soon, mailboxes)) or 0)


def list_requests(session: Session, wanted: RequestFilter, *, today: date, soon: date,
                  mailboxes: Sequence[str] = (), offset: int = 0, limit: int | None = 50) -> list[Case]:
    """Open requests first, due soonest first; then held ones (no clock yet), then the rest; oldest first within.

    The page's ids are chosen first, sorting only the sort keys, then its rows are read by id: sorting whole rows
    (subjects, reasons for due dates) of 50,000 cases to keep 50 cost more than the rest of the page."""
    standing = case((Case.status == "open", 0), (Case.status == "held", 1), else_=2)
    order = (standing, Case.due.is_(None), Case.due, Case.first_received, Case.id)
    query = _filtered(select(Case.id), wanted, today, soon, mailboxes).order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    ids = list(session.scalars(query))
    if not ids:
        return []
    rows = {row.id: row for row in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def mailboxes_in_use(session: Session) -> list[str]:
    return list(session.scalars(select(Case.mailbox).distinct().order_by(Case.mailbox)))


__all__ = ["STATES", "RequestFilter", "count_requests", "list_requests", "mailboxes_in_use"]
