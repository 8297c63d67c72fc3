"""Subjects as people use them: "Re:"/"Fwd:" prefixes in many languages, and our own reference tag.

The cleaned subject is what our "Re:" builds on and what a case stores; its lower-case stem is threading signal 3
(docs/robot-mail.md: same sender, same subject stem).

Mail clients localise the reply and forward prefixes (Outlook, Thunderbird and mobile clients each in their own
way): "AW:" (German Antwort), "SV:" (Scandinavian svar), "VS:" (Finnish vastaus), "Antw:" (Dutch), "RE :" (French
typography puts a space before the colon), "Ateb:" (Welsh), "RIF:"/"R:" (Italian), "RES:" (Portuguese), "ODP:"
(Polish), "Réf." (French), and for forwards "WG:" (German weitergeleitet), "TR:" (French transféré), "RV:"
(Spanish reenviado), "Doorst:" (Dutch doorsturen), "VL:" (Finnish välitetty), "ENC:" (Portuguese encaminhada),
"PD:" (Polish przekazuj dalej). Lists and old clients count replies ("Re[2]:", "Re^3:", "Re(2):"), forwarding
chains stack them ("Re: [Ext] AW: RE: …"), and security gateways put a tag in front ("[EXTERNAL] RE: …").
"""

from __future__ import annotations

import re

_REPLIES = r"re|aw|sv|vs|antw|antwort|ateb|rif|r|res|odp|ynt|vá|απ|σχετ|回复|回覆|答复"
_FORWARDS = r"fwd?|wg|tr|rv|doorst|vl|enc|pd|i|转发|轉寄|πρθ"
_COUNT = r"(?:\[\d+\]|\^\d+|\(\d+\))?"
# One prefix: a word from the lists, a counter, then a colon (ASCII or full-width) with optional spaces around it.
_PREFIX = rf"(?:(?P<word>{_REPLIES}|{_FORWARDS}){_COUNT}\s*[:：]|réf\.\s*:?|réf\s*:)"
# A gateway's or list's tag in front of the prefixes: "[EXTERNAL]", "[Ext]", "*EXTERNAL*", "EXT:" — but never our
# own reference tag, which names a case.
_GATEWAY_TAG = r"(?:\[(?!\s*(?:enquiry|cyf|ref))[^\]\[]{1,40}\]|\*{1,2}\s*external\s*\*{1,2}|ext\s*:)"
_PREFIXES = re.compile(rf"^\s*(?:(?:{_GATEWAY_TAG}|{_PREFIX})\s*)+", re.I)
_ONE = re.compile(rf"\s*(?:{_GATEWAY_TAG}|{_PREFIX})\s*", re.I)
_REPLY_WORD = re.compile(rf"^(?:{_REPLIES})$|^réf", re.I)
_TAG = re.compile(r"\s*\[(?:enquiry\s+)?ref(?:erence)?[^\]]*\]\s*", re.I)
# Our own tag as the reply templates write it: "[Enquiry Ref: 13931/2022]", Welsh "[Cyf. Ymholiad / Enquiry Ref: …]".
OUR_TAG = re.compile(r"\[\s*(?:cyf\.?\s*ymholiad\s*/\s*)?enquiry\s+ref\s*:\s*[^\]]+\]", re.I)


def _prefixes(subject: str) -> list[str]:
    """The words of the leading prefixes ("re", "aw", "fw", …) in order, gateway tags left out."""
    match = _PREFIXES.match(subject or "")
    if not match or not match.group(0).strip():
        return []
    words: list[str] = []
    for part in _ONE.finditer(match.group(0)):
        word = part.group("word")
        if word:
            words.append(word.lower())
        elif part.group(0).strip().lower().startswith("réf"):
            words.append("réf")
    return words


def _strip_prefixes(subject: str) -> str:
    match = _PREFIXES.match(subject)
    if not match:
        return subject
    if not subject[match.end():].strip() and not _prefixes(subject):
        return subject  # a subject that is nothing but a tag ("[Test]") keeps its text
    return subject[match.end():]


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes or our reference tag, as written: what our "Re:" builds on."""
    stem = _TAG.sub(" ", subject or "")
    previous = None
    while previous != stem:
        previous = stem
        stem = _strip_prefixes(stem)
    return re.sub(r"\s+", " ", stem).strip()


def subject_stem(subject: str) -> str:
    """Equal stems mean the same conversation (docs/robot-mail.md, threading signal 3)."""
    return clean_subject(subject).lower()


def is_reply_subject(subject: str) -> bool:
    """Any reply or forward prefix, in any language."""
    return bool(_prefixes(subject))


def answers_subject(subject: str) -> bool:
    """The outermost prefix says reply ("Re:", "AW:", "SV:", …), not forward: the author answers something."""
    words = _prefixes(subject)
    return bool(words) and bool(_REPLY_WORD.match(words[0]))


def forwards_subject(subject: str) -> bool:
    """The outermost prefix says forward ("Fwd:", "WG:", "TR:", "RV:", …): the author passes someone's mail on."""
    words = _prefixes(subject)
    return bool(words) and not _REPLY_WORD.match(words[0])


def has_our_tag(subject: str) -> bool:
    """Our reference tag in the subject: the author replies to our mail, whatever the prefix (or none)."""
    return bool(OUR_TAG.search(subject or ""))
