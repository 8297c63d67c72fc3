"""The due date a message the bot did not answer would have, were it a request: so no statutory clock is missed
because the bot stayed silent.

A person's mail sent to staff (a bulk campaign's request, a complaint that may hide a request, a colleague's
forward) may be a valid request all the same, received on the day it reached the mailbox (FOIA s10(1)). Staff see
that day and the date the clock would end, counted by `clock.deadlines` for the regime the judge read, from the
stored decision and date of receipt alone: nothing new is stored.
"""

from __future__ import annotations

from datetime import date

from mailbot.clock.deadlines import ClockPolicy, compute_deadline
from mailbot.judging.values import Action, Kind
from mailbot.store.models import Decision


def may_be_request(decision: Decision) -> bool:
    """A person's mail left for staff, not already on an enquiry with its own due date."""
    on_enquiry = decision.case is not None and decision.case.reference is not None
    return could_be_request(decision.action, decision.kind, decision.regime, on_enquiry)


def could_be_request(action: str, kind: str, regime: str | None, on_enquiry: bool) -> bool:
    """may_be_request from the decision's columns alone, for listings that read no ORM objects."""
    if action != Action.STAFF_REVIEW or regime is None:
        return False
    if kind in Kind.__members__.values() and Kind(kind).robot:
        return False
    return not on_enquiry


def would_be_due(decision: Decision, received: date, policy: ClockPolicy) -> date | None:
    """The due date it would have as a request received on `received`, or None when it cannot be one."""
    if not may_be_request(decision):
        return None
    return compute_deadline(decision.regime or "", received, policy=policy).due
