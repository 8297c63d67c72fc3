"""The UK working-day calendar that every due date is counted on (the counting itself is in clock.py).

FOIA s10(6) defines a working day as any day but Saturday, Sunday, Christmas Day, Good Friday or a bank holiday
"in any part of the United Kingdom" — so the calendar is the union of the four nations' holidays, not
`country_holidays('GB')` (which is England only). Days proclaimed after the `holidays` release can be added by
configuration, and a day the package lists for a nation that was not a bank holiday there in law can be removed
(`HOLIDAY_CORRECTIONS`, the default of `calendar.not_holidays`); each due date records the calendar that produced it
so a later change can be found and recomputed.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

LONDON = ZoneInfo("Europe/London")
UK_NATIONS = ("ENG", "WLS", "SCT", "NIR")

# Days the `holidays` package lists for one nation that were not bank holidays there in law, as (nation, day).
# Each entry cites the law; only corrections that can be cited are shipped.
HOLIDAY_CORRECTIONS: frozenset[tuple[str, date]] = frozenset({
    # St Andrew's Day became a Scottish bank holiday only by the St Andrew's Day Bank Holiday (Scotland) Act 2007
    # (asp 2, Royal Assent 15 January 2007), which added 30 November to Schedule 1 of the Banking and Financial
    # Dealings Act 1971. The package lists it from 2006; 30 November 2006 was an ordinary working day.
    ("SCT", date(2006, 11, 30)),
})


def receipt_date(moment: datetime) -> date:
    """The date of receipt: the UK local date on which the message reached the mailbox."""
    if moment.tzinfo is None:
        raise ValueError("receipt time must be timezone-aware (IMAP INTERNALDATE carries its offset)")
    return moment.astimezone(LONDON).date()


@lru_cache(maxsize=1024)  # four nations over decades of stored cases
def _nation_holidays(nation: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv=nation, years=year))


@lru_cache(maxsize=8192)
def _holiday_name(nations: tuple[str, ...], day: date,
                  not_holidays: frozenset[tuple[str, date]] = frozenset()) -> str | None:
    """The public holidays of any of these nations on this day (counting 20 working days asks about ~46 days),
    leaving out a nation's listing that `not_holidays` corrects."""
    names: list[str] = []
    for nation in nations:
        if (nation, day) in not_holidays:
            continue
        name = _nation_holidays(nation, day.year).get(day)
        if name and name not in names:
            names.append(name)
    return "; ".join(names) or None


@dataclass(frozen=True)
class _Span:
    first: int
    last: int
    days: list[date]


@dataclass(frozen=True)
class WorkingCalendar:
    """A working-day calendar: weekends plus the public holidays of the given nations plus extra days, less the
    package's listings that `not_holidays` corrects (per nation: a day wrong for one nation may be right for
    another)."""

    nations: tuple[str, ...] = UK_NATIONS
    extra_non_working: frozenset[date] = field(default_factory=frozenset)
    not_holidays: frozenset[tuple[str, date]] = HOLIDAY_CORRECTIONS

    @property
    def identity(self) -> str:
        """Recorded beside each due date so a change of package or settings can be detected later."""
        extras = ",".join(sorted(d.isoformat() for d in self.extra_non_working))
        version = holidays.__version__
        identity = f"holidays {version}; {'+'.join(self.nations)}; extra [{extras}]"
        removed = ",".join(f"{nation}:{day.isoformat()}" for nation, day in sorted(self.not_holidays)
                           if nation in self.nations)
        return f"{identity}; not [{removed}]" if removed else identity

    def holiday_name(self, day: date) -> str | None:
        """Why a weekday is not a working day, or None when it is one."""
        if day in self.extra_non_working:
            return "non-working day (configured)"
        return _holiday_name(self.nations, day, self.not_holidays)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def add_working_days(self, start: date, count: int) -> date:
        """The count-th working day after start; start itself is never counted (day 1 is the next working day).

        Counted arithmetically (weekdays by ordinal, then one more step per holiday found in the range), so a count
        over years costs a few look-ups, not a loop over every day."""
        if count <= 0:
            return start
        end = _add_weekdays(start, count)
        while (short := count - self.working_days_between(start, end)) > 0:
            end = _add_weekdays(end, short)  # each weekday holiday in range pushes the end one weekday further
        return end

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after start up to and including end (0 when end is not after start): weekdays by
        arithmetic, less the weekday holidays in range found by bisection in each year's sorted list."""
        if end <= start:
            return 0
        days = self._holidays_spanning(start.year, end.year)
        holidays_in_range = bisect_right(days, end) - bisect_right(days, start)
        return _weekdays_upto(end) - _weekdays_upto(start) - holidays_in_range

    def _holidays_spanning(self, first: int, last: int) -> list[date]:
        """The sorted weekday holidays of a span of years covering first..last, widened when asked beyond it and
        kept on the calendar itself (hashing the calendar for a shared cache cost more than the count)."""
        span = self.__dict__.get("_span")
        if span is None or first < span.first or last > span.last:
            low, high = (first, last) if span is None else (min(first, span.first), max(last, span.last))
            span = _Span(low, high, [day for year in range(low, high + 1) for day in _weekday_holidays(self, year)])
            self.__dict__["_span"] = span  # replaced whole: a reader never sees half a span (frozen: no setattr)
        return span.days

    def next_working_day(self, day: date) -> date:
        """day itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def skipped_holidays(self, start: date, end: date) -> list[tuple[date, str]]:
        """Weekday holidays strictly after start up to and including end: the "why" of a due date."""
        skipped = []
        day = start + timedelta(days=1)
        while day <= end:
            if day.weekday() < 5:
                name = self.holiday_name(day)
                if name:
                    skipped.append((day, name))
            day += timedelta(days=1)
        return skipped


def _weekdays_upto(day: date) -> int:
    """Weekdays from 1 January of year 1 (a Monday, ordinal 1) up to and including day."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _add_weekdays(start: date, count: int) -> date:
    """The count-th weekday after start (count >= 1): the inverse of _weekdays_upto."""
    weeks, rest = divmod(_weekdays_upto(start) + count, 5)
    return date.fromordinal(weeks * 7 - 2 if rest == 0 else weeks * 7 + rest)


def _weekday_holidays(calendar: WorkingCalendar, year: int) -> tuple[date, ...]:
    """The weekdays of one year that are not working days on this calendar, sorted (what holiday_name says)."""
    candidates = {day for day in calendar.extra_non_working if day.year == year}
    for nation in calendar.nations:
        candidates.update(day for day in _nation_holidays(nation, year) if day.year == year)
    return tuple(sorted(day for day in candidates if day.weekday() < 5 and calendar.holiday_name(day) is not None))


def add_months(start: date, months: int) -> date:
    """Same date `months` later; the last day of the month when that date does not exist (the ICO method)."""
    return start + relativedelta(months=months)
