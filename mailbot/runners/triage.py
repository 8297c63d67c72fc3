"""What staff decide about mail the bot left to them, carried out as the bot would have done it.

Four verdicts: a request after all (a case opened with the message's own date of receipt, its reference and due
date, and an acknowledgement if staff choose), part of an existing request (the message joins its timeline), a
request for an internal review of one (its own clock from the message's date of receipt, and an acknowledgement if
staff choose), or not a request (with the reason). Each is recorded with who gave it and what the bot had decided,
so the authority's own corrections become labelled examples that `mailbot evaluate` replays the judge against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.config import Settings
from mailbot.judging.decision import Decision as Judgement
from mailbot.judging.values import Action, Kind, Regime
from mailbot.mail.parse import parse_message
from mailbot.replies.templates import Templates
from mailbot.runners.act import DecisionApplier
from mailbot.store.accounts import record_action
from mailbot.store.models import Case, Decision, InboundMessage, StaffAction

VERDICTS = {
    "request": "A request: open it",
    "attached": "Part of an existing request",
    "review": "An internal review of an existing request",
    "not_request": "Not a request",
}
NOT_A_REQUEST_REASONS = {
    "robot": "An automatic message (robot, bounce, out-of-office)",
    "spam": "Spam or phishing",
    "correspondence": "Correspondence for another team (complaint, service request)",
    "follow_up": "A reply or thank-you with nothing new to record",
    "other": "Something else (say what in the note)",
}


class TriageError(Exception):
    """A verdict that cannot be carried out as given; the message says why."""


@dataclass(frozen=True)
class Verdict:
    """What the triage did, for the page that follows."""

    case_id: int | None
    reference: str | None
    reply_message_id: str | None = None


def verdict_of(session: Session, inbound_id: int) -> StaffAction | None:
    """The staff verdict already given on a message, if any (the latest)."""
    return session.scalars(select(StaffAction).where(StaffAction.inbound_id == inbound_id,
                                                     StaffAction.action == "triage")
                           .order_by(StaffAction.id.desc()).limit(1)).first()


class Triage:
    def __init__(self, settings: Settings, templates: Templates) -> None:
        self.settings = settings
        self.applier = DecisionApplier(settings, templates)

    def _message(self, session: Session, inbound_id: int) -> tuple[InboundMessage, Decision]:
        row = session.get(InboundMessage, inbound_id, with_for_update=True)
        if row is None or row.decision is None:
            raise TriageError("There is no such message, or the bot has not decided it yet.")
        if verdict_of(session, inbound_id) is not None:
            raise TriageError("Someone has already decided this message.")
        if row.decision.case_id is not None and row.decision.case is not None and row.decision.case.reference:
            raise TriageError(f"This message is already part of {row.decision.case.reference}.")
        return row, row.decision

    @staticmethod
    def _case(session: Session, row: InboundMessage, reference: str) -> Case:
        case = session.scalars(select(Case).where(Case.mailbox == row.mailbox,
                                                  Case.reference == reference.strip())).one_or_none()
        if case is None:
            raise TriageError(f"There is no request {reference.strip()!r} in this mailbox.")
        return case

    def _record(self, session: Session, actor: str, row: InboundMessage, decision: Decision, verdict: str,
                case_id: int | None, **detail: Any) -> None:
        record_action(session, actor, "triage", case_id=case_id, inbound_id=row.id, verdict=verdict,
                      message_id=row.message_id, bot_kind=decision.kind, bot_action=decision.action, **detail)

    def open_request(self, session: Session, inbound_id: int, *, regime: str, applicant_name: str, address: str,
                     acknowledge: bool, actor: str, now: datetime) -> Verdict:
        row, stored = self._message(session, inbound_id)
        if regime not in Regime.__members__.values() or regime == Regime.INTERNAL_REVIEW:
            raise TriageError("Choose the law the request falls under (FOI, EIR or subject access).")
        if "@" not in address:
            raise TriageError("Give the address to answer (the requester's email address).")
        judgement = Judgement(kind=Kind.REQUEST, action=Action.ACKNOWLEDGE, regime=Regime(regime), valid=True,
                              applicant_name=applicant_name.strip() or None, address=address.strip(),
                              reasons=(f"staff ({actor}): a request, opened from the to-do list",))
        outcome = self.applier.open_request(session, row, parse_message(row.raw), judgement, now,
                                            acknowledge=acknowledge)
        stored.case_id = outcome.case_id
        self._record(session, actor, row, stored, "request", outcome.case_id, regime=regime,
                     acknowledged=bool(outcome.reply_message_id))
        return Verdict(outcome.case_id, outcome.reference, outcome.reply_message_id)

    def attach(self, session: Session, inbound_id: int, reference: str, *, actor: str) -> Verdict:
        row, stored = self._message(session, inbound_id)
        case = self._case(session, row, reference)
        stored.case_id = case.id
        self._record(session, actor, row, stored, "attached", case.id, reference=case.reference)
        return Verdict(case.id, case.reference)

    def open_review(self, session: Session, inbound_id: int, reference: str, *, acknowledge: bool, actor: str,
                    now: datetime) -> Verdict:
        row, stored = self._message(session, inbound_id)
        case = self._case(session, row, reference)
        if case.status not in ("answered", "closed"):
            raise TriageError(f"{case.reference} has not been answered yet: a complaint about a late answer is "
                              "recorded on the request itself (an internal review asks us to look again at an answer).")
        outcome = self.applier.open_review(session, row, parse_message(row.raw), case, now, acknowledge=acknowledge,
                                           reason=f"staff ({actor}): an internal review, opened from the to-do list")
        stored.case_id = case.id
        self._record(session, actor, row, stored, "review", case.id, reference=case.reference,
                     acknowledged=bool(outcome.reply_message_id))
        return Verdict(case.id, case.reference, outcome.reply_message_id)

    def not_a_request(self, session: Session, inbound_id: int, reason: str, note: str, *, actor: str) -> Verdict:
        row, stored = self._message(session, inbound_id)
        if reason not in NOT_A_REQUEST_REASONS:
            raise TriageError("Say why it is not a request.")
        self._record(session, actor, row, stored, "not_request", None, reason=reason, note=note[:500])
        return Verdict(None, None)


__all__ = ["NOT_A_REQUEST_REASONS", "VERDICTS", "Triage", "TriageError", "Verdict", "verdict_of"]
