"""The author asks for recorded information (FOIA s8(1)(c)): records, figures, copies, a policy."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.readers.asking import information_asked
from mailbot.judging.values import Regime

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "asks-for-information"
DESCRIPTION = "The author asks for recorded information (FOIA s8(1)(c)): records, figures, copies, a policy."
ROBOT = False

# A subject that calls the mail an information request ("FOI", "EIR request", "Request for information"): with a
# description ("Carbon emissions from the fleet, 2019 to 2024."), that is a request even with no verb asking.
NAMES_THE_LAW = re.compile(
    r"^\s*(?:(?:re|fw|fwd)\s*:\s*)*(?:foi|foia|eir|sar|dsar)\b|\b(?:foi|foia|eir) request|\bfreedom of information"
    r"|\benvironmental information|\bsubject access|\binformation request|\brequest for information"
    r"|\brequests? under\b",
    re.I,
)


def check(facts: Facts) -> str | None:
    # A forwarded request is asked for in what it forwards; the subject may carry the request too.
    body = f"{facts.body}\n{facts.msg.text}" if facts.forwarded else facts.body
    phrase = information_asked(f"{facts.reading.subject}\n{body}")
    if phrase:
        return f"asks for recorded information (\"{phrase}\")"
    if facts.described and NAMES_THE_LAW.search(facts.msg.subject):
        return "the subject names an information request, and the text describes what is wanted"
    if facts.regime is Regime.SAR:  # the regime reader quoted the data asked for ("Auskunft … Art. 15 DSGVO")
        return "asks for the author's own personal data"
    return None
