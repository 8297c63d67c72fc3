"""The pure core: one parsed message plus what we already know → one Decision with its reasons.

No I/O happens here. Facts are gathered once (facts.py), every rule reports whether it hits and why (rules/), and
the chain (chain.py) picks the link — and with it the whole outcome — from the names of the rules that hit. What
is left here is filling in the parts the link says come from the message. Storage is reached only through the
small ThreadIndex protocol (threads.py), so `mailbot check` judges files with an empty index and the runner judges
with the database behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mailbot.judging.chain import MISSING_BY_RULE, Detail, From, Link, decide
from mailbot.judging.decision import Decision
from mailbot.judging.facts import Facts, gather_facts
from mailbot.judging.rules import ROBOT_RULES, evaluate
from mailbot.judging.rules.missing_description import described_reason
from mailbot.judging.rules.supplies_missing import missing_after
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.threads import EmptyIndex, ThreadIndex
from mailbot.judging.values import Kind, Regime
from mailbot.mail.message import InboundMessage

__all__ = ["judge"]


def judge(msg: InboundMessage, index: ThreadIndex | None = None, settings: JudgeSettings | None = None) -> Decision:
    """Decide what to do with one message. Pure: same inputs, same decision."""
    settings = settings or JudgeSettings()
    facts = gather_facts(msg, index or EmptyIndex(), settings)
    hits = evaluate(facts, settings.disabled_rules)
    return _decision(facts, hits, decide(set(hits)))


def _missing(link: Link, facts: Facts, hits: dict[str, str]) -> tuple[str, ...]:
    if link.missing is From.HELD_CASE:
        return tuple(missing_after(facts))
    if link.missing is From.HITS:
        return tuple(what for rule, what in MISSING_BY_RULE.items() if rule in hits)
    return ()


def _valid(link: Link, missing: tuple[str, ...]) -> bool | None:
    return not missing if link.valid is From.COMPLETENESS else link.valid


def _regime(link: Link, facts: Facts) -> Regime | None:
    if link.regime is From.MESSAGE:
        return facts.case.regime if facts.case is not None else facts.regime
    return link.regime


def _delivery(facts: Facts, hits: dict[str, str]) -> dict[str, Any]:
    statuses = facts.msg.delivery_status
    if not statuses:
        return {}
    return {"failed_recipients": [d.recipient for d in statuses if d.recipient],
            "permanent": any(d.permanent for d in statuses)}


def _clarification(facts: Facts, hits: dict[str, str]) -> dict[str, Any]:
    return {"clarification_received": True} if "clarification-reply" in hits else {}


DETAILS: dict[Detail, Callable[[Facts, dict[str, str]], dict[str, Any]]] = {
    Detail.DELIVERY: _delivery,
    Detail.CLARIFICATION: _clarification,
}


def _details(link: Link, facts: Facts, hits: dict[str, str]) -> dict[str, Any]:
    details: dict[str, Any] = {"rules": list(hits), "chain": link.name}
    for detail in link.details:
        details.update(DETAILS[detail](facts, hits))
    if facts.form and facts.form.postal_address:
        details["postal_address_given"] = True
    return details


def _reasons(link: Link, facts: Facts, hits: dict[str, str]) -> tuple[str, ...]:
    """Every rule that hit and why (for robot mail, only the rules that speak about robots), then the link."""
    reasons = [f"{name}: {reason}" for name, reason in hits.items() if not link.robot or name in ROBOT_RULES]
    if not link.robot and facts.described and "reads-like-request" not in hits and "missing-description" not in hits:
        reasons.append(f"description: {described_reason(facts)}")
    reasons.append(f"{link.name}: {link.note}")
    return tuple(reasons)


def _applicant(facts: Facts) -> str | None:
    name = facts.name
    applicant = name.name if name and name.named and (name.full or facts.case is None) else None
    if applicant is None and facts.case is not None:
        applicant = facts.case.applicant_name
    return applicant


def _decision(facts: Facts, hits: dict[str, str], link: Link) -> Decision:
    missing = _missing(link, facts, hits)
    kind = Kind.FOLLOW_UP if link.kind is Kind.REQUEST and facts.case is not None else link.kind
    return Decision(
        kind=kind, action=link.action, reasons=_reasons(link, facts, hits), regime=_regime(link, facts),
        applicant_name=None if link.robot else _applicant(facts), address=facts.address,
        valid=_valid(link, missing), missing=missing, references=facts.references, case=facts.case,
        thread_signal=facts.thread_signal, details=_details(link, facts, hits), staff_notice=link.staff_notice,
        reading=facts.reading,
    )
