"""Decisions as values: what the bot will do with one inbound message, and every reason behind it.

A Decision is computed by the pure core (judge.py), stored in the audit trail, printed by `mailbot check --json`,
and only then carried out by the act runner at the edge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mailbot.judging.reading import Reading
from mailbot.judging.values import REPLYING_ACTIONS, Action, CaseStatus, Kind, Regime, StaffNotice

__all__ = ["REPLYING_ACTIONS", "CaseRef", "Decision"]


@dataclass(frozen=True)
class CaseRef:
    """A request or enquiry the message may belong to, as the thread index reports it."""

    case_id: int
    status: CaseStatus
    regime: Regime
    reference: str | None = None
    applicant_name: str | None = None
    missing: tuple[str, ...] = ()  # what a held request still lacks
    awaiting_clarification: bool = False  # we asked a question (s1(3), reg 9, Art 12A) not yet answered


# Instructions to the act runner rather than parts of the judgement: the printed decision names the chain link
# (details["chain"]) that declares them, and the reading is the message's own text again.
_FOR_THE_RUNNER = ("staff_notice", "reading")


@dataclass(frozen=True)
class Decision:
    kind: Kind
    action: Action
    reasons: tuple[str, ...]
    regime: Regime | None = None
    applicant_name: str | None = None
    address: str | None = None
    valid: bool | None = None
    missing: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    case: CaseRef | None = None  # the case this message threads to, if any
    thread_signal: str | None = None  # how it was threaded: message-id | reference | sender-subject
    details: dict[str, Any] = field(default_factory=dict)  # extra facts for templates/staff (e.g. bounce recipient)
    staff_notice: StaffNotice | None = None  # what staff are told besides any reply (the chain link declares it)
    # What the judge read from the message (own words, cleaned subject), so the act runner need not read it again.
    reading: Reading | None = field(default=None, repr=False, compare=False)

    @property
    def replies(self) -> bool:
        return self.action in REPLYING_ACTIONS

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in _FOR_THE_RUNNER:
            del data[name]
        data["reasons"] = list(self.reasons)
        data["missing"] = list(self.missing)
        data["references"] = list(self.references)
        return data
