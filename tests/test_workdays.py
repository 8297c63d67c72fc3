"""Due dates against the worked examples (copied from the shared reference) and the law's properties."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.workdays import WorkingCalendar, add_months, due_date, receipt_date

EXAMPLES = json.loads((Path(__file__).parent / "data" / "deadline-examples.json").read_text())
UK = WorkingCalendar()


@pytest.mark.parametrize("row", EXAMPLES["foi_20_working_days"], ids=lambda r: r["received"])
def test_foi_examples(row: dict) -> None:
    assert due_date(date.fromisoformat(row["received"]), "foi").due == date.fromisoformat(row["due"])


@pytest.mark.parametrize("row", EXAMPLES["sar_one_month"], ids=lambda r: r["received"])
def test_sar_examples(row: dict) -> None:
    assert due_date(date.fromisoformat(row["received"]), "sar").due == date.fromisoformat(row["due"])


def test_sar_scottish_calendar_setting_moves_st_andrews_day() -> None:
    scotland = WorkingCalendar(nations=("SCT",))
    assert due_date(date(2024, 10, 30), "sar", sar_calendar=scotland).due == date(2024, 12, 3)


def test_missing_name_supplied_later_runs_from_completion() -> None:
    row = next(r for r in EXAMPLES["clock_events"] if r["case"].startswith("missing name"))
    assert due_date(date.fromisoformat(row["completed"])).due == date.fromisoformat(row["due"])


def test_seed_why_names_both_bank_holidays() -> None:
    why = due_date(date(2022, 5, 12)).why
    assert "Thursday 12 May 2022" in why
    assert "Thursday 2 June 2022" in why and "Friday 3 June 2022" in why


def test_internal_review_counts_northern_ireland_12_july() -> None:
    assert due_date(date(2022, 6, 20), "internal_review").due == date(2022, 7, 19)


def test_union_calendar_is_not_england_only() -> None:
    assert not UK.is_working_day(date(2024, 3, 18))  # St Patrick's Day substitute, Northern Ireland
    assert not UK.is_working_day(date(2026, 6, 15))  # Scotland only
    assert WorkingCalendar(nations=("ENG",)).is_working_day(date(2026, 6, 15))


def test_extra_non_working_day_setting() -> None:
    extra = WorkingCalendar(extra_non_working=frozenset({date(2022, 5, 13)}))
    assert extra.add_working_days(date(2022, 5, 12), 1) == date(2022, 5, 16)
    assert "2022-05-13" in extra.identity


def test_receipt_date_is_london_local_date() -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    assert receipt_date(datetime(2022, 6, 30, 23, 30, tzinfo=timezone.utc)) == date(2022, 7, 1)
    with pytest.raises(ValueError):
        receipt_date(datetime(2022, 6, 30, 23, 30))


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


receipts = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(receipts)
def test_foi_due_is_the_20th_working_day_after_receipt(received: date) -> None:
    due = due_date(received).due
    assert due > received
    assert UK.is_working_day(due)
    count = sum(1 for n in range(1, (due - received).days + 1) if UK.is_working_day(received + timedelta(days=n)))
    assert count == 20


@settings(max_examples=200, deadline=None)
@given(receipts, st.integers(min_value=1, max_value=10))
def test_later_receipt_is_never_due_earlier(received: date, gap: int) -> None:
    assert due_date(received + timedelta(days=gap)).due >= due_date(received).due


@settings(max_examples=200, deadline=None)
@given(receipts)
def test_sar_due_is_a_working_day_at_least_a_month_later(received: date) -> None:
    due = due_date(received, "sar").due
    assert due >= add_months(received, 1)
    assert WorkingCalendar(nations=("ENG", "WLS")).is_working_day(due)
