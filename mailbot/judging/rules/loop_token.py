"""Our own X-Loop token: our mail has come back."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "loop-token"
DESCRIPTION = "Our own X-Loop token: our mail has come back."
ROBOT = True


def check(facts: Facts) -> str | None:
    token = facts.settings.loop_token
    if token and any(token.lower() in value.lower() for value in facts.msg.header_all("x-loop")):
        return "carries our own X-Loop token"
    return None
