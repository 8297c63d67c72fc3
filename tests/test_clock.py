"""The statutory clock against every worked example, the clock events, staff states, and the law's properties."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.clock.deadlines import ClockEvent, ClockPolicy, compute_deadline, staff_state
from mailbot.clock.workdays import WorkingCalendar, add_months

EXAMPLES = json.loads((Path(__file__).parent / "data" / "deadline-examples.json").read_text())
UK = WorkingCalendar()
D = date.fromisoformat


def due(regime: str, received: str, *events: tuple[str, str], policy: ClockPolicy | None = None) -> date | None:
    return compute_deadline(regime, D(received), [ClockEvent(D(on), kind) for kind, on in events], policy).due


@pytest.mark.parametrize("row", EXAMPLES["foi_20_working_days"], ids=lambda r: r["received"])
@pytest.mark.parametrize("regime", ["foi", "eir", "internal_review"])
def test_twenty_working_day_examples(row: dict, regime: str) -> None:
    assert due(regime, row["received"]) == D(row["due"])


@pytest.mark.parametrize("row", EXAMPLES["sar_one_month"], ids=lambda r: r["received"])
def test_subject_access_examples(row: dict) -> None:
    assert due("sar", row["received"]) == D(row["due"])


def test_subject_access_nation_setting() -> None:
    scotland = ClockPolicy(sar_calendar=WorkingCalendar(nations=("SCT",)))
    assert due("sar", "2024-10-30", policy=scotland) == D("2024-12-03")


def example(case_prefix: str) -> dict:
    return next(r for r in EXAMPLES["clock_events"] if r["case"].startswith(case_prefix))


def test_missing_name_supplied_later() -> None:
    row = example("missing name")
    assert due("foi", row["received"], ("completed", row["completed"])) == D(row["due"])


def test_fees_notice_days_do_not_count() -> None:
    row = example("fees notice")
    assert due("foi", row["received"]) == D(row["due_without_notice"])
    assert due("foi", row["received"], ("fees_notice", row["fees_notice"]), ("fee_received", row["fee_received"])) \
        == D(row["due"])


def test_eir_extension_to_forty_working_days() -> None:
    row = example("EIR extended")
    assert due("eir", row["received"]) == D(row["due"])
    assert due("eir", row["received"], ("extended", "2024-11-20")) == D(row["extended_due"])


def test_public_interest_extension() -> None:
    row = example("public interest")
    assert due("foi", row["received"], ("extended", "2022-06-01")) == D(row["extended_due"])


def test_subject_access_extension_runs_from_the_same_start() -> None:
    row = example("subject access extended")
    assert due("sar", row["received"], ("extended", "2025-02-01")) == D(row["extended_due"])


def test_internal_review_extension_to_forty() -> None:
    assert due("internal_review", "2022-06-20", ("extended", "2022-06-21")) == \
        UK.add_working_days(D("2022-06-20"), 40)


def test_foi_clarification_stops_the_clock_and_restarts_it() -> None:
    waiting = compute_deadline("foi", D("2023-01-09"), [ClockEvent(D("2023-01-10"), "clarification_asked")])
    assert waiting.due is None and waiting.state == "awaiting_clarification"
    assert due("foi", "2023-01-09", ("clarification_asked", "2023-01-10"), ("clarification_received", "2023-01-20")) \
        == D("2023-02-17")


def test_sar_clarification_pauses_and_adds_the_days_back() -> None:
    # 3 Sep 2019 + 1 month = 3 Oct; paused 10 Sep → 17 Sep (7 days) → 10 Oct 2019 (a Thursday).
    result = compute_deadline("sar", D("2019-09-03"), [ClockEvent(D("2019-09-10"), "clarification_asked"),
                                                       ClockEvent(D("2019-09-17"), "clarification_received")])
    assert result.due == D("2019-10-10") and "7 days paused" in result.why


def test_unpaid_fee_stops_the_clock_and_lapses_after_three_months() -> None:
    events = [ClockEvent(D("2023-03-10"), "fees_notice")]
    waiting = compute_deadline("foi", D("2023-03-06"), events, today=D("2023-05-01"))
    assert (waiting.due, waiting.state) == (None, "awaiting_fee")
    lapsed = compute_deadline("foi", D("2023-03-06"), events, today=D("2023-06-11"))
    assert lapsed.state == "lapsed" and "10 June 2023" in lapsed.why


def test_answered_withdrawn_closed_keep_the_due_date_and_stop() -> None:
    answered = compute_deadline("foi", D("2022-05-12"), [ClockEvent(D("2022-06-10"), "answered")])
    assert (answered.due, answered.state, answered.answered_on) == (D("2022-06-13"), "answered", D("2022-06-10"))
    withdrawn = compute_deadline("foi", D("2022-05-12"), [ClockEvent(D("2022-05-20"), "withdrawn")])
    assert withdrawn.state == "withdrawn" and withdrawn.due == D("2022-06-13")


def test_why_this_date_in_plain_english() -> None:
    why = compute_deadline("foi", D("2022-05-12")).why
    assert why.startswith("20 working days after Thursday 12 May 2022, not counting Thursday 2 June 2022")
    assert "Friday 3 June 2022" in why


def test_unknown_event_and_regime_are_refused() -> None:
    with pytest.raises(ValueError):
        ClockEvent(D("2022-05-12"), "paused")
    with pytest.raises(ValueError):
        compute_deadline("dpa", D("2022-05-12"))


@pytest.mark.parametrize("today,label,n", [
    ("2022-06-09", "due_in", 2), ("2022-06-13", "due_today", 0), ("2022-06-14", "overdue", 1),
    ("2022-07-08", "overdue", 19), ("2022-07-11", "long_overdue", 20),
])
def test_staff_states(today: str, label: str, n: int) -> None:
    state = staff_state(compute_deadline("foi", D("2022-05-12")), D(today))
    assert (state.label, state.working_days) == (label, n)


def test_staff_state_on_hold_and_done() -> None:
    held = compute_deadline("foi", D("2023-01-09"), [ClockEvent(D("2023-01-10"), "clarification_asked")])
    assert staff_state(held, D("2023-02-01")).label == "on_hold"
    done = compute_deadline("foi", D("2022-05-12"), [ClockEvent(D("2022-06-10"), "answered")])
    assert staff_state(done, D("2022-08-01")).label == "done"


receipts = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(receipts, st.sampled_from(["foi", "eir"]))
def test_foi_and_eir_due_is_exactly_the_20th_working_day_after_receipt(received: date, regime: str) -> None:
    result = compute_deadline(regime, received).due
    assert result is not None and result > received and UK.is_working_day(result)
    count = sum(1 for n in range(1, (result - received).days + 1) if UK.is_working_day(received + timedelta(days=n)))
    assert count == 20


@settings(max_examples=200, deadline=None)
@given(receipts, st.integers(min_value=1, max_value=10))
def test_later_receipt_is_never_due_earlier(received: date, gap: int) -> None:
    assert compute_deadline("foi", received + timedelta(days=gap)).due >= compute_deadline("foi", received).due


@settings(max_examples=200, deadline=None)
@given(receipts)
def test_sar_due_is_a_working_day_at_least_a_month_later(received: date) -> None:
    result = compute_deadline("sar", received).due
    assert result is not None and result >= add_months(received, 1)
    assert WorkingCalendar(nations=("ENG", "WLS")).is_working_day(result)


@settings(max_examples=200, deadline=None)
@given(receipts, st.integers(1, 15), st.integers(0, 30), st.integers(1, 40))
def test_fees_pause_and_extension_compose_in_either_order(received: date, notice_after: int, paid_after: int,
                                                          extended_after: int) -> None:
    notice = received + timedelta(days=notice_after)
    paid = notice + timedelta(days=paid_after)
    extended = received + timedelta(days=extended_after)
    events = [ClockEvent(notice, "fees_notice"), ClockEvent(paid, "fee_received"), ClockEvent(extended, "extended")]
    forward = compute_deadline("foi", received, events)
    backward = compute_deadline("foi", received, list(reversed(events)))
    assert forward.due == backward.due and forward.due is not None
    # and the pause can only move the date later than the extension alone
    assert forward.due >= compute_deadline("foi", received, [ClockEvent(extended, "extended")]).due


def test_reopening_undoes_the_stops_before_it_and_keeps_the_statutory_due_date() -> None:
    from mailbot.clock.deadlines import ClockEvent, compute_deadline

    received = date(2022, 5, 12)  # due 13 June 2022 (2 and 3 June were bank holidays)
    closed = compute_deadline("foi", received, [ClockEvent(date(2022, 5, 13), "closed")])
    assert closed.state == "closed"
    reopened = compute_deadline("foi", received, [ClockEvent(date(2022, 5, 13), "closed"),
                                                  ClockEvent(date(2022, 5, 20), "reopened")])
    assert (reopened.state, reopened.due) == ("running", date(2022, 6, 13))
    answered_again = compute_deadline("foi", received, [ClockEvent(date(2022, 5, 13), "answered"),
                                                        ClockEvent(date(2022, 5, 20), "reopened"),
                                                        ClockEvent(date(2022, 6, 1), "answered")])
    assert (answered_again.state, answered_again.answered_on) == ("answered", date(2022, 6, 1))
