"""The author asks the authority to do something, or complains: routine correspondence, not a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.asking import action_asked

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "asks-for-action"
DESCRIPTION = "The author asks the authority to do something, or complains: routine correspondence, not a request."
ROBOT = False


def check(facts: Facts) -> str | None:
    phrase = action_asked(f"{facts.reading.subject}\n{facts.body}")
    if phrase is None:
        return None
    return f"asks the authority to do something (fix, collect, call back, take a report) or complains (\"{phrase}\")"
