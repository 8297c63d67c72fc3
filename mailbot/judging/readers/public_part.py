"""The part of a subject access request that asks about the authority at large: FOIA's, not UK GDPR's.

"Send me everything you hold about me. Separately, how many subject access requests did you answer late?" is two
requests under two laws: the writer's own data (UK GDPR Art 15: one month; exempt from FOIA by s40(1)) and
statistics anyone may have (FOIA: 20 working days). One acknowledgement would state one due date for both, so the
judge sends none and staff split them. Only a question of fact about many records counts — "how many", "the
number of", statistics, figures, an average — in a sentence that is not itself about the writer's data ("how
many times my file was shared" is part of the subject access request).
"""

from __future__ import annotations

import re

from mailbot.judging.readers.asking import phrases
from mailbot.judging.readers.data_subject import normalise, read_data_subject
from mailbot.judging.readers.sentences import sentences

_FACTS_AT_LARGE = phrases(
    r"how many", r"the number of", r"numbers of", r"what (?:percentage|proportion)", r"statistics",
    r"figures (?:for|on)", r"on average", r"average (?:time|number|cost|length)", r"how long on average",
)
_FULL_STOP = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")
_ABOUT_THE_WRITER = re.compile(
    r"\b(?:about|on|of|concerning|regarding|mentioning) (?:me|myself)\b|\bmy (?:own |personal )?(?:data|records?|"
    r"files?|information|details|case|account|request)\b|\b(?:i|me) (?:was|were|am|have been)\b")


def public_part(body: str) -> str | None:
    """The sentence of `body` (the author's own words) that asks for facts at large, not the writer's data."""
    # The sentence reader keeps a paragraph's sentences together when it cannot be sure; a full stop before a
    # capital is enough here, where only whether the writer is the subject matters.
    parts = [part for sentence in sentences(body) for part in _FULL_STOP.split(sentence.text)]
    for part in parts:
        text = normalise(part)
        found = _FACTS_AT_LARGE.search(text)
        if not found or _ABOUT_THE_WRITER.search(text) or read_data_subject(text).own:
            continue
        return " ".join(part.split())[:100]
    return None
