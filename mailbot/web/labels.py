"""How the pages name states, regimes and clock events: one place, so every screen says the same thing."""

from __future__ import annotations

from mailbot.clock.regimes import Regime
from mailbot.store.outcomes import OUTCOMES, REVIEW_OUTCOMES

STATE_LABELS = {"": "All", "held": "Held (details missing)", "open": "Open", "due_soon": "Due within 5 working days",
                "overdue": "Overdue", "answered": "Answered", "closed": "Closed or withdrawn"}
REGIME_LABELS = {Regime.FOI: "FOI", Regime.EIR: "EIR", Regime.SAR: "Subject access",
                 Regime.INTERNAL_REVIEW: "Internal review"}
EVENT_LABELS = {
    "completed": "The missing details arrived (the request is complete)",
    "clarification_asked": "We asked the requester to clarify (the clock stops)",
    "clarification_received": "The clarification arrived (the clock starts again)",
    "fees_notice": "We issued a fees notice (the clock stops)",
    "fee_received": "The fee arrived (the clock restarts)",
    "extended": "Extended: public interest test (FOIA s10(3)) or complex and voluminous (EIR reg 7)",
    "answered": "Answered",
    "withdrawn": "The requester withdrew it",
    "closed": "Closed without an answer being due",
    "ico_complaint": "The requester complained to the ICO",
    "ico_decision": "The ICO issued its decision notice",
    "tribunal_appeal": "An appeal to the tribunal was made",
    "appeal_closed": "The tribunal (or a later stage) decided the appeal",
    "reopened": "Reopened (ended in error or withdrawal retracted: the original due date stands)",
}

# What a staff action on a request says in its timeline (the audit page lists every action by its stored name).
ACTION_LABELS = {
    "triage": "decided what a message was",
    "held_reminded": "sent the Section 8 notice again",
    "held_released": "released the held request (complete: reference given, clock started)",
    "held_closed": "closed the held request (not completed)",
    "attachment_downloaded": "downloaded an attachment",
    "retry_reply": "put a failed reply back in the queue",
    "requeue": "gave a quarantined message back to the bot",
    "legal_hold": "set a legal hold (kept from disposal)",
    "legal_hold_released": "released the legal hold",
}

# What the outcome list offers: a request's outcomes, then an internal review's results.
ALL_OUTCOMES = {**OUTCOMES, **{key: f"Internal review: {label}" for key, label in REVIEW_OUTCOMES.items()}}

__all__ = ["ACTION_LABELS", "ALL_OUTCOMES", "EVENT_LABELS", "OUTCOMES", "REGIME_LABELS", "STATE_LABELS"]
