"""Carrying out a decision inside one database transaction: the case, its reference, the audit row, the reply.

Everything a decision changes is written in the caller's transaction, so after a crash either all of it exists or
none of it does — a reference is never allocated without its acknowledgement queued, and a reply is never queued
without the decision that explains it.

As in GNU Mailman's terminal chains, each action has one handler (HANDLERS): it does what the action means to the
case and names the reply's template, if any. Around it, the same steps for every action: the audit row, any notice
to staff that the chain link declared (STAFF_NOTICES), the reply, and the message marked processed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import insert
from sqlalchemy.orm import Session

from mailbot.clock.deadlines import compute_deadline
from mailbot.config import Settings
from mailbot.judging.decision import Decision
from mailbot.judging.values import Action, CaseStatus, Kind, Regime, StaffNotice
from mailbot.mail.mailbox_key import mailbox_key
from mailbot.mail.message import InboundMessage as Parsed
from mailbot.replies.catalog import acknowledgement_template
from mailbot.replies.templates import Templates
from mailbot.runners.alerts import notify_staff
from mailbot.runners.replying import Replier, reading_of
from mailbot.store import models
from mailbot.store.casework import record_event, refresh_review
from mailbot.store.queries import allocate_reference

# The audit row is only ever inserted here, never read back in the same transaction: a plain INSERT
# (executed at once, in the caller's transaction) spares the ORM's unit of work for it. The
# case it points to has been flushed by then.
_INSERT_DECISION = insert(models.Decision.__table__)


@dataclass
class Outcome:
    """What applying one decision did, for the log and the runner's counts."""

    action: Action
    case_id: int | None = None
    reference: str | None = None
    reply_message_id: str | None = None


@dataclass
class Turn:
    """One decision being carried out: what every handler reads, and the case or review it finds or creates."""

    session: Session
    row: models.InboundMessage
    parsed: Parsed
    decision: Decision
    now: datetime
    case: models.Case | None
    review: models.Review | None = None


Handler = Callable[["DecisionApplier", Turn], str | None]  # does the action; returns the reply's template


class DecisionApplier:
    def __init__(self, settings: Settings, templates: Templates) -> None:
        self.settings = settings
        self.templates = templates
        self.mailbox = settings.mailbox.address
        self.replier = Replier(settings, templates)
        self.policy = settings.clock_policy()

    def apply(self, session: Session, row: models.InboundMessage, parsed: Parsed, decision: Decision,
              now: datetime) -> Outcome:
        case: models.Case | None = session.get(models.Case, decision.case.case_id) if decision.case else None
        turn = Turn(session, row, parsed, decision, now, case)
        template = self.HANDLERS[decision.action](self, turn)
        case = turn.case
        session.execute(_INSERT_DECISION, {
            "inbound_id": row.id, "case_id": case.id if case else None, "kind": decision.kind,
            "action": decision.action, "regime": decision.regime, "reasons": list(decision.reasons),
            "facts": self._facts(decision),
        })
        outcome = Outcome(decision.action, case.id if case else None, case.reference if case else None)
        if decision.staff_notice is not None:
            self.STAFF_NOTICES[decision.staff_notice](self, turn)
        if template and decision.address:
            outcome.reply_message_id = self.replier.reply(session, row, parsed, decision, case, turn.review, template,
                                                          now)
        row.status = "processed"
        row.processed_at = now
        row.last_error = None
        return outcome

    def open_request(self, session: Session, row: models.InboundMessage, parsed: Parsed, decision: Decision,
                     now: datetime, *, acknowledge: bool) -> Outcome:
        """A request staff found in mail the bot left to them: the case, reference and due date the bot would have
        given it (received the day the message arrived), and its acknowledgement if staff want one sent."""
        case = self._complete(session, row, parsed, decision, None)
        outcome = Outcome(decision.action, case.id, case.reference)
        if acknowledge and decision.address:
            outcome.reply_message_id = self.replier.reply(session, row, parsed, decision, case, None,
                                                          acknowledgement_template(case.regime), now)
        return outcome

    def open_review(self, session: Session, row: models.InboundMessage, parsed: Parsed, case: models.Case,
                    now: datetime, *, acknowledge: bool, reason: str) -> Outcome:
        """An internal review staff found in mail the bot left to them: its clock from the message's date of
        receipt, and the review acknowledgement if staff want one sent (to the request's address)."""
        review = self._review(session, row, case)
        outcome = Outcome(Action.ACKNOWLEDGE_REVIEW, case.id, case.reference)
        if acknowledge:
            decision = Decision(kind=Kind.FOLLOW_UP, action=Action.ACKNOWLEDGE_REVIEW, regime=Regime.INTERNAL_REVIEW,
                                applicant_name=case.applicant_name, address=case.address, reasons=(reason,))
            outcome.reply_message_id = self.replier.reply(session, row, parsed, decision, case, review,
                                                          acknowledgement_template(Regime.INTERNAL_REVIEW), now)
        return outcome

    # -- one handler per action ------------------------------------------------------------------------------

    def _acknowledge(self, turn: Turn) -> str | None:
        turn.case = self._complete(turn.session, turn.row, turn.parsed, turn.decision, turn.case)
        return acknowledgement_template(turn.case.regime)

    def _section8_notice(self, turn: Turn) -> str | None:
        turn.case = self._hold(turn.session, turn.row, turn.parsed, turn.decision)
        return "section8_notice"

    def _acknowledge_review(self, turn: Turn) -> str | None:
        if turn.case is None:
            return None
        turn.review = self._review(turn.session, turn.row, turn.case)
        return acknowledgement_template(Regime.INTERNAL_REVIEW)

    def _acknowledge_follow_up(self, turn: Turn) -> str | None:
        if turn.case is None:
            return None
        if turn.decision.details.get("clarification_received"):
            record_event(turn.session, turn.case, "clarification_received", turn.row.received_date, self.policy,
                         source="bot", note="the requester replied to our question", inbound_id=turn.row.id)
        return "follow_up_received" if self.settings.rules.acknowledge_follow_ups else None

    def _record_only(self, turn: Turn) -> str | None:
        """staff_review and none: the audit row is the whole of it (staff find it in the digest and lists)."""
        return None

    HANDLERS: ClassVar[dict[Action, Handler]] = {
        Action.ACKNOWLEDGE: _acknowledge,
        Action.SECTION8_NOTICE: _section8_notice,
        Action.ACKNOWLEDGE_REVIEW: _acknowledge_review,
        Action.ACKNOWLEDGE_FOLLOW_UP: _acknowledge_follow_up,
        Action.STAFF_REVIEW: _record_only,
        Action.NONE: _record_only,
    }

    # -- notices to staff, as the chain link declares them ---------------------------------------------------

    def _daily_cap_notice(self, turn: Turn) -> None:
        address = turn.decision.address
        if not address:
            return
        cap = self.settings.rules.daily_reply_cap
        notify_staff(turn.session, self.settings, self.templates, key=f"daily-cap:{mailbox_key(address)}",
                     title=f"{address} has had {cap} automatic replies in a day",
                     lines=["Further mail from this address gets no automatic reply today; each message is kept "
                            "for staff (mailbot messages list --unanswered).",
                            "A person sending many requests, or a mail loop: please look."],
                     message_id=turn.row.message_id, now=turn.now)

    def _hourly_cap_notice(self, turn: Turn) -> None:
        """Once per clock hour (UTC): a flood of requests, perhaps forged, stopped getting automatic replies."""
        cap = self.settings.rules.hourly_reply_cap
        window = turn.now.astimezone(UTC).strftime("%Y-%m-%dT%H")
        notify_staff(turn.session, self.settings, self.templates, key=f"hourly-cap:{window}",
                     title=f"{cap} automatic replies in an hour: no more are sent this hour",
                     lines=["Further mail gets no automatic reply until the hour's count falls below the cap; each "
                            "message is kept for staff (mailbot messages list --unanswered).",
                            "Many requests at once, perhaps forged in other people's names (backscatter): please "
                            "look."],
                     message_id=turn.row.message_id, now=turn.now)

    STAFF_NOTICES: ClassVar[dict[StaffNotice, Callable[[DecisionApplier, Turn], None]]] = {
        StaffNotice.DAILY_CAP: _daily_cap_notice,
        StaffNotice.HOURLY_CAP: _hourly_cap_notice,
    }

    # -- cases -----------------------------------------------------------------------------------------------

    def _hold(self, session: Session, row: models.InboundMessage, parsed: Parsed, decision: Decision) -> models.Case:
        reading = reading_of(parsed, decision)
        case = models.Case(
            mailbox=self.mailbox, status=CaseStatus.HELD, regime=decision.regime or Regime.FOI,
            applicant_name=decision.applicant_name, address=(decision.address or "").lower(),
            subject=reading.subject, subject_stem=reading.subject_stem,
            first_received=row.received_date, missing=list(decision.missing),
        )
        session.add(case)
        session.flush()
        return case

    def _complete(self, session: Session, row: models.InboundMessage, parsed: Parsed, decision: Decision,
                  case: models.Case | None) -> models.Case:
        """A valid request — new, or a held one this message completes — gets its reference and due date now."""
        was_held = case is not None
        # The number first: allocating it flushes the session, and a new case added before would then be INSERTed
        # without its number and UPDATEd straight after.
        refs = self.settings.references
        seq, reference = allocate_reference(session, self.mailbox, row.received_date.year, fmt=refs.format,
                                            first_next=refs.next, reset_yearly=refs.reset_yearly)
        if case is None:
            reading = reading_of(parsed, decision)
            case = models.Case(
                mailbox=self.mailbox, status=CaseStatus.OPEN, regime=decision.regime or Regime.FOI,
                address=(decision.address or "").lower(),
                subject=reading.subject, subject_stem=reading.subject_stem,
                first_received=row.received_date, missing=[],
            )
            session.add(case)
        case.reference, case.reference_seq, case.reference_year = reference, seq, row.received_date.year
        case.status = CaseStatus.OPEN
        case.applicant_name = decision.applicant_name or case.applicant_name
        if decision.address:
            case.address = decision.address.lower()
        case.missing = []
        if not was_held:
            # What refresh_case would derive, without its query: a case created just now has no clock events yet.
            # Set before the flush, the dates go out in the case's one INSERT rather than in a second UPDATE.
            deadline = compute_deadline(case.regime, case.first_received, (), self.policy)
            case.received, case.due, case.due_why, case.calendar = (deadline.start, deadline.due, deadline.why,
                                                                    deadline.calendar)
        session.flush()
        if was_held:
            # s1(3)/s8: the 20 working days run from the message that completed the request.
            record_event(session, case, "completed", row.received_date, self.policy, source="bot",
                         note="the missing details arrived", inbound_id=row.id)
        return case

    def _review(self, session: Session, row: models.InboundMessage, case: models.Case) -> models.Review:
        review = models.Review(case_id=case.id, inbound_id=row.id, received=row.received_date, due=row.received_date,
                               due_why="", calendar="")
        session.add(review)
        session.flush()
        refresh_review(session, review, self.policy)
        return review

    # -- replies ---------------------------------------------------------------------------------------------

    @staticmethod
    def _facts(decision: Decision) -> dict[str, Any]:
        return {
            "applicant_name": decision.applicant_name,
            "address": decision.address,
            "valid": decision.valid,
            "missing": list(decision.missing),
            "references": list(decision.references),
            "thread_signal": decision.thread_signal,
            **decision.details,
        }
