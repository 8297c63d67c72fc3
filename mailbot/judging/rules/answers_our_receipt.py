"""A reply to one of our own receipts: answering it again is how two robots keep each other busy."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "answers-our-receipt"
DESCRIPTION = ("A reply to one of our own receipts or staff mails (digest, alerts, notices): recorded, never answered "
               "with another automatic mail.")
ROBOT = True
RECEIPTS = frozenset({"follow_up_received", "digest", "staff_alert", "staff_notice"})


def check(facts: Facts) -> str | None:
    if RECEIPTS & set(facts.answers_our):
        return "replies to our own receipt or staff mail: recorded without another automatic reply (no mail loops)"
    return None
