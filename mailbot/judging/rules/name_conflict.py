"""Two full names that cannot be the same person: staff decide who is asking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.names import conflicting

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "name-conflict"
DESCRIPTION = "Two full names that cannot be the same person: staff decide who is asking."
ROBOT = False


def check(facts: Facts) -> str | None:
    pair = conflicting(list(facts.findings))
    if pair is None:
        return None
    first, second = pair
    return f"the {first.source} says {first.name!r} but the {second.source} says {second.name!r}"
