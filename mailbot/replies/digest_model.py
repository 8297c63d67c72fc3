"""What the staff digest says: frozen values the digest template renders, free of the database that fills them.

They live with the templates, below the runners, so `templates check` and `templates preview` can render a digest
from sample data, and the queries that gather a real one (`runners.digest_contents`) fill the same shapes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

DUE_SOON_WORKING_DAYS = 5
ICO_TARGET_PERCENT = 90  # the ICO monitors authorities answering fewer than 90% of requests on time
MAX_ROWS = 300  # per section; the rest is counted ("and N more"), so a backlog cannot make the mail unsendable
DIGEST_MAX_CHARS = 2_000_000


@dataclass(frozen=True)
class CaseLine:
    """One request, enquiry or internal review in a section."""

    label: str  # "13931/2022", "13931/2022 (internal review)", or "#12" while held without a reference
    regime: str
    subject: str
    received: date | None  # the day the clock runs from (for a held request: when it first arrived)
    due: date | None
    state: str  # "due in 3 working days", "overdue (2 working days late)", "held: name missing", …
    working_days: int | None = None  # until due (due soon), or past due (overdue), as clock.staff_state counts
    since: date | None = None  # on hold since (held, awaiting clarification or a fee)
    waiting_working_days: int | None = None  # working days on hold so far


@dataclass(frozen=True)
class MessageLine:
    """One inbound message the bot did not answer, or one reply that could not be delivered."""

    message_id: str
    received: date | None
    kind: str  # robot kind, "request"/"follow_up", or the reply's template
    why: str  # the first reason, or the error
    reference: str | None = None
    regime: str | None = None  # for a person's mail that may be a request: the law it would fall under …
    due: date | None = None  # … and the due date it would have, counted from `received`


@dataclass(frozen=True)
class AlertLine:
    detail: str  # `path:line: message`
    day: date
    occurrences: int


@dataclass(frozen=True)
class DisposalLine:
    """Records the retention schedule will dispose of soon: one case by its reference, or messages counted by rule."""

    label: str  # "13931/2022", or "14 messages"
    rule: str  # the [retention] rule: closed_case, sar_case, unanswered_mail, quarantine, staff_mail
    due: date  # the first day it may go (the earliest, for a count)
    removes: str  # what goes, and from where


@dataclass(frozen=True)
class Section:
    """A list capped at MAX_ROWS; `total` counts everything, `more` what was left out."""

    rows: tuple[Any, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    @classmethod
    def of(cls, rows: Iterable[Any]) -> Section:
        items = list(rows)
        return cls(tuple(items[:MAX_ROWS]), len(items))


@dataclass(frozen=True)
class OnTimeRate:
    """Enquiries answered this calendar year, and how many on or before their due date."""

    year: int
    answered: int
    on_time: int
    target_percent: int = ICO_TARGET_PERCENT

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.answered, 1) if self.answered else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.percent is None else self.percent >= self.target_percent


@dataclass(frozen=True)
class Digest:
    period_start: datetime  # Europe/London
    period_end: datetime  # Europe/London
    today: date
    on_time: OnTimeRate
    new: Section = field(default_factory=Section)
    held: Section = field(default_factory=Section)
    due_soon: Section = field(default_factory=Section)
    due_today: Section = field(default_factory=Section)
    overdue: Section = field(default_factory=Section)
    long_overdue: Section = field(default_factory=Section)
    needs_staff: Section = field(default_factory=Section)
    robots: Section = field(default_factory=Section)
    quarantined: Section = field(default_factory=Section)
    failed_replies: Section = field(default_factory=Section)
    alerts: Section = field(default_factory=Section)
    disposals: Section = field(default_factory=Section)  # the retention schedule's next `notice_days`
    disposal_days: int = 30

    @property
    def needs_action(self) -> int:
        """What the subject line leads with: due today, overdue, and mail waiting for a person."""
        return (self.due_today.total + self.overdue.total + self.long_overdue.total + self.needs_staff.total
                + self.quarantined.total + self.failed_replies.total)
