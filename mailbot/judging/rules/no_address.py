"""No address for correspondence (FOIA s8(1)(b)): nobody to write to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.rules import robot_sender

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "no-address"
DESCRIPTION = "No address for correspondence (FOIA s8(1)(b)): nobody to write to."
ROBOT = False


def check(facts: Facts) -> str | None:
    if facts.address is None:
        return "no address for correspondence (FOIA s8(1)(b))"
    if robot_sender.check(facts):
        return "the only address is a no-reply sender: nobody to write to (FOIA s8(1)(b))"
    return None
