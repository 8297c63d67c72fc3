"""A reply while our clarification question is outstanding: the clock restarts (FOI/EIR) or resumes (SAR) from its
receipt."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "clarification-reply"
DESCRIPTION = (
    "A reply while our clarification question is outstanding: the clock restarts (FOI/EIR) or resumes (SAR) from "
    "its receipt."
)
ROBOT = False


def check(facts: Facts) -> str | None:
    case = facts.case
    if case is not None and case.awaiting_clarification:
        return "replies while our clarification question is outstanding: the clock restarts from its receipt"
    return None
