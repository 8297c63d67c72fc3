"""Listings read where cases stand from their stored dates and two bulk reads (store/standings.py), not one
clock-events query per case: for every kind of clock history, on SQLite and PostgreSQL, they say exactly what the
per-case computation (casework.case_deadline) says, including after a calendar change not yet recomputed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from sqlalchemy import select

from mailbot.clock.deadlines import ClockPolicy, staff_state
from mailbot.clock.workdays import WorkingCalendar
from mailbot.store.casework import case_deadline, record_event, refresh_case
from mailbot.store.db import Database
from mailbot.store.models import Case
from mailbot.store.standings import read_standings

MAILBOX = "foi@council.example"
POLICY = ClockPolicy()
HISTORIES: list[tuple[str, date, list[tuple[str, date]]]] = [
    ("foi", date(2024, 1, 8), []),
    ("eir", date(2024, 1, 8), [("extended", date(2024, 1, 20))]),
    ("sar", date(2024, 1, 31), []),
    ("sar", date(2024, 1, 10), [("clarification_asked", date(2024, 1, 12))]),
    ("sar", date(2024, 1, 10), [("clarification_asked", date(2024, 1, 12)), ("clarification_received",
                                                                              date(2024, 1, 20))]),
    ("foi", date(2024, 2, 20), [("clarification_asked", date(2024, 2, 22))]),
    ("foi", date(2024, 2, 19), [("fees_notice", date(2024, 2, 26))]),  # lapses on 26 May
    ("foi", date(2024, 2, 19), [("fees_notice", date(2024, 2, 26)), ("fee_received", date(2024, 3, 5))]),
    ("foi", date(2024, 1, 8), [("answered", date(2024, 1, 10))]),
    ("foi", date(2024, 1, 8), [("closed", date(2024, 1, 9)), ("answered", date(2024, 2, 1))]),
    ("foi", date(2024, 1, 8), [("answered", date(2024, 1, 12)), ("closed", date(2024, 1, 11))]),
    ("foi", date(2024, 1, 8), [("withdrawn", date(2024, 1, 9))]),
    ("foi", date(2024, 1, 8), [("clarification_asked", date(2024, 1, 9)), ("closed", date(2024, 1, 30))]),
    ("internal_review", date(2024, 5, 1), [("completed", date(2024, 5, 3))]),
    # Reopened: the stops before it no longer count (closed in error; answered, reopened, answered again)
    ("foi", date(2024, 1, 8), [("closed", date(2024, 1, 9)), ("reopened", date(2024, 1, 15))]),
    ("foi", date(2024, 1, 8), [("answered", date(2024, 1, 10)), ("reopened", date(2024, 1, 12)),
                               ("answered", date(2024, 2, 1))]),
    ("eir", date(2024, 1, 8), [("withdrawn", date(2024, 1, 9)), ("reopened", date(2024, 1, 10)),
                               ("extended", date(2024, 1, 20))]),
]
TODAYS = (date(2024, 1, 9), date(2024, 3, 4), date(2024, 6, 3), date(2026, 1, 5))


@pytest.fixture
def db(db_url: str) -> Iterable[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def build(db: Database) -> None:
    with db.session() as session:
        for n, (regime, received, events) in enumerate(HISTORIES):
            case = Case(mailbox=MAILBOX, reference=f"{100 + n}/2024", reference_seq=100 + n, reference_year=2024,
                        status="open", regime=regime, address=f"p{n}@example.org", subject=f"S {n}",
                        subject_stem=f"S {n}", first_received=received, missing=[])
            session.add(case)
            session.flush()
            refresh_case(session, case, POLICY)
            for kind, on in events:
                record_event(session, case, kind, on, POLICY, source="staff")
        session.add(Case(mailbox=MAILBOX, status="held", regime="foi", address="h@example.org", subject="H",
                         subject_stem="H", first_received=date(2024, 2, 1), missing=["name"]))
        session.add(Case(mailbox="other@council.example", reference="1/2024", status="open", regime="foi",
                         address="o@example.org", subject="O", subject_stem="O", first_received=date(2024, 2, 1),
                         missing=[]))


@pytest.mark.parametrize("policy", [POLICY, ClockPolicy(calendar=WorkingCalendar(
    extra_non_working=frozenset({date(2024, 1, 15), date(2024, 2, 6)})), long_overdue_working_days=10)],
    ids=["stored calendar", "changed calendar"])
def test_bulk_standings_say_what_the_clock_says(db: Database, policy: ClockPolicy) -> None:
    build(db)
    with db.session() as session:
        standings = read_standings(session, [Case.mailbox == MAILBOX], policy)
        cases = session.scalars(select(Case).where(Case.mailbox == MAILBOX).order_by(Case.id)).all()
        assert len(cases) == len(HISTORIES) + 1
        for today in TODAYS:
            for case in cases:
                bulk = standings.deadline(case, policy, today)
                if case.reference is None:
                    assert bulk is None
                    continue
                one = case_deadline(session, case, policy, today)
                assert bulk is not None
                assert (bulk.start, bulk.due, bulk.state, bulk.why) == (one.start, one.due, one.state, one.why), case.id
                assert staff_state(bulk, today, policy) == staff_state(one, today, policy)
                assert standings.standing(case, policy, today) == (one.start, one.due,
                                                                   staff_state(one, today, policy))
        seen = {standings.deadline(c, policy, date(2024, 6, 3)).state for c in cases if c.reference}  # type: ignore[union-attr]
        assert {"running", "awaiting_clarification", "lapsed", "answered", "closed", "withdrawn"} <= seen
