"""What the rules look at: everything derived from one message and what storage knows, computed once.

Rules stay one-liners over these facts, and the same facts explain the decision afterwards (its regime, name,
address, references, case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot.judging.decision import CaseRef
from mailbot.judging.keywords import keyword_hits
from mailbot.judging.names import CLOSINGS, EXPLICIT, NameFinding, best_name, find_names, judge_full_name
from mailbot.judging.reading import Reading, read_message
from mailbot.judging.references import ReferenceKey, find_reference_keys, format_reference
from mailbot.judging.rules.system_name import is_system_name
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.threads import ThreadIndex, find_thread, returned_ids
from mailbot.judging.values import Regime
from mailbot.judging.webform import RelayedForm, read_form
from mailbot.mail.message import InboundMessage

SUBJECT_FILLER = {"re", "fw", "fwd", "foi", "eir", "sar", "freedom", "of", "information", "request", "act", "the",
                  "a", "an", "for", "to", "and", "about", "on", "in", "enquiry", "query", "question"}
_SALUTATION = re.compile(r"^\s*(dear|hello|hi|good (morning|afternoon|evening)|to whom it may concern)\b.*$", re.I)
_FORWARD_MARKERS = re.compile(r"^\s*(-{2,}\s*(forwarded|original) message|begin forwarded message:|from:\s.+)",
                              re.I | re.M)


def is_forwarded(msg: InboundMessage) -> bool:
    subject = msg.subject.strip().lower()
    return subject.startswith(("fw:", "fwd:")) or bool(_FORWARD_MARKERS.search(msg.text))


def description_words(body: str, clean_subject: str) -> int:
    """s8(1)(c): how many real words ask for something — the body without greetings, closings and name lines,
    plus the (cleaned) subject's own words (a request may be in its subject)."""
    words = 0
    for line in body.splitlines():
        if _SALUTATION.match(line) or CLOSINGS.match(line) or EXPLICIT.search(line):
            continue
        tokens = re.findall(r"[^\W\d_]{2,}", line)
        if len(tokens) == 1 and judge_full_name(line).full is False and line.strip() == tokens[0]:
            continue  # a lone sign-off word like "Fred"
        words += len(tokens)
    subject_words = [w for w in re.findall(r"[^\W\d_]{2,}", clean_subject.lower()) if w not in SUBJECT_FILLER]
    return words + len(subject_words)


@dataclass(frozen=True)
class Facts:
    msg: InboundMessage
    settings: JudgeSettings
    reading: Reading  # the author's own words and the cleaned subject, read once
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
    regime: Regime
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


def _regime(text: str, settings: JudgeSettings) -> tuple[Regime, str]:
    sar = keyword_hits(text, settings.sar_keywords)
    if sar:
        return Regime.SAR, f"asks for the sender's own personal data ({', '.join(sar[:3])}): subject access"
    eir = keyword_hits(text, settings.eir_keywords)
    if eir:
        return Regime.EIR, f"is or may be about environmental information ({', '.join(eir[:3])}): EIR"
    return Regime.FOI, "no environmental or personal-data signals: Freedom of Information Act"


def gather_facts(msg: InboundMessage, index: ThreadIndex, settings: JudgeSettings) -> Facts:
    reading = read_message(msg)
    own = reading.own_text
    form = read_form(own)
    body = form.request if form else own
    address, address_source = _address(msg, form)
    keys = tuple(dict.fromkeys(find_reference_keys(msg.subject) + find_reference_keys(body)))
    references = tuple(format_reference(k.seq, k.year, settings.reference_format) if k.year else str(k.seq)
                       for k in keys)
    returned = returned_ids(msg)
    thread = find_thread(msg, body, keys, returned, address, reading.subject_stem, index)
    display = None if settings.name_must_be_in_body or is_system_name(msg.display_name) else msg.display_name
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
        msg=msg, settings=settings, reading=reading, body=body, form=form, address=address,
        address_source=address_source, keys=keys, references=references, case=thread.case,
        thread_signal=thread.signal, thread_note=thread.note, findings=tuple(findings), name=best_name(list(findings)),
        described=description_words(described_text, reading.subject) >= settings.min_description_words,
        forwarded=forwarded,
        regime=regime, regime_note=regime_note, review_words=keyword_hits(text, settings.review_keywords),
        replies_today=index.replies_today(address.lower()) if address else 0, returned_ids=returned,
        answers_our=index.our_templates(list(msg.in_reply_to)),
    )
