"""What the rules look at: everything derived from one message and what storage knows, computed once.

Rules stay one-liners over these facts, and the same facts explain the decision afterwards (its regime, name,
address, references, case).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from mailbot.judging.decision import CaseRef
from mailbot.mail.message import InboundMessage
from mailbot.judging.names import DEFAULT_PSEUDONYMS, CLOSINGS, EXPLICIT, NameFinding, best_name, find_names, judge_full_name
from mailbot.mail.owntext import own_text
from mailbot.judging.references import ReferenceKey, find_bare_keys, find_reference_keys, format_reference
from mailbot.judging.webform import RelayedForm, read_form

DEFAULT_EIR_KEYWORDS = (
    "environmental information", "environmental information regulations", "eir", "air quality", "air pollution",
    "pollution", "emissions", "carbon dioxide", "climate change", "net zero", "waste", "recycling", "landfill",
    "fly-tipping", "fly tipping", "noise", "contaminated land", "contamination", "flooding", "flood", "biodiversity",
    "wildlife", "trees", "planning application", "planning permission", "land use", "water quality", "sewage",
    "pesticide", "energy consumption", "energy efficiency", "traffic emissions", "asbestos", "radiation",
)
DEFAULT_SAR_KEYWORDS = (
    "subject access request", "subject access", "right of access", "my personal data", "my personal information",
    "data you hold about me", "information you hold about me", "data held about me", "information held about me",
    "article 15", "all the information you hold on me", "information you hold on me", "data you hold on me",
)
DEFAULT_REVIEW_KEYWORDS = ("internal review",)
SUBJECT_FILLER = {"re", "fw", "fwd", "foi", "eir", "sar", "freedom", "of", "information", "request", "act", "the",
                  "a", "an", "for", "to", "and", "about", "on", "in", "enquiry", "query", "question"}
_SALUTATION = re.compile(r"^\s*(dear|hello|hi|good (morning|afternoon|evening)|to whom it may concern)\b.*$", re.I)
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|vs|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)
_TAG = re.compile(r"\s*\[(?:enquiry\s+)?ref(?:erence)?[^\]]*\]\s*", re.I)
_QUOTED_ID = re.compile(r"^\s*message-id:\s*(<[^<>\s]+>)", re.I | re.M)
_FORWARD_MARKERS = re.compile(r"^\s*(-{2,}\s*(forwarded|original) message|begin forwarded message:|from:\s.+)",
                              re.I | re.M)


def is_forwarded(msg: InboundMessage) -> bool:
    subject = msg.subject.strip().lower()
    return subject.startswith(("fw:", "fwd:")) or bool(_FORWARD_MARKERS.search(msg.text))


class ThreadIndex(Protocol):
    """What the judge may ask of storage."""

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None: ...

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None: ...

    def by_sender_subject(self, sender: str, subject_stem: str) -> list[CaseRef]: ...

    def replies_today(self, address: str) -> int: ...

    def our_templates(self, message_ids: Sequence[str]) -> tuple[str, ...]: ...


class EmptyIndex:
    """The index of a bot that has stored nothing: used by `mailbot check`."""

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None:
        return None

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None:
        return None

    def by_sender_subject(self, sender: str, subject_stem: str) -> list[CaseRef]:
        return []

    def replies_today(self, address: str) -> int:
        return 0

    def our_templates(self, message_ids: Sequence[str]) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class JudgeSettings:
    mailbox: str | None = None
    loop_token: str | None = None
    reference_format: str = "{seq}/{year}"
    eir_keywords: tuple[str, ...] = DEFAULT_EIR_KEYWORDS
    sar_keywords: tuple[str, ...] = DEFAULT_SAR_KEYWORDS
    review_keywords: tuple[str, ...] = DEFAULT_REVIEW_KEYWORDS
    pseudonyms: tuple[str, ...] = DEFAULT_PSEUDONYMS
    accept_surname_only: bool = False
    name_must_be_in_body: bool = False
    min_description_words: int = 3
    daily_reply_cap: int = 10
    disabled_rules: frozenset[str] = field(default_factory=frozenset)


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes or our reference tag, as written: what our "Re:" builds on."""
    stem = _TAG.sub(" ", subject or "")
    previous = None
    while previous != stem:
        previous = stem
        stem = _REPLY_PREFIX.sub("", stem)
    return re.sub(r"\s+", " ", stem).strip()


def subject_stem(subject: str) -> str:
    """Equal stems mean the same conversation (robot-mail.md threading signal 3)."""
    return clean_subject(subject).lower()


def is_reply_subject(subject: str) -> bool:
    return bool(_REPLY_PREFIX.match(subject or ""))


@lru_cache(maxsize=32)
def _keyword_patterns(keywords: tuple[str, ...]) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """Each keyword, lower-cased, with its whole-word pattern: compiled once per keyword list, not per message."""
    return tuple((k, k.lower(), re.compile(rf"(?<!\w){re.escape(k.lower())}(?:s|es)?(?!\w)")) for k in keywords)


def keyword_hits(text: str, keywords: Sequence[str]) -> tuple[str, ...]:
    lowered = text.lower()
    # The substring test only skips the regex where it could not match (most keywords, most messages).
    return tuple(k for k, word, pattern in _keyword_patterns(tuple(keywords))
                 if word in lowered and pattern.search(lowered))


def description_words(body: str, subject: str) -> int:
    """s8(1)(c): how many real words ask for something — the body without greetings, closings and name lines,
    plus the subject's own words (a request may be in its subject)."""
    words = 0
    for line in body.splitlines():
        if _SALUTATION.match(line) or CLOSINGS.match(line) or EXPLICIT.search(line):
            continue
        tokens = re.findall(r"[^\W\d_]{2,}", line)
        if len(tokens) == 1 and judge_full_name(line).full is False and line.strip() == tokens[0]:
            continue  # a lone sign-off word like "Fred"
        words += len(tokens)
    subject_words = [w for w in re.findall(r"[^\W\d_]{2,}", clean_subject(subject).lower()) if w not in SUBJECT_FILLER]
    return words + len(subject_words)


@dataclass(frozen=True)
class Facts:
    msg: InboundMessage
    settings: JudgeSettings
    body: str  # the author's own words (or the request field of a relayed form)
    form: RelayedForm | None
    address: str | None
    address_source: str | None  # "Reply-To" | "sender" | "form"
    keys: tuple[ReferenceKey, ...]
    references: tuple[str, ...]
    case: CaseRef | None
    thread_signal: str | None
    thread_note: str | None
    findings: tuple[NameFinding, ...]
    name: NameFinding | None
    described: bool
    forwarded: bool
    regime: str
    regime_note: str
    review_words: tuple[str, ...]
    replies_today: int
    returned_ids: tuple[str, ...]
    answers_our: tuple[str, ...]  # templates of our own messages that this one replies to


def _address(msg: InboundMessage, form: RelayedForm | None) -> tuple[str | None, str | None]:
    if form is not None and form.email:
        return form.email, "form"
    if msg.reply_to:
        return msg.reply_to[0], "Reply-To"
    return (msg.sender, "sender") if msg.sender else (None, None)


def _regime(text: str, settings: JudgeSettings) -> tuple[str, str]:
    sar = keyword_hits(text, settings.sar_keywords)
    if sar:
        return "sar", f"asks for the sender's own personal data ({', '.join(sar[:3])}): subject access"
    eir = keyword_hits(text, settings.eir_keywords)
    if eir:
        return "eir", f"is or may be about environmental information ({', '.join(eir[:3])}): EIR"
    return "foi", "no environmental or personal-data signals: Freedom of Information Act"


def _thread(msg: InboundMessage, body: str, keys: tuple[ReferenceKey, ...], returned: tuple[str, ...],
            address: str | None, index: ThreadIndex) -> tuple[CaseRef | None, str | None, str | None]:
    """Strongest signal first (robot-mail.md): Message-ID chain, then a reference, then sender + subject stem."""
    chain = list(msg.in_reply_to) + [m for m in reversed(msg.references) if m not in msg.in_reply_to]
    chain += [m for m in returned if m not in chain]
    if chain:
        case = index.by_message_ids(chain)
        if case:
            return case, "message-id", "names a message of this case (In-Reply-To/References or a returned copy)"
    if keys:
        case = index.by_reference(keys)
        if case:
            return case, "reference", f"quotes enquiry reference {case.reference}"
    bare = [k for k in find_bare_keys(msg.subject) + find_bare_keys(body) if k.year is not None]
    if bare:
        case = index.by_reference(bare)
        if case:
            return case, "reference", f"quotes enquiry reference {case.reference}"
    if address:
        candidates = index.by_sender_subject(address.lower(), subject_stem(msg.subject))
        if len(candidates) == 1:
            return candidates[0], "sender-subject", "same sender and subject as an open case"
        if len(candidates) > 1:
            return None, None, f"same sender and subject as {len(candidates)} open cases: ambiguous"
    return None, None, None


def gather_facts(msg: InboundMessage, index: ThreadIndex, settings: JudgeSettings) -> Facts:
    own = own_text(msg.text)
    form = read_form(own)
    body = form.request if form else own
    address, address_source = _address(msg, form)
    keys = tuple(dict.fromkeys(find_reference_keys(msg.subject) + find_reference_keys(body)))
    references = tuple(format_reference(k.seq, k.year, settings.reference_format) if k.year else str(k.seq)
                       for k in keys)
    returned = tuple(dict.fromkeys(msg.attached_message_ids + tuple(_QUOTED_ID.findall(msg.text))))
    case, signal, note = _thread(msg, body, keys, returned, address, index)
    display = None if settings.name_must_be_in_body else msg.display_name
    findings = find_names(own, display, accept_surname_only=settings.accept_surname_only,
                          pseudonyms=settings.pseudonyms)
    if form and form.name:
        verdict = judge_full_name(form.name, accept_surname_only=settings.accept_surname_only,
                                  pseudonyms=settings.pseudonyms)
        findings = [NameFinding(verdict.name, "form", verdict.full, verdict.reason, verdict.organisation,
                                verdict.pseudonym), *findings]
    forwarded = is_forwarded(msg)
    # A forwarded request is described in what it forwards, not only in the line above it.
    described_text = f"{body}\n{msg.text}" if forwarded and form is None else body
    text = f"{msg.subject}\n{described_text}"
    regime, regime_note = _regime(text, settings)
    return Facts(
        msg=msg, settings=settings, body=body, form=form, address=address, address_source=address_source,
        keys=keys, references=references, case=case, thread_signal=signal, thread_note=note,
        findings=tuple(findings), name=best_name(list(findings)),
        described=description_words(described_text, msg.subject) >= settings.min_description_words,
        forwarded=forwarded,
        regime=regime, regime_note=regime_note, review_words=keyword_hits(text, settings.review_keywords),
        replies_today=index.replies_today(address.lower()) if address else 0, returned_ids=returned,
        answers_our=index.our_templates(list(msg.in_reply_to)),
    )
