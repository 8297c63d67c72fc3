"""Quarterly FOI statistics (s45 Code of Practice 2018, paras 8.5–8.6) and the per-request rows behind them.

One row per request received or answered in the quarter (names and addresses never; anonymised cases count the
same), classified by `clock.timeliness`, then counted both ways authorities publish: by the quarter a request was
received (the Cabinet Office's convention) and by the quarter it was answered (some councils'). The published
categories cover FOI and EIR; subject access requests appear in the per-request rows only.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mailbot.clock.deadlines import ClockEvent, ClockPolicy
from mailbot.clock.regimes import Regime
from mailbot.clock.timeliness import EXTENSION_BASIS, timeliness
from mailbot.store.models import Case, ClockEventRow, Review
from mailbot.store.outcomes import OUTCOMES, REVIEW_OUTCOMES

PUBLISHED = (Regime.FOI, Regime.EIR)


class QuarterError(ValueError):
    """A quarter not written as YYYYQn."""


def quarter_span(text: str) -> tuple[date, date]:
    """'2026Q3' → (1 July 2026, 30 September 2026)."""
    match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text.strip())
    if not match:
        raise QuarterError(f"{text!r} is not a quarter: write it as 2026Q3")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class RequestRow:
    """One request, as the per-request CSV has it (COLUMNS, in order)."""

    reference: str
    regime: str
    received: date
    due_initial: date | None
    due_final: date | None
    clarifications: int
    fees_notices: int
    extended: bool
    extension_basis: str
    answered: date | None
    working_days: int | None
    extension_working_days: int | None
    timeliness: str
    outcome: str
    exemptions: str
    review_received: date | None
    review_answered: date | None
    review_outcome: str
    ico_complaint: date | None
    ico_decision: date | None
    tribunal_appeal: date | None
    retention: str

    def csv(self) -> dict[str, Any]:
        return {name: ("yes" if value is True else "no" if value is False else
                       value.isoformat() if isinstance(value, date) else "" if value is None else value)
                for name, value in self.__dict__.items()}


COLUMNS = tuple(RequestRow.__dataclass_fields__)


def _first(events: list[ClockEvent], kind: str) -> date | None:
    days = [e.on for e in events if e.kind == kind]
    return min(days) if days else None


def request_rows(session: Session, start: date, end: date, policy: ClockPolicy, today: date,
                 mailboxes: list[str] | None = None) -> list[RequestRow]:
    """Every request with a reference received in [start, end] or answered then, in reference order."""
    received_on = func.coalesce(Case.received, Case.first_received)
    answered_then = select(ClockEventRow.case_id).where(
        ClockEventRow.kind == "answered", ClockEventRow.review_id.is_(None),
        ClockEventRow.occurred_on >= start, ClockEventRow.occurred_on <= end)
    query = select(Case).where(Case.reference.is_not(None), or_(received_on.between(start, end),
                                                                Case.id.in_(answered_then)))
    if mailboxes:
        query = query.where(Case.mailbox.in_(mailboxes))
    cases = list(session.scalars(query.order_by(Case.id)))
    ids = [c.id for c in cases]
    own: dict[int, list[ClockEvent]] = defaultdict(list)
    every: dict[int, list[ClockEvent]] = defaultdict(list)
    reviews: dict[int, list[Review]] = defaultdict(list)
    review_answered: dict[int, date] = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for case_id, review_id, kind, on in session.execute(select(
                ClockEventRow.case_id, ClockEventRow.review_id, ClockEventRow.kind, ClockEventRow.occurred_on)
                .where(ClockEventRow.case_id.in_(chunk))):
            every[case_id].append(ClockEvent(on, kind))
            if review_id is None:
                own[case_id].append(ClockEvent(on, kind))
            elif kind == "answered":
                review_answered[review_id] = min(on, review_answered.get(review_id, on))
        for stored in session.scalars(select(Review).where(Review.case_id.in_(chunk)).order_by(Review.id)):
            reviews[stored.case_id].append(stored)
    rows = []
    for case in cases:
        t = timeliness(case.regime, case.first_received, own[case.id], policy, today)
        review = reviews[case.id][0] if reviews[case.id] else None
        rows.append(RequestRow(
            case.reference or f"#{case.id}", case.regime, case.received or case.first_received, t.due_initial,
            t.due_final, t.clarification_asked, t.fees_notices, t.extended,
            EXTENSION_BASIS.get(Regime(case.regime), "") if t.extended else "", t.answered, t.working_days,
            t.extension_working_days, t.state, case.outcome or "", "; ".join(case.exemptions or []),
            review.received if review else None, review_answered.get(review.id) if review else None,
            (review.outcome or "") if review else "",
            _first(every[case.id], "ico_complaint"), _first(every[case.id], "ico_decision"),
            _first(every[case.id], "tribunal_appeal"),
            "anonymised" if case.anonymised_at else "legal hold" if case.hold_reason else "kept"))
    return rows


@dataclass
class Counts:
    """One convention's figures for the published regimes."""

    requests: int = 0
    timeliness: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    exemptions: Counter[str] = field(default_factory=Counter)
    extended: int = 0

    @property
    def in_time(self) -> int:
        return self.timeliness["within_20"] + self.timeliness["within_extension"]


@dataclass
class QuarterStats:
    quarter: str
    by_received: Counts
    by_answered: Counts
    reviews_received: int = 0
    reviews_answered: int = 0
    reviews_in_time: int = 0
    review_outcomes: Counter[str] = field(default_factory=Counter)
    ico_complaints: int = 0
    ico_decisions: int = 0
    tribunal_appeals: int = 0


def _count(counts: Counts, row: RequestRow) -> None:
    counts.requests += 1
    counts.timeliness[row.timeliness] += 1
    counts.extended += row.extended
    if row.outcome:
        counts.outcomes[row.outcome] += 1
    for cited in filter(None, row.exemptions.split("; ")):
        counts.exemptions[cited] += 1


def quarter_stats(session: Session, quarter: str, policy: ClockPolicy, today: date,
                  mailboxes: list[str] | None = None) -> tuple[QuarterStats, list[RequestRow]]:
    start, end = quarter_span(quarter)
    rows = request_rows(session, start, end, policy, today, mailboxes)
    stats = QuarterStats(quarter_of(start), Counts(), Counts())
    for row in rows:
        if row.regime not in PUBLISHED:
            continue
        if start <= row.received <= end:
            _count(stats.by_received, row)
        if row.answered is not None and start <= row.answered <= end:
            _count(stats.by_answered, row)
    _reviews_and_appeals(session, stats, start, end, mailboxes)
    return stats, rows


def _reviews_and_appeals(session: Session, stats: QuarterStats, start: date, end: date,
                         mailboxes: list[str] | None) -> None:
    scope = select(Case.id).where(Case.regime.in_([str(r) for r in PUBLISHED]))
    if mailboxes:
        scope = scope.where(Case.mailbox.in_(mailboxes))
    stats.reviews_received = int(session.scalar(select(func.count()).select_from(Review).where(
        Review.case_id.in_(scope), Review.received.between(start, end))) or 0)
    answered = session.execute(select(Review.outcome, Review.due, ClockEventRow.occurred_on)
                               .join(ClockEventRow, ClockEventRow.review_id == Review.id)
                               .where(Review.case_id.in_(scope), ClockEventRow.kind == "answered",
                                      ClockEventRow.occurred_on.between(start, end)))
    for outcome, due, on in answered:
        stats.reviews_answered += 1
        stats.reviews_in_time += on <= due
        stats.review_outcomes[outcome or "not recorded"] += 1
    for kind, attribute in (("ico_complaint", "ico_complaints"), ("ico_decision", "ico_decisions"),
                            ("tribunal_appeal", "tribunal_appeals")):
        setattr(stats, attribute, int(session.scalar(select(func.count()).select_from(ClockEventRow).where(
            ClockEventRow.case_id.in_(scope), ClockEventRow.kind == kind,
            ClockEventRow.occurred_on.between(start, end))) or 0))


def summary(stats: QuarterStats) -> list[tuple[str, str, str]]:
    """(measure, by quarter received, by quarter answered): what the text and the CSV print, in the published order."""
    r, a = stats.by_received, stats.by_answered
    rows = [("received", str(r.requests), ""), ("answered", "", str(a.requests)),
            ("answered within 20 working days", str(r.timeliness["within_20"]), str(a.timeliness["within_20"])),
            ("answered within a permitted extension", str(r.timeliness["within_extension"]),
             str(a.timeliness["within_extension"])),
            ("answered late", str(r.timeliness["late"]), str(a.timeliness["late"])),
            ("in time (the first two)", str(r.in_time), str(a.in_time)),
            ("still open, not yet due", str(r.timeliness["open"]), ""),
            ("still open and late", str(r.timeliness["open_late"]), ""),
            ("withdrawn or closed unanswered", str(r.timeliness["withdrawn"] + r.timeliness["closed"]), ""),
            ("public-interest or reg 7 extension used", str(r.extended), str(a.extended))]
    rows += [(f"outcome: {label}", str(r.outcomes[key]), str(a.outcomes[key])) for key, label in OUTCOMES.items()]
    cited = sorted(set(r.exemptions) | set(a.exemptions))
    rows += [(f"exemption cited: {c}", str(r.exemptions[c]), str(a.exemptions[c])) for c in cited]
    rows += [("internal reviews received", str(stats.reviews_received), ""),
             ("internal reviews answered", "", str(stats.reviews_answered)),
             ("internal reviews answered in time", "", str(stats.reviews_in_time))]
    rows += [(f"internal review: {label}", "", str(stats.review_outcomes[key]))
             for key, label in REVIEW_OUTCOMES.items()]
    rows += [("complaints to the ICO", str(stats.ico_complaints), ""),
             ("ICO decision notices", str(stats.ico_decisions), ""),
             ("appeals to the tribunal", str(stats.tribunal_appeals), "")]
    return rows


__all__ = ["COLUMNS", "Counts", "QuarterError", "QuarterStats", "RequestRow", "quarter_of", "quarter_span",
           "quarter_stats", "request_rows", "summary"]
