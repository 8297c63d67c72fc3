"""An obvious pseudonym: the ICO's good practice is to deal with it anyway — staff look."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "pseudonym"
DESCRIPTION = "An obvious pseudonym: the ICO's good practice is to deal with it anyway — staff look."
ROBOT = False


def check(facts: Facts) -> str | None:
    name = facts.name
    if name and name.pseudonym and not any(f.full for f in facts.findings):
        return f"{name.name!r} looks like an obvious pseudonym (list is a setting)"
    return None
