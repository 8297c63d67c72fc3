"""The applicant's full name, from the strongest evidence (statement, sign-off, display name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "full-name"
DESCRIPTION = "The applicant's full name, from the strongest evidence (statement, sign-off, display name)."
ROBOT = False


def check(facts: Facts) -> str | None:
    name = facts.name
    if name and name.full:
        return f"applicant's name from the {name.source}: {name.reason}"
    return None
