"""The UK working-day calendar that every due date is counted on (the counting itself is in clock.py).

FOIA s10(6) defines a working day as any day but Saturday, Sunday, Christmas Day, Good Friday or a bank holiday
"in any part of the United Kingdom" — so the calendar is the union of the four nations' holidays, not
`country_holidays('GB')` (which is England only). Days proclaimed after the `holidays` release can be added by
configuration, and a day the package lists for a nation that was not a bank holiday there in law can be removed
(`HOLIDAY_CORRECTIONS`, the default of `calendar.not_holidays`); each due date records the calendar that produced it
so a later change can be found and recomputed.
"""

from __future__ import annotations

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


@lru_cache(maxsize=64)
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
        """The count-th working day after start; start itself is never counted (day 1 is the next working day)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

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


def add_months(start: date, months: int) -> date:
    """Same date `months` later; the last day of the month when that date does not exist (the ICO method)."""
    return start + relativedelta(months=months)
