"""Decisions as values: what the bot will do with one inbound message, and every reason behind it.

A Decision is computed by the pure core (judge.py), stored verbatim in the audit trail, printed by
`mailbot check --json`, and only then carried out by the actions at the edge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("request", "follow_up", "auto_reply", "bounce", "bulk", "loop")
ACTIONS = (
    "acknowledge",  # a valid new request (or a held one completed): reference + acknowledgement
    "section8_notice",  # invalid under FOIA s8: say what is missing; hold without a reference
    "acknowledge_review",  # an internal review of a known enquiry
    "acknowledge_follow_up",  # further mail on an open enquiry: recorded, receipt confirmed
    "staff_review",  # a person wrote, but the evidence is weak or conflicting: no automatic reply
    "none",  # robots: recorded, never answered
)
REPLYING_ACTIONS = frozenset({"acknowledge", "section8_notice", "acknowledge_review", "acknowledge_follow_up"})


@dataclass(frozen=True)
class CaseRef:
    """A request or enquiry the message may belong to, as the thread index reports it."""

    case_id: int
    status: str  # held | open | answered | closed | withdrawn
    regime: str
    reference: str | None = None
    applicant_name: str | None = None
    missing: tuple[str, ...] = ()  # what a held request still lacks
    awaiting_clarification: bool = False  # we asked a question (s1(3), reg 9, Art 12A) not yet answered


@dataclass(frozen=True)
class Decision:
    kind: str
    action: str
    reasons: tuple[str, ...]
    regime: str | None = None
    applicant_name: str | None = None
    address: str | None = None
    valid: bool | None = None
    missing: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    case: CaseRef | None = None  # the case this message threads to, if any
    thread_signal: str | None = None  # how it was threaded: message-id | reference | sender-subject
    details: dict[str, Any] = field(default_factory=dict)  # extra facts for templates/staff (e.g. bounce recipient)

    @property
    def replies(self) -> bool:
        return self.action in REPLYING_ACTIONS

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        data["missing"] = list(self.missing)
        data["references"] = list(self.references)
        return data
