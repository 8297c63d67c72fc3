"""The pure core: one parsed message plus what we already know → one Decision with its reasons.

No I/O happens here. Facts are gathered once (facts.py), every rule reports whether it hits and why (rules/), and
the chain (chain.py) picks the action from the names of the rules that hit. Storage is reached only through the
small ThreadIndex protocol, so `mailbot check` judges files with an empty index and the runner judges with the
database behind it.
"""

from __future__ import annotations

from mailbot.judging.chain import Link, decide
from mailbot.judging.decision import Decision
from mailbot.judging.facts import (
    DEFAULT_EIR_KEYWORDS,
    DEFAULT_REVIEW_KEYWORDS,
    DEFAULT_SAR_KEYWORDS,
    EmptyIndex,
    Facts,
    JudgeSettings,
    ThreadIndex,
    clean_subject,
    gather_facts,
    subject_stem,
)
from mailbot.mail.message import InboundMessage
from mailbot.judging.rules import ROBOT_RULES, evaluate
from mailbot.judging.rules.missing_description import described_reason
from mailbot.judging.rules.supplies_missing import missing_after

ROBOT_KINDS = frozenset({"loop", "bounce", "auto_reply", "bulk"})

__all__ = [
    "DEFAULT_EIR_KEYWORDS", "DEFAULT_REVIEW_KEYWORDS", "DEFAULT_SAR_KEYWORDS", "EmptyIndex", "JudgeSettings",
    "ThreadIndex", "clean_subject", "judge", "subject_stem",
]


def judge(msg: InboundMessage, index: ThreadIndex | None = None, settings: JudgeSettings | None = None) -> Decision:
    """Decide what to do with one message. Pure: same inputs, same decision."""
    settings = settings or JudgeSettings()
    facts = gather_facts(msg, index or EmptyIndex(), settings)
    hits = evaluate(facts, settings.disabled_rules)
    return _decision(facts, hits, decide(set(hits)))


def _missing(facts: Facts, hits: dict[str, str], link: Link) -> tuple[str, ...]:
    if link.name in ("completes-held-request", "held-still-incomplete"):
        return tuple(missing_after(facts))
    found = []
    if "no-address" in hits:
        found.append("address")
    if "missing-name" in hits:
        found.append("name")
    if "missing-description" in hits:
        found.append("description")
    return tuple(found)


def _regime(facts: Facts, link: Link) -> str | None:
    if link.kind in ROBOT_KINDS:
        return None
    if link.action == "acknowledge_review" or link.name == "review-of-unknown-enquiry":
        return "internal_review"
    if facts.case is not None:
        return facts.case.regime
    return facts.regime


def _decision(facts: Facts, hits: dict[str, str], link: Link) -> Decision:
    robot = link.kind in ROBOT_KINDS
    kind = "follow_up" if link.kind == "request" and facts.case is not None else link.kind
    shown = {name: reason for name, reason in hits.items() if not robot or name in ROBOT_RULES}
    reasons = [f"{name}: {reason}" for name, reason in shown.items()]
    if not robot and facts.described and "reads-like-request" not in hits and "missing-description" not in hits:
        reasons.append(f"description: {described_reason(facts)}")
    reasons.append(f"{link.name}: {link.note}")
    missing = () if robot else _missing(facts, hits, link)
    name = facts.name
    applicant = name.name if name and (name.full or facts.case is None) else None
    if applicant is None and facts.case is not None:
        applicant = facts.case.applicant_name
    details: dict[str, object] = {"rules": list(hits), "chain": link.name}
    if link.kind == "bounce" and facts.msg.delivery_status:
        details["failed_recipients"] = [d.recipient for d in facts.msg.delivery_status if d.recipient]
        details["permanent"] = any(d.permanent for d in facts.msg.delivery_status)
    if "clarification-reply" in hits and link.action == "acknowledge_follow_up":
        details["clarification_received"] = True
    if facts.form and facts.form.postal_address:
        details["postal_address_given"] = True
    valid: bool | None = None
    if not robot and link.action != "none":
        valid = not missing if link.action in ("acknowledge", "section8_notice", "staff_review") else True
        if link.name in ("unmatched-reply", "review-of-unknown-enquiry", "daily-cap"):
            valid = None
    return Decision(
        kind=kind, action=link.action, reasons=tuple(reasons), regime=_regime(facts, link),
        applicant_name=None if robot else applicant, address=facts.address, valid=valid, missing=missing,
        references=facts.references, case=facts.case, thread_signal=facts.thread_signal, details=details,
    )
