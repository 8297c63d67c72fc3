"""The retention schedule: a year of mixed requests runs through it under a fake clock, on SQLite and PostgreSQL.
Every record due goes (within the week it falls due), nothing held goes, the disposal log names no one, and the
first disposal waits for the notice period after the schedule starts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from mailbot.clock.deadlines import ClockEvent, ClockPolicy
from mailbot.clock.retention import CaseFacts, RetentionPolicy, add_years, case_verdict
from mailbot.config import settings_from_mapping
from mailbot.runners.retention import Retention
from mailbot.store.db import Database
from mailbot.store.models import Case, Decision, Disposal, InboundMessage, OutboxMessage
from mailbot.store.quarterly import quarter_stats
from mailbot.testing import casebook
from mailbot.testing.clock import ManualClock
from mailbot.testing.messages import MAILBOX

POLICY = ClockPolicy()
START = date(2025, 1, 6)  # a Monday
D = date


# -- the pure schedule ---------------------------------------------------------------------------------------------

def verdict(events: list[tuple[str, date]], today: date, **facts: Any) -> Any:
    return case_verdict(CaseFacts(facts.pop("regime", "foi"), facts.pop("status", "answered"),
                                  tuple(ClockEvent(on, kind) for kind, on in events), **facts),
                        RetentionPolicy(), today)


def test_a_closed_case_goes_three_years_after_its_matter_last_closed() -> None:
    answered = [("answered", D(2025, 2, 3))]
    assert verdict(answered, D(2028, 2, 3)).disposable(D(2028, 2, 3))
    assert not verdict(answered, D(2028, 2, 2)).disposable(D(2028, 2, 2))
    appealed = [*answered, ("ico_complaint", D(2025, 3, 1)), ("ico_decision", D(2025, 9, 1))]
    assert verdict(appealed, D(2028, 2, 3)).due == D(2028, 9, 1)  # from the ICO's decision, not the answer
    assert verdict([("answered", D(2025, 1, 6))], D(2035, 1, 1), regime="sar").due == D(2031, 1, 6)
    assert add_years(D(2024, 2, 29), 3) == D(2027, 2, 28)


def test_a_stop_undone_by_reopening_does_not_start_the_period() -> None:
    events = [("answered", D(2025, 2, 3)), ("reopened", D(2025, 2, 10)), ("answered", D(2025, 3, 3))]
    assert verdict(events, D(2028, 3, 3)).due == D(2028, 3, 3)
    from mailbot.clock.timeliness import timeliness

    answered = timeliness("foi", D(2025, 1, 6), [ClockEvent(on, kind) for kind, on in events], POLICY, D(2026, 1, 1))
    assert answered.answered == D(2025, 3, 3) and answered.state == "late"  # the answer that stands


def test_every_hold_is_named() -> None:
    late = D(2035, 1, 1)
    assert verdict([("answered", D(2025, 2, 3))], late, legal_hold="claim 12").holds == ("legal hold: claim 12",)
    assert "still open" in verdict([], late, status="open").holds[0]
    assert "internal review" in verdict([("answered", D(2025, 2, 3))], late, open_reviews=1).holds[0]
    complaint = [("answered", D(2025, 2, 3)), ("ico_complaint", D(2025, 3, 3))]
    assert "ICO complaint is open" in verdict(complaint, late).holds[0]
    decided = [*complaint, ("ico_decision", D(2034, 12, 1))]
    assert "may still be appealed (until 2035-01-12)" in verdict(decided, late).holds[0]
    appeal = [*decided, ("tribunal_appeal", D(2034, 12, 20))]
    assert verdict(appeal, late).holds == ("a tribunal appeal is open (since 2034-12-20)",)
    closed = [*appeal, ("appeal_closed", D(2034, 12, 30))]
    assert "appeal's decision of 2034-12-30 may still be appealed" in verdict(closed, late).holds[0]
    later = verdict([("answered", D(2025, 2, 3))], late, later_open_request="77/2034")
    assert later.holds == ("a later open request from the same applicant (77/2034) may cover it",)


# -- a year through the schedule -----------------------------------------------------------------------------------

NEVER = ("open ICO complaint", "legal hold", "still open", "open review", "covered by a later open request")


def year_of_requests(db: Database) -> dict[int, tuple[str, date | None]]:
    """Sixty requests over 2025, one of ten histories each, plus robot mail, a message left to staff and a
    quarantined one. Returns case id → (what it is, the day it closed, or None when it must never go)."""
    expected: dict[int, tuple[str, date | None]] = {}
    with db.session() as s:
        for n in range(60):
            received = START + timedelta(days=6 * n)
            received += timedelta(days=max(0, received.weekday() - 4) and 7 - received.weekday())
            answered = received + timedelta(days=14)
            address = f"person{n}@example.org"
            pattern = n % 10
            events: list[tuple[str, date]] = [("answered", answered)]
            kw: dict[str, Any] = {"outcome": "granted_in_full"}
            closed: date | None = answered
            what = "answered"
            if pattern == 1:
                events = [("extended", received + timedelta(days=7)), ("answered", received + timedelta(days=40))]
                closed, what = received + timedelta(days=40), "extended"
            elif pattern == 2:
                events, kw, closed, what = [("withdrawn", received + timedelta(days=3))], {}, \
                    received + timedelta(days=3), "withdrawn"
            elif pattern == 3:
                review_answer = answered + timedelta(days=30)
                kw["review"] = (answered + timedelta(days=5), [("answered", review_answer)], "upheld")
                closed, what = review_answer, "reviewed"
            elif pattern == 4:
                events += [("ico_complaint", answered + timedelta(days=60)),
                           ("ico_decision", answered + timedelta(days=200)),
                           ("tribunal_appeal", answered + timedelta(days=220)),
                           ("appeal_closed", answered + timedelta(days=400))]
                closed, what = answered + timedelta(days=400), "appealed"
            elif pattern == 5:
                events.append(("ico_complaint", answered + timedelta(days=60)))
                closed, what = None, NEVER[0]
            elif pattern == 6:
                kw["hold"] = "litigation"
                closed, what = None, NEVER[1]
            elif pattern == 7:
                events, kw, closed, what = [], {}, None, NEVER[2]
            elif pattern == 8:
                kw["review"] = (answered + timedelta(days=5), [], None)
                closed, what = None, NEVER[3]
            elif pattern == 9 and n < 50:
                address = "returning@example.org"  # and again in a later request still open (n = 57)
                closed, what = None, NEVER[4]
            if n == 57:
                address = "returning@example.org"
            regime = "sar" if n in (10, 20) else "eir" if n % 7 == 0 else "foi"
            stored = casebook.case(s, POLICY, received, events, regime=regime, address=address, **kw)
            if regime == "sar" and closed is not None:
                what = "sar"
            expected[stored.id] = (what, closed)
            if n % 2 == 0:  # robot mail, every other week
                casebook.message(s, received, action="none", kind="robot", sender="noreply@vendor.example")
        waiting = casebook.message(s, START, action="staff_review", kind="person")  # never triaged: held
        expected[-waiting.id] = ("waiting for staff", None)
        quarantined = casebook.message(s, START, status="quarantined", action="none", kind="person")
        casebook.triaged(s, quarantined.id, START + timedelta(days=10))
        expected[-quarantined.id] = ("quarantined", START + timedelta(days=10))
    return expected


def run_weekly(db: Database, expected: dict[int, tuple[str, date | None]], until: date) -> list[int]:
    settings = settings_from_mapping({"mailbox": {"address": MAILBOX}})
    runner = Retention(settings, db, instance="test:1")
    clock = ManualClock(datetime(2025, 1, 6, 2, 30, tzinfo=UTC))
    policy = settings.retention_policy()
    runs = []
    while clock.now.date() <= until:
        outcome = runner.dispose_due(clock.now)
        runs.append(sum(outcome.disposed.values()))
        today = clock.now.date()
        with db.session() as s:
            for case in s.scalars(select(Case)):
                what, closed = expected[case.id]
                years = policy.sar_case_years if case.regime == "sar" else policy.closed_case_years
                if case.anonymised_at is None:
                    assert closed is None or add_years(closed, years) + timedelta(days=7) > today, \
                        f"{case.reference} ({what}) was due on {add_years(closed, years)} and is still here"
                    continue
                assert closed is not None, f"{case.reference} ({what}) was disposed of while held"
                assert add_years(closed, years) <= case.anonymised_at.date() <= today
        clock.advance(days=7)
    return runs


def test_a_year_of_requests_runs_through_the_schedule(db_url: str) -> None:
    db = Database(db_url)
    expected = year_of_requests(db)
    with db.session() as s:
        before = quarter_stats(s, "2025Q2", POLICY, D(2032, 1, 1))[0]
    runs = run_weekly(db, expected, D(2032, 3, 1))
    assert runs[0] == 0 and sum(runs[:5]) == 0  # the schedule started; the first disposal waits 30 days
    with db.session() as s:
        for case in s.scalars(select(Case)):
            what, closed = expected[case.id]
            if closed is None:
                assert case.anonymised_at is None and case.address, f"{case.reference} ({what}) went"
                continue
            assert case.anonymised_at is not None, f"{case.reference} ({what}) was due and did not go"
            assert (case.applicant_name, case.address, case.subject) == (None, "", "")
            assert case.outcome is not None or what == "withdrawn"  # what the statistics count stays
        raws = {row.id: row.raw for row in s.scalars(select(InboundMessage))}
        decisions = {d.inbound_id: d for d in s.scalars(select(Decision))}
        for inbound_id, raw in raws.items():
            case_id = decisions[inbound_id].case_id
            what, closed = expected[case_id] if case_id else expected.get(-inbound_id, ("robot", START))
            assert (raw == b"") == (closed is not None), f"message #{inbound_id} ({what})"
            if closed is not None:
                assert decisions[inbound_id].facts == {}
        for reply in s.scalars(select(OutboxMessage)):
            assert (reply.raw == b"") == (expected[reply.case_id][1] is not None)
            assert (reply.recipient == "" and reply.in_reply_to is None) == (reply.raw == b"")
        log = list(s.scalars(select(Disposal)))
        after = quarter_stats(s, "2025Q2", POLICY, D(2032, 1, 1))[0]
    assert {row.rule for row in log} >= {"schedule_started", "closed_case", "sar_case", "unanswered_mail",
                                         "quarantine"}
    assert not any("@" in (row.detail + (row.reference or "")) for row in log)  # never the personal data
    assert sum(1 for row in log if row.record == "case") == sum(1 for _, c in expected.values() if c) - 1
    assert after.by_received.requests == before.by_received.requests > 0
    assert after.by_received.outcomes == before.by_received.outcomes
    db.dispose()


def test_the_dry_run_lists_what_would_go_and_why_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mailbot.testing.commands import mailbot

    url = f"sqlite:///{tmp_path}/mailbot.db"
    db = Database(url)
    with db.session() as s:
        gone = casebook.case(s, POLICY, D(2020, 3, 2), [("answered", D(2020, 3, 20))], outcome="not_held")
        held = casebook.case(s, POLICY, D(2020, 3, 2), [("answered", D(2020, 3, 20))], outcome="not_held",
                             hold="claim 1234")
        labels = gone.reference, held.reference
    db.dispose()
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[mailbox]\naddress = "{MAILBOX}"\n')
    listed = mailbot("--config", str(config), "retention", "--dry-run", "--csv")
    assert listed.exit_code == 0, listed.output
    lines = {line.split(",")[1]: line for line in listed.output.splitlines()[1:]}
    assert "would go today" in lines[labels[0]] and "held: legal hold: claim 1234" in lines[labels[1]]
    assert "anonymised" in lines[labels[0]]  # what it removes, and from where
    released = mailbot("--config", str(config), "retention", "release", labels[1], "--as", "admin")
    assert released.exit_code == 0 and "released" in released.output
    again = mailbot("--config", str(config), "retention", "--dry-run")
    assert "2 records would go today, 0 held" in again.output and "legal hold" not in again.output


def test_the_dry_run_counts_a_legal_hold_on_a_case_not_yet_due(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An officer who has just held an open case is not told '0 held'."""
    from mailbot.testing.commands import mailbot

    url = f"sqlite:///{tmp_path}/mailbot.db"
    db = Database(url)
    with db.session() as s:
        casebook.case(s, POLICY, D(2026, 11, 2), hold="claim 99")  # open: nothing of it is due for years
    db.dispose()
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[mailbox]\naddress = "{MAILBOX}"\n')
    listed = mailbot("--config", str(config), "retention", "--dry-run")
    assert listed.exit_code == 0, listed.output
    assert "0 records would go today, 0 held; 1 case under a legal hold" in listed.output
    empty = mailbot("--config", str(config), "retention", "log")
    assert empty.exit_code == 0 and empty.output == "nothing disposed of yet\n"  # said, not a blank screen


def test_the_digest_lists_what_goes_in_the_next_30_days(db_url: str) -> None:
    from mailbot.replies.context import digest_context
    from mailbot.replies.templates import Templates
    from mailbot.runners.digest_contents import gather

    db = Database(db_url)
    settings = settings_from_mapping({"mailbox": {"address": MAILBOX}})
    with db.session() as s:
        soon = casebook.case(s, POLICY, D(2023, 12, 1), [("answered", D(2023, 12, 20))], outcome="not_held")
        casebook.case(s, POLICY, D(2023, 12, 1), [("answered", D(2023, 12, 20))], outcome="not_held", hold="claim")
        casebook.case(s, POLICY, D(2024, 3, 1), [("answered", D(2024, 3, 20))], outcome="not_held")  # not yet
        casebook.message(s, D(2026, 9, 20), action="none", kind="robot")
        label = soon.reference
    end = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    with db.session() as s:
        digest = gather(s, settings, end - timedelta(days=1), end)
    assert [(line.label, line.due) for line in digest.disposals.rows] == [("1 message", D(2026, 12, 19)),
                                                                         (label, D(2026, 12, 20))]
    text = Templates().render("digest", digest_context(digest, settings), max_chars=10**6).text
    assert "TO BE DISPOSED OF IN THE NEXT 30 DAYS" in text and label in text
    db.dispose()


def test_add_years_is_add_months_of_twelve_including_29_february() -> None:
    from mailbot.clock.retention import add_years
    from mailbot.clock.workdays import add_months

    day = date(2019, 1, 1)
    while day < date(2030, 1, 1):
        for years in (-3, 1, 3, 6):
            assert add_years(day, years) == add_months(day, 12 * years), (day, years)
        day += timedelta(days=1)
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
