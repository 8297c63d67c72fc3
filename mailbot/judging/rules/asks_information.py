"""The author asks for recorded information (FOIA s8(1)(c)): records, figures, copies, a policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.asking import information_asked

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "asks-for-information"
DESCRIPTION = "The author asks for recorded information (FOIA s8(1)(c)): records, figures, copies, a policy."
ROBOT = False


def check(facts: Facts) -> str | None:
    # A forwarded request is asked for in what it forwards; the subject may carry the request too.
    body = f"{facts.body}\n{facts.msg.text}" if facts.forwarded else facts.body
    phrase = information_asked(f"{facts.reading.subject}\n{body}")
    return f"asks for recorded information (\"{phrase}\")" if phrase else None
