"""Working days are counted arithmetically (weekdays by ordinal, holidays by bisection); these properties hold the
arithmetic to the plain day-by-day count it replaced, over ranges of years and every kind of calendar setting."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.clock.deadlines import working_days_between
from mailbot.clock.workdays import HOLIDAY_CORRECTIONS, UK_NATIONS, WorkingCalendar

DAYS = st.dates(min_value=date(1995, 1, 1), max_value=date(2045, 12, 31))
NATIONS = st.lists(st.sampled_from(UK_NATIONS), min_size=1, max_size=4, unique=True).map(tuple)
# Corrections and extra days drawn from real holidays and ordinary days alike, weekends included.
NOT_HOLIDAYS = st.frozensets(st.tuples(st.sampled_from(UK_NATIONS), st.sampled_from(
    [date(2006, 11, 30), date(2022, 7, 12), date(2024, 3, 18), date(2026, 6, 15), date(2025, 12, 25),
     date(2023, 4, 7), date(2030, 5, 6)])), max_size=4) | st.just(HOLIDAY_CORRECTIONS)
EXTRA = st.frozensets(st.dates(min_value=date(1995, 1, 1), max_value=date(2045, 12, 31)), max_size=6)
CALENDARS = st.builds(WorkingCalendar, nations=NATIONS, extra_non_working=EXTRA, not_holidays=NOT_HOLIDAYS)


def day_by_day_between(start: date, end: date, cal: WorkingCalendar) -> int:
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += cal.is_working_day(day)
    return count


def day_by_day_add(cal: WorkingCalendar, start: date, count: int) -> date:
    day, remaining = start, count
    while remaining > 0:
        day += timedelta(days=1)
        remaining -= cal.is_working_day(day)
    return day


@settings(max_examples=150, deadline=None)
@given(CALENDARS, DAYS, DAYS)
def test_counting_between_matches_day_by_day(cal: WorkingCalendar, start: date, end: date) -> None:
    assert working_days_between(start, end, cal) == day_by_day_between(start, end, cal)


@settings(max_examples=150, deadline=None)
@given(CALENDARS, DAYS, st.integers(min_value=0, max_value=2_000))
def test_adding_working_days_matches_day_by_day(cal: WorkingCalendar, start: date, count: int) -> None:
    added = cal.add_working_days(start, count)
    assert added == day_by_day_add(cal, start, count)
    if count:
        assert cal.is_working_day(added) and working_days_between(start, added, cal) == count


@given(DAYS, st.integers(min_value=0, max_value=60))
def test_extra_day_on_a_holiday_or_a_weekend_is_counted_once(start: date, count: int) -> None:
    christmas = date(start.year, 12, 25)
    cal = WorkingCalendar(extra_non_working=frozenset({christmas, christmas + timedelta(days=1),
                                                      start + timedelta(days=(5 - start.weekday()) % 7)}))
    assert cal.add_working_days(start, count) == day_by_day_add(cal, start, count)
