"""The author's own words ask for information: a person's request, whatever the headers say."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "reads-like-request"
DESCRIPTION = "The author's own words ask for information: a person's request, whatever the headers say."
ROBOT = False


ASKING = re.compile(
    r"\?|\b(please|could you|can you|would you|i would like|i'd like|i want|i am requesting|i request|"
    r"request(ing)? (a copy|copies|the|all|any|information)|provide|send me|disclose|copy of|copies of|how many|"
    r"under the freedom of information|environmental information regulations)\b",
    re.I,
)


def check(facts: Facts) -> str | None:
    text = f"{facts.body}\n{facts.msg.text}" if facts.forwarded else facts.body
    if facts.described and ASKING.search(text):
        return "the author's own words ask for information"
    return None
