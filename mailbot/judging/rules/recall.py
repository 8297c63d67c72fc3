"""Outlook's message recall: "Peter Nash would like to recall the message, "FOI request - parking"."

The sender clicked Recall on a message already delivered. Nothing is recalled from an external mailbox: the
request was received and stays received (its clock runs), but its writer may want it withdrawn or may be about to
send a corrected one, and that is for staff to settle with them. Outlook writes the text itself, in the client's
language; the words quoted here are its English, German, French, Spanish and Dutch forms.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "recall"
DESCRIPTION = "Outlook's recall of an earlier message: the writer may want a request withdrawn; staff settle it."
ROBOT = False

_RECALL = re.compile(
    r"\bwould like to recall the message\b|\bm[öo]chte die nachricht\b.{0,120}\bzur[üu]ckrufen\b"
    r"|\bsouhaite rappeler le message\b|\bdesea recuperar el mensaje\b|\bwil het bericht\b.{0,120}\bintrekken\b",
    re.I | re.S)


def check(facts: Facts) -> str | None:
    found = _RECALL.search(facts.reading.own_text)
    if not found:
        return None
    return f"asks to recall an earlier message (\"{' '.join(found.group(0).split())}\"): it was received all the same"
