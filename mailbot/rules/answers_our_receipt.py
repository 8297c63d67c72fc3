"""A reply to one of our own receipts: answering it again is how two robots keep each other busy."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.facts import Facts

NAME = "answers-our-receipt"
DESCRIPTION = "A reply to one of our own follow-up receipts: recorded on the case, never answered with another."
RECEIPTS = frozenset({"follow_up_received"})


def check(facts: Facts) -> str | None:
    if RECEIPTS & set(facts.answers_our):
        return "replies to our own receipt: recorded for staff without another automatic reply (no mail loops)"
    return None
