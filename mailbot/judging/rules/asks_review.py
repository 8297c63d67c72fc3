"""Asks for an internal review (keywords are a setting)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "asks-review"
DESCRIPTION = "Asks for an internal review (keywords are a setting)."
ROBOT = False


def check(facts: Facts) -> str | None:
    words = facts.review_words
    return f"asks for an internal review ({', '.join(words)})" if words else None
