"""A reply to a held request gives what was missing: it is now valid and the 20 working days run from its receipt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.values import CaseStatus

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "supplies-missing"
DESCRIPTION = (
    "A reply to a held request gives what was missing: it is now valid and the 20 working days run from its "
    "receipt."
)
ROBOT = False


def missing_after(facts: Facts) -> list[str]:
    case = facts.case
    assert case is not None
    still = []
    if "name" in case.missing and not (facts.name and facts.name.full):
        still.append("name")
    if "description" in case.missing and not facts.described:
        still.append("description")
    return still


def check(facts: Facts) -> str | None:
    case = facts.case
    if case is None or case.status != CaseStatus.HELD or missing_after(facts):
        return None
    parts = []
    if "name" in case.missing and facts.name:
        parts.append(f"the applicant's full name ({facts.name.source}): {facts.name.reason}")
    if "description" in case.missing:
        parts.append("a description of the information wanted")
    return "supplies " + "; ".join(parts) + "; the 20 working days run from this message's receipt"
