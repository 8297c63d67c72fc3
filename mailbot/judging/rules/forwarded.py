"""The person forwarded mail (their server may mark forwards as auto-generated)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "forwarded"
DESCRIPTION = "The person forwarded mail (their server may mark forwards as auto-generated)."
ROBOT = False


def check(facts: Facts) -> str | None:
    return "a forwarded message" if facts.forwarded else None
