"""Subjects as people use them: "Re:"/"Fwd:" prefixes in many languages, and our own reference tag.

The cleaned subject is what our "Re:" builds on and what a case stores; its lower-case stem is threading signal 3
(docs/robot-mail.md: same sender, same subject stem).
"""

from __future__ import annotations

import re

_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|vs|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)
_TAG = re.compile(r"\s*\[(?:enquiry\s+)?ref(?:erence)?[^\]]*\]\s*", re.I)


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes or our reference tag, as written: what our "Re:" builds on."""
    stem = _TAG.sub(" ", subject or "")
    previous = None
    while previous != stem:
        previous = stem
        stem = _REPLY_PREFIX.sub("", stem)
    return re.sub(r"\s+", " ", stem).strip()


def subject_stem(subject: str) -> str:
    """Equal stems mean the same conversation (docs/robot-mail.md, threading signal 3)."""
    return clean_subject(subject).lower()


def is_reply_subject(subject: str) -> bool:
    return bool(_REPLY_PREFIX.match(subject or ""))
