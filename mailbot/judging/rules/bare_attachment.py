"""An attachment with nothing written but a cover note: what it asks is in the file, which only staff can read."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.readers.courtesies import closing_rest, is_footer

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "bare-attachment"
DESCRIPTION = "An attachment with nothing but a cover note: what it asks is in the file, which only staff can read."
ROBOT = False

# What people write above a file they send, and nothing else: "Please see attached", "Letter enclosed herewith".
MAX_WORDS = 6
COVER_NOTE = frozenset((
    "please", "see", "find", "attached", "attachment", "attachments", "enclosed", "herewith", "here", "is", "are",
    "the", "my", "our", "a", "an", "this", "letter", "document", "documents", "file", "files", "form", "scan",
    "scanned", "copy", "as", "requested", "apologies", "hi", "hello", "dear", "sir", "madam", "team", "for", "your",
    "attention", "info", "information", "thanks", "thank", "you", "regards", "fyi", "request", "requests", "foi",
    "application", "signed", "below",
))


def check(facts: Facts) -> str | None:
    if not facts.msg.attachments or facts.form is not None:
        return None
    display = set(re.findall(r"[^\W\d_]{2,}", (facts.msg.display_name or "").lower()))
    words = 0
    for line in facts.body.splitlines():
        tokens = re.findall(r"[^\W\d_]{2,}", line.lower())
        if closing_rest(line) is not None or is_footer(line) or (tokens and set(tokens) <= display):
            continue  # a closing, a phone's footer, the sender's own name
        if set(tokens) - COVER_NOTE:
            return None  # the author wrote something of their own: the text is read, not the file
        words += len(tokens)
    if words > MAX_WORDS:
        return None
    names = ", ".join(a.filename or a.content_type for a in facts.msg.attachments[:3])
    return f"an attachment ({names}) with next to nothing written: staff must open it"
