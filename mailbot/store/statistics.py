"""Requests received and answered per month, and how many answers were on time: the overview page's figures.

Two grouped queries over the stored dates, whatever the number of cases. A request counts in the month it was
received (its date of receipt, or its first message while held); an answer in the month it was recorded, on time
when recorded on or before the due date stored at that moment (the due date is derived and kept on the case).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import Session

from mailbot.store.models import Case, ClockEventRow


@dataclass(frozen=True)
class Month:
    month: date  # the first day of the month
    received: int
    answered: int
    on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.answered if self.answered else None


def _months(last: date, count: int) -> list[date]:
    months, year, month = [], last.year, last.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _key(day: date) -> tuple[int, int]:
    return day.year, day.month


def monthly(session: Session, today: date, *, months: int = 12, mailboxes: Sequence[str] = ()) -> list[Month]:
    span = _months(today, months)
    start = span[0]
    received_on = func.coalesce(Case.received, Case.first_received)
    received_query = (select(extract("year", received_on), extract("month", received_on), func.count())
                      .where(received_on >= start)
                      .group_by(extract("year", received_on), extract("month", received_on)))
    answered_on = ClockEventRow.occurred_on
    answered_query = (select(extract("year", answered_on), extract("month", answered_on), func.count(),
                             func.sum(case((answered_on <= Case.due, 1), else_=0)))
                      .join(Case, Case.id == ClockEventRow.case_id)
                      .where(ClockEventRow.kind == "answered", ClockEventRow.review_id.is_(None),
                             answered_on >= start)
                      .group_by(extract("year", answered_on), extract("month", answered_on)))
    if mailboxes:
        received_query = received_query.where(Case.mailbox.in_(list(mailboxes)))
        answered_query = answered_query.where(Case.mailbox.in_(list(mailboxes)))
    received = {(int(y), int(m)): int(n) for y, m, n in session.execute(received_query)}
    answered = {(int(y), int(m)): (int(n), int(ok or 0)) for y, m, n, ok in session.execute(answered_query)}
    return [Month(m, received.get(_key(m), 0), *answered.get(_key(m), (0, 0))) for m in span]


__all__ = ["Month", "monthly"]
