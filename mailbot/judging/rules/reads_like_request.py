"""The author's own words ask for information: a person's request, whatever the headers say."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.values import Regime

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

# A subject that calls the mail an information request ("FOI", "EIR request", "Request for information"): with a
# description ("Carbon emissions from the fleet, 2019 to 2024."), that is a request even with no verb asking.
NAMES_THE_LAW = re.compile(
    r"\b(foi|foia|eir|sar|dsar|freedom of information|environmental information|subject access|"
    r"information request|request for information|requests? under)\b",
    re.I,
)


def check(facts: Facts) -> str | None:
    text = f"{facts.body}\n{facts.msg.text}" if facts.forwarded else facts.body
    if facts.described and ASKING.search(text):
        return "the author's own words ask for information"
    if facts.described and NAMES_THE_LAW.search(facts.msg.subject):
        return "the subject names an information request, and the text describes what is wanted"
    if facts.regime is Regime.SAR:  # the regime reader quoted the data asked for ("Auskunft … Art. 15 DSGVO")
        return "the author asks for their own personal data"
    return None
