"""A test message ("test", "Yet another test!", "testing 1 2 3"): says nothing but that it is a test."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.readers.unsolicited import is_test_message

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "test-message"
DESCRIPTION = "A test message (\"test\", \"Yet another test!\", \"testing 1 2 3\"): says nothing but that it is a test."
ROBOT = False


def check(facts: Facts) -> str | None:
    display = re.findall(r"[\w']+", (facts.msg.display_name or "").lower())
    if is_test_message(facts.reading.subject, facts.body, frozenset(display)):
        return "a test message: asks for nothing"
    return None
