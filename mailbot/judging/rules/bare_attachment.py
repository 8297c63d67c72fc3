"""An attachment with (almost) nothing written: what it asks is in the file, which only staff can read."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.names import CLOSINGS

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "bare-attachment"
DESCRIPTION = "An attachment with (almost) nothing written: what it asks is in the file, which only staff can read."
ROBOT = False

# What people write above a file they send: at most a few words such as "Please see attached".
MAX_WORDS = 4
_FILLER = re.compile(r"^\s*(sent from my \w+|get outlook for \w+|sent from (mail|yahoo mail|outlook)\b.*)$", re.I)


def check(facts: Facts) -> str | None:
    if not facts.msg.attachments or facts.form is not None:
        return None
    display = set(re.findall(r"[^\W\d_]{2,}", (facts.msg.display_name or "").lower()))
    words = 0
    for line in facts.body.splitlines():
        tokens = re.findall(r"[^\W\d_]{2,}", line.lower())
        if CLOSINGS.match(line) or _FILLER.match(line) or (tokens and set(tokens) <= display):
            continue  # a closing, a phone's footer, the sender's own name
        words += len(tokens)
    if words > MAX_WORDS:
        return None
    names = ", ".join(a.filename or a.content_type for a in facts.msg.attachments[:3])
    return f"an attachment ({names}) with next to nothing written: staff must open it"
