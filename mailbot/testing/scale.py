"""A store at the size of a real authority, filled with bulk inserts: requests with their stored dates (as
casework.py derives them), clock events, messages with small raw bodies, decisions, replies and internal reviews.
For benchmarks/bench_scale.py and the tests that check listings cost the same few statements at any size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import insert, text

from mailbot.clock.deadlines import ClockPolicy, compute_deadline
from mailbot.store.db import Database
from mailbot.store.models import Case, ClockEventRow, Decision, InboundMessage, OutboxMessage, Review

MAILBOX = "foi@council.example"
TODAY = date(2026, 12, 7)  # a Monday
PER_YEAR = 2_000
MESSAGES_PER_CASE = 4
REGIMES = ("foi", "foi", "foi", "eir", "sar")
RAW = (b"From: Person <p@example.org>\r\nTo: foi@council.example\r\nSubject: Budget\r\n"
       b"Message-ID: <%d@example.org>\r\n\r\nDear Council,\r\n\r\nPlease send me the gritting budget for %d.\r\n\r\n"
       b"Yours faithfully,\r\nJo Bloggs\r\n")
CHUNK = 5_000


def chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def fill(db: Database, cases: int, stale: float = 0.4, today: date = TODAY) -> dict[str, int]:
    """`stale`: the share of older requests still open because their answer was never recorded."""
    policy = ClockPolicy()
    years = max(1, round(cases / PER_YEAR))
    first = today - timedelta(days=365 * years)
    step = (today - first).days / cases
    due_of: dict[tuple[str, date], Any] = {}
    case_rows, event_rows, review_rows = [], [], []
    inbound_rows, decision_rows, outbox_rows = [], [], []
    message = 0
    at_nine = clock_time(9, 30, tzinfo=UTC)
    for n in range(1, cases + 1):
        regime = REGIMES[n % len(REGIMES)]
        received = first + timedelta(days=int(n * step))
        if received.weekday() > 4:
            received -= timedelta(days=received.weekday() - 4)
        if (regime, received) not in due_of:
            due_of[(regime, received)] = compute_deadline(regime, received, (), policy)
        deadline = due_of[(regime, received)]
        recent = (today - received).days < 60
        held = recent and n % 40 == 0
        answered = not recent and (n * 7919 % 1000) >= stale * 1000
        status = "held" if held else "answered" if answered else "open"
        case_rows.append(dict(
            id=n, mailbox=MAILBOX, reference=None if held else f"{n}/{received.year}",
            reference_seq=None if held else n, reference_year=None if held else received.year, status=status,
            regime=regime, applicant_name=f"Person {n}", address=f"person{n}@example.org",
            subject=f"Gritting budget {n}" if n % 3 else f"Library opening hours {n}", subject_stem=f"budget {n}",
            first_received=received, received=None if held else deadline.start, due=None if held else deadline.due,
            due_why=None if held else deadline.why, calendar=None if held else deadline.calendar,
            missing=["name"] if held else [], created_at=datetime.combine(received, at_nine),
            updated_at=datetime.combine(received, at_nine)))
        if answered:
            on = deadline.due - timedelta(days=n % 10) if deadline.due else received
            event_rows.append(dict(case_id=n, review_id=None, kind="answered", occurred_on=max(on, received),
                                   note="", source="staff", actor="alice",
                                   recorded_at=datetime.combine(max(on, received), at_nine)))
        for m in range(MESSAGES_PER_CASE):
            message += 1
            day = received + timedelta(days=m * 3)
            at = datetime.combine(day, at_nine)
            raw = RAW % (message, message)
            inbound_rows.append(dict(id=message, mailbox=MAILBOX, message_id=f"<{message}@example.org>",
                                     folder="INBOX", uidvalidity=1, uid=message, moved=True, quarantine_copied=False,
                                     received_at=at, received_date=day, raw=raw, size=len(raw), status="processed",
                                     attempts=0, created_at=at, processed_at=at))
            first_one = m == 0
            robot = m == 3 and n % 2 == 0
            action = ("section8_notice" if held else "acknowledge") if first_one else \
                "none" if robot else "staff_review" if m == 3 and n % 50 == 1 else "acknowledge_follow_up"
            decision_rows.append(dict(
                inbound_id=message, case_id=None if robot else n, kind="auto_reply" if robot else
                "request" if first_one else "follow_up", action=action, regime=regime,
                reasons=["an automatic reply"] if robot else ["a request for information"],
                facts={"applicant_name": f"Person {n}"}, created_at=at))
            if first_one:
                outbox_rows.append(dict(mailbox=MAILBOX, inbound_id=message, case_id=n, template="acknowledgement_foi",
                                        message_id=f"<r{message}@council.example>", in_reply_to=f"<{message}@e>",
                                        recipient=f"person{n}@example.org", recipient_key=f"person{n}@example.org",
                                        raw=b"Subject: Re\r\n\r\nReceived.\r\n", status="sent", in_sent=True,
                                        attempts=1, next_attempt_at=at, created_at=at, sent_at=at))
        if answered and n % 50 == 0:
            review_day = received + timedelta(days=40)
            review = compute_deadline("internal_review", review_day, (), policy)
            review_rows.append(dict(case_id=n, inbound_id=message, received=review_day, due=review.due,
                                    due_why=review.why, calendar=review.calendar,
                                    status="open" if (today - review_day).days < 60 else "answered",
                                    created_at=datetime.combine(review_day, at_nine)))
    with db.session() as session:
        for model, rows in ((Case, case_rows), (InboundMessage, inbound_rows), (Decision, decision_rows),
                            (OutboxMessage, outbox_rows), (ClockEventRow, event_rows), (Review, review_rows)):
            for batch in chunks(iter(rows)):
                session.execute(insert(model.__table__), batch)
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            for table in ("cases", "inbound_messages", "decisions", "outbox", "clock_events", "reviews"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT coalesce(max(id), 1) FROM {table}))"))
                connection.execute(text(f"ANALYZE {table}"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    opened = sum(1 for row in case_rows if row["status"] == "open")
    return {"cases": cases, "open": opened, "messages": message}


__all__ = ["MAILBOX", "TODAY", "fill"]
