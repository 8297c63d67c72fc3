"""The UK working-day calendar (FOIA s10(6)): the union of the four nations, plus configured extra days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mailbot.clock.workdays import WorkingCalendar, add_months, receipt_date

UK = WorkingCalendar()


def test_union_calendar_is_not_england_only() -> None:
    assert not UK.is_working_day(date(2024, 3, 18))  # St Patrick's Day substitute, Northern Ireland
    assert not UK.is_working_day(date(2026, 6, 15))  # Scotland only
    assert not UK.is_working_day(date(2022, 7, 12))  # Battle of the Boyne, Northern Ireland
    assert WorkingCalendar(nations=("ENG",)).is_working_day(date(2026, 6, 15))
    assert UK.is_working_day(date(2022, 5, 30))  # an ordinary Monday


def test_weekends_christmas_and_good_friday() -> None:
    assert not UK.is_working_day(date(2022, 5, 14))
    assert not UK.is_working_day(date(2025, 12, 25))
    assert not UK.is_working_day(date(2023, 4, 7))


def test_extra_non_working_day_setting_is_recorded_in_the_identity() -> None:
    extra = WorkingCalendar(extra_non_working=frozenset({date(2022, 5, 13)}))
    assert extra.add_working_days(date(2022, 5, 12), 1) == date(2022, 5, 16)
    assert "2022-05-13" in extra.identity and "holidays " in extra.identity
    assert extra.identity != UK.identity


def test_skipped_holidays_name_the_days() -> None:
    skipped = UK.skipped_holidays(date(2022, 5, 12), date(2022, 6, 13))
    assert [d for d, _ in skipped] == [date(2022, 6, 2), date(2022, 6, 3)]


def test_receipt_date_is_london_local_date() -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    assert receipt_date(datetime(2022, 6, 30, 23, 30, tzinfo=UTC)) == date(2022, 7, 1)
    with pytest.raises(ValueError):
        receipt_date(datetime(2022, 6, 30, 23, 30))


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


# -- corrections to the holidays package (calendar.not_holidays) ------------------------------------------------

def test_st_andrews_day_2006_was_not_a_scottish_bank_holiday() -> None:
    """The St Andrew's Day Bank Holiday (Scotland) Act 2007 made 30 November a bank holiday from 2007; the
    holidays package lists it from 2006. Corrected by default: FOI received 24 November 2006 is due 22 December."""
    assert UK.is_working_day(date(2006, 11, 30))
    assert UK.add_working_days(date(2006, 11, 24), 20) == date(2006, 12, 22)
    uncorrected = WorkingCalendar(not_holidays=frozenset())
    assert not uncorrected.is_working_day(date(2006, 11, 30))  # what the package alone says
    assert uncorrected.add_working_days(date(2006, 11, 24), 20) == date(2006, 12, 27)
    assert "SCT:2006-11-30" in UK.identity and "not [" not in uncorrected.identity
    # From 2007 the Act applies: 30 November 2007 (a Friday) and 30 November 2026 (a Monday) are holidays.
    assert not UK.is_working_day(date(2007, 11, 30)) and not UK.is_working_day(date(2026, 11, 30))


def test_a_correction_removes_a_day_for_its_own_nation_only() -> None:
    # 17 March 2025 is St Patrick's Day in Northern Ireland; removing it for Scotland changes nothing.
    wrong_nation = WorkingCalendar(not_holidays=frozenset({("SCT", date(2025, 3, 17))}))
    assert not wrong_nation.is_working_day(date(2025, 3, 17))
    removed = WorkingCalendar(not_holidays=frozenset({("NIR", date(2025, 3, 17))}))
    assert removed.is_working_day(date(2025, 3, 17))
    # Easter Monday 2025 is a holiday in England, Wales and Northern Ireland: removing it for one nation keeps it.
    assert not WorkingCalendar(not_holidays=frozenset({("ENG", date(2025, 4, 21))})).is_working_day(
        date(2025, 4, 21))
    # A correction for a nation outside the calendar is not part of its identity.
    assert "not [" not in WorkingCalendar(nations=("ENG", "WLS")).identity
