"""What staff do with a held request (a Section 8 notice went out; no reference, no clock): remind, release, close.

- **Remind**: the Section 8 notice again, to the same address and in the same thread, when the requester has not
  answered. At most one a day, so a double click or two officers cannot send two.
- **Release**: staff judge the request complete after all (the full name arrived by another route — a letter, a
  call — or the name given was enough): it gets its reference now and its clock runs from the day staff say the
  complete request was received (FOIA s10(1): the date of receipt of a request that meets s8), never earlier than
  the first message; an acknowledgement goes out if staff choose.
- **Close**: the requester never completed it. Recorded as the clock event `closed`, like any other ending.

Each is carried out with the act runner's own code (the reply rendered, composed and queued as the bot would) and
recorded in the staff audit trail with who did it. The row lock on the case makes a second submission find the
request already released or closed instead of doing it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.clock.workdays import receipt_date
from mailbot.config import Settings
from mailbot.judging.decision import Decision as Judgement
from mailbot.judging.values import Action, CaseStatus, Kind, Regime
from mailbot.mail.parse import parse_message
from mailbot.replies.catalog import acknowledgement_template
from mailbot.replies.templates import Templates
from mailbot.runners.replying import Replier
from mailbot.store.accounts import record_action
from mailbot.store.casework import record_event
from mailbot.store.models import Case, Decision, InboundMessage, StaffAction
from mailbot.store.queries import allocate_reference

REMINDER_GAP = timedelta(hours=20)  # "at most one a day", whichever hour of the day staff click


class HeldError(Exception):
    """The held request cannot be handled as asked; the message says why, in words for the page."""


@dataclass(frozen=True)
class Done:
    reference: str | None = None
    reply_message_id: str | None = None


class HeldRequests:
    def __init__(self, settings: Settings, templates: Templates, *, via: str = "web") -> None:
        self.settings = settings
        self.via = via  # where staff acted, for the audit trail: web | cli
        self.replier = Replier(settings, templates)
        self.policy = settings.clock_policy()

    def remind(self, session: Session, case_id: int, *, actor: str, now: datetime) -> Done:
        case, row = self._held(session, case_id)
        reminded = session.scalar(select(func.count(StaffAction.id)).where(
            StaffAction.case_id == case.id, StaffAction.action == "held_reminded",
            StaffAction.at >= now - REMINDER_GAP))
        if reminded:
            raise HeldError("The notice was sent again less than a day ago.")
        judgement = self._judgement(case, Action.SECTION8_NOTICE, f"staff ({actor}): the Section 8 notice again")
        parsed = parse_message(row.raw)
        message_id = self.replier.reply(session, row, parsed, judgement, case, None, "section8_notice", now,
                                        automatic=False)
        record_action(session, actor, "held_reminded", via=self.via, case_id=case.id, message_id=message_id)
        return Done(None, message_id)

    def release(self, session: Session, case_id: int, *, on: date, applicant_name: str, acknowledge: bool,
                actor: str, now: datetime) -> Done:
        case, row = self._held(session, case_id)
        if on < case.first_received or on > receipt_date(now):  # today in London, as staff and dates count it
            raise HeldError(f"The complete request was received between {case.first_received.isoformat()} and "
                            "today: give a date in that range.")
        if applicant_name.strip():
            case.applicant_name = applicant_name.strip()[:255]
        if not case.applicant_name and case.regime == Regime.FOI:
            raise HeldError("An FOI request needs the requester's name (s8(1)(b)): give it to release the request.")
        refs = self.settings.references
        seq, reference = allocate_reference(session, case.mailbox, on.year, fmt=refs.format,
                                            first_next=refs.next, reset_yearly=refs.reset_yearly)
        case.reference, case.reference_seq, case.reference_year = reference, seq, on.year
        case.status, case.missing = CaseStatus.OPEN, []
        session.flush()
        # s1(3)/s8: the clock runs from the day the complete request was received, as staff say it was.
        record_event(session, case, "completed", on, self.policy, source="staff", actor=actor,
                     note="released by staff: the request was complete")
        reply = None
        if acknowledge:
            judgement = self._judgement(case, Action.ACKNOWLEDGE, f"staff ({actor}): released, acknowledged")
            parsed = parse_message(row.raw)
            reply = self.replier.reply(session, row, parsed, judgement, case, None,
                                       acknowledgement_template(case.regime), now, automatic=False)
        record_action(session, actor, "held_released", via=self.via, case_id=case.id, reference=reference,
                      received=on.isoformat(), acknowledged=bool(reply))
        return Done(reference, reply)

    def close(self, session: Session, case_id: int, *, note: str, actor: str, now: datetime) -> Done:
        case, _ = self._held(session, case_id)
        record_event(session, case, "closed", max(receipt_date(now), case.first_received), self.policy, source="staff",
                     actor=actor, note=(note.strip() or "the requester did not complete it")[:500])
        record_action(session, actor, "held_closed", via=self.via, case_id=case.id)
        return Done()

    def _held(self, session: Session, case_id: int) -> tuple[Case, InboundMessage]:
        case = session.get(Case, case_id, with_for_update=True)
        if case is None:
            raise HeldError("There is no such request.")
        if case.status != CaseStatus.HELD:
            raise HeldError(f"This request is no longer held (it is {case.status}"
                            + (f", {case.reference})." if case.reference else ")."))
        row = session.scalars(select(InboundMessage).join(Decision, Decision.inbound_id == InboundMessage.id)
                              .where(Decision.case_id == case.id).order_by(InboundMessage.id).limit(1)).first()
        if row is None:
            raise HeldError("This held request has no message to answer.")
        return case, row

    @staticmethod
    def _judgement(case: Case, action: Action, reason: str) -> Judgement:
        return Judgement(kind=Kind.REQUEST, action=action, regime=Regime(case.regime),
                         applicant_name=case.applicant_name, address=case.address,
                         valid=action == Action.ACKNOWLEDGE, missing=tuple(case.missing or ()), reasons=(reason,))


__all__ = ["Done", "HeldError", "HeldRequests"]
