"""The request it threads to is held for missing details (a Section 8 notice was sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.values import CaseStatus

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "held-case"
DESCRIPTION = "The request it threads to is held for missing details (a Section 8 notice was sent)."
ROBOT = False


def check(facts: Facts) -> str | None:
    case = facts.case
    if case is not None and case.status == CaseStatus.HELD:
        return f"that request is held: {', '.join(case.missing) or 'details'} missing"
    return None
