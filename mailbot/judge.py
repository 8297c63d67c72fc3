"""The pure core: one parsed message plus what we already know → one Decision with its reasons.

No I/O happens here. What the decision needs from storage (which case a Message-ID or reference belongs to)
comes through the small ThreadIndex protocol, so `mailbot check` can judge files with an empty index and the
runner can judge with the database behind it. The order of the steps is the decision table:
robots → threading → (follow-up table | new-request table).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mailbot.decision import CaseRef, Decision
from mailbot.message import InboundMessage
from mailbot.names import CLOSINGS, EXPLICIT, PSEUDONYMS, NameFinding, best_name, clean_name, find_names, own_text
from mailbot.references import ReferenceKey, find_bare_keys, find_reference_keys, format_reference
from mailbot.robots import RobotContext, detect_robot

DEFAULT_EIR_KEYWORDS = (
    "environmental information", "environmental information regulations", "eir", "air quality", "air pollution",
    "pollution", "emissions", "carbon dioxide", "climate change", "net zero", "waste", "recycling", "landfill",
    "fly-tipping", "fly tipping", "noise", "contaminated land", "contamination", "flooding", "flood", "biodiversity",
    "wildlife", "trees", "planning application", "planning permission", "land use", "water quality", "sewage",
    "pesticide", "energy consumption", "energy efficiency",
)
DEFAULT_SAR_KEYWORDS = (
    "subject access request", "subject access", "right of access", "my personal data", "my personal information",
    "data you hold about me", "information you hold about me", "data held about me", "information held about me",
    "article 15",
)
DEFAULT_REVIEW_KEYWORDS = ("internal review",)

_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|vs|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)
_TAG = re.compile(r"\s*\[(?:enquiry\s+)?ref(?:erence)?[^\]]*\]\s*", re.I)
_SALUTATION = re.compile(r"^\s*(dear|hello|hi|good (morning|afternoon|evening)|to whom it may concern)\b.*$", re.I)


class ThreadIndex(Protocol):
    """What the judge may ask of storage; every answer is a CaseRef or nothing."""

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None: ...

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None: ...

    def by_sender_subject(self, sender: str, subject_stem: str) -> list[CaseRef]: ...


class EmptyIndex:
    """The index of a bot that has stored nothing: used by `mailbot check`."""

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None:
        return None

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None:
        return None

    def by_sender_subject(self, sender: str, subject_stem: str) -> list[CaseRef]:
        return []


@dataclass(frozen=True)
class JudgeSettings:
    mailbox: str | None = None
    loop_token: str | None = None
    reference_format: str = "{seq}/{year}"
    eir_keywords: tuple[str, ...] = DEFAULT_EIR_KEYWORDS
    sar_keywords: tuple[str, ...] = DEFAULT_SAR_KEYWORDS
    review_keywords: tuple[str, ...] = DEFAULT_REVIEW_KEYWORDS
    accept_surname_only: bool = False
    name_must_be_in_body: bool = False
    min_description_words: int = 3
    extra: dict[str, str] = field(default_factory=dict)


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


def _keyword_hits(text: str, keywords: Sequence[str]) -> list[str]:
    lowered = text.lower()
    return [k for k in keywords if re.search(rf"(?<!\w){re.escape(k.lower())}(?!\w)", lowered)]


def _reference_keys(msg: InboundMessage, body: str) -> list[ReferenceKey]:
    keys = find_reference_keys(msg.subject) + find_reference_keys(body)
    return list(dict.fromkeys(keys))


def _described(body: str, settings: JudgeSettings) -> bool:
    """s8(1)(c): does the author's own text ask for anything at all? The bar is low: a few real words will do."""
    words = 0
    for line in body.splitlines():
        if _SALUTATION.match(line) or CLOSINGS.match(line) or EXPLICIT.search(line):
            continue
        words += len(re.findall(r"[^\W\d_]{2,}", line))
    return words >= settings.min_description_words


def _thread(msg: InboundMessage, body: str, index: ThreadIndex, settings: JudgeSettings,
            keys: list[ReferenceKey]) -> tuple[CaseRef | None, str | None, str | None]:
    """Strongest signal first (robot-mail.md): Message-ID chain, then a reference, then sender + subject stem."""
    chain = list(msg.in_reply_to) + [m for m in reversed(msg.references) if m not in msg.in_reply_to]
    if chain:
        case = index.by_message_ids(chain)
        if case:
            return case, "message-id", "In-Reply-To/References names a message of this case"
    if keys:
        case = index.by_reference(keys)
        if case:
            return case, "reference", f"quotes enquiry reference {case.reference}"
    bare = find_bare_keys(msg.subject) + find_bare_keys(body)
    if bare:
        case = index.by_reference([k for k in bare if k.year is not None])
        if case:
            return case, "reference", f"quotes enquiry reference {case.reference}"
    address = msg.correspondence_address
    if address:
        candidates = index.by_sender_subject(address.lower(), subject_stem(msg.subject))
        if len(candidates) == 1:
            return candidates[0], "sender-subject", "same sender and subject as an open case"
        if len(candidates) > 1:
            return None, None, f"same sender and subject as {len(candidates)} open cases: ambiguous"
    return None, None, None


def _name_for(msg: InboundMessage, body: str, settings: JudgeSettings) -> tuple[NameFinding | None, list[NameFinding]]:
    display = None if settings.name_must_be_in_body else msg.display_name
    findings = find_names(body, display, accept_surname_only=settings.accept_surname_only)
    return best_name(findings), findings


def judge(msg: InboundMessage, index: ThreadIndex | None = None, settings: JudgeSettings | None = None) -> Decision:
    """Decide what to do with one message. Pure: same inputs, same decision."""
    settings = settings or JudgeSettings()
    index = index or EmptyIndex()
    robot = detect_robot(msg, RobotContext(settings.mailbox, settings.loop_token))
    body = own_text(msg.text)
    keys = _reference_keys(msg, body)
    references = tuple(format_reference(k.seq, k.year, settings.reference_format) if k.year else str(k.seq) for k in keys)
    if robot:
        case, signal, _ = _thread(msg, body, index, settings, keys) if robot.kind == "bounce" else (None, None, None)
        reasons = robot.reasons + ("robot mail is recorded for staff and never answered",)
        details = {}
        if robot.kind == "bounce" and msg.delivery_status:
            details["failed_recipients"] = [d.recipient for d in msg.delivery_status if d.recipient]
            details["permanent"] = any(d.permanent for d in msg.delivery_status)
        return Decision(kind=robot.kind, action="none", reasons=reasons, references=references,
                        case=case, thread_signal=signal, details=details)

    address = msg.correspondence_address
    case, signal, thread_note = _thread(msg, body, index, settings, keys)
    text_for_regime = f"{msg.subject}\n{body}"
    review_hits = _keyword_hits(text_for_regime, settings.review_keywords)
    if case is not None:
        return _judge_follow_up(msg, body, case, signal, thread_note, review_hits, references, settings)
    reasons: list[str] = []
    if thread_note:
        reasons.append(thread_note)
    if review_hits:
        reasons.append(f"asks for an internal review ({', '.join(review_hits)}) but names no enquiry we know")
        return Decision(kind="follow_up", action="staff_review", regime="internal_review", address=address,
                        references=references, reasons=tuple(reasons + ["staff must find the enquiry to review"]))
    if is_reply_subject(msg.subject) and (keys or re.search(r"^\s*>", msg.text, re.M) or not _described(body, settings)):
        reasons.append("looks like a reply (Re: subject with quoted text, a reference or no request) but matches no case")
        return Decision(kind="follow_up", action="staff_review", address=address, references=references,
                        reasons=tuple(reasons + ["unmatched replies go to staff rather than opening a new request"]))
    return _judge_new_request(msg, body, address, references, reasons, settings)


def _judge_follow_up(msg: InboundMessage, body: str, case: CaseRef, signal: str | None, thread_note: str | None,
                     review_hits: list[str], references: tuple[str, ...], settings: JudgeSettings) -> Decision:
    address = msg.correspondence_address
    reasons = [f"threads to {'enquiry ' + case.reference if case.reference else 'held request #' + str(case.case_id)}"
               f" by {signal}: {thread_note}"]
    if case.status == "held":
        return _judge_completion(msg, body, case, signal, reasons, references, settings)
    if review_hits:
        reasons.append(f"asks for an internal review ({', '.join(review_hits)})")
        found, _ = _name_for(msg, body, settings)
        return Decision(kind="follow_up", action="acknowledge_review", regime="internal_review",
                        applicant_name=(found.name if found and found.full else case.applicant_name),
                        address=address, valid=True, references=references, case=case, thread_signal=signal,
                        reasons=tuple(reasons))
    details = {}
    if case.awaiting_clarification:
        reasons.append("the requester's reply to our clarification question: the clock restarts from its receipt"
                       + (" (the paused days are added back)" if case.regime == "sar" else ""))
        details["clarification_received"] = True
    reasons.append("further correspondence on a known enquiry: recorded on it and receipt confirmed")
    return Decision(kind="follow_up", action="acknowledge_follow_up", regime=case.regime,
                    applicant_name=case.applicant_name, address=address, references=references, case=case,
                    thread_signal=signal, reasons=tuple(reasons), details=details)


def _regime(msg: InboundMessage, body: str, settings: JudgeSettings) -> tuple[str, str]:
    text = f"{msg.subject}\n{body}"
    sar = _keyword_hits(text, settings.sar_keywords)
    if sar:
        return "sar", f"asks for the sender's own personal data ({', '.join(sar[:3])}): subject access"
    eir = _keyword_hits(text, settings.eir_keywords)
    if eir:
        return "eir", f"is or may be about environmental information ({', '.join(eir[:3])}): EIR"
    return "foi", "no environmental or personal-data signals: Freedom of Information Act"


def _judge_new_request(msg: InboundMessage, body: str, address: str | None, references: tuple[str, ...],
                       reasons: list[str], settings: JudgeSettings) -> Decision:
    regime, regime_reason = _regime(msg, body, settings)
    reasons.append(f"new request: {regime_reason}")
    found, findings = _name_for(msg, body, settings)
    name = found.name if found else None
    missing: list[str] = []
    if not address:
        missing.append("address")
        reasons.append("no address for correspondence (FOIA s8(1)(b))")
    else:
        reasons.append(f"address for correspondence: the {'Reply-To' if msg.reply_to else 'sender'} address")
    if found and found.full:
        reasons.append(f"applicant's name from the {found.source}: {found.reason}")
    elif regime in ("eir", "sar"):
        reasons.append("no full name, but "
                       + ("the EIR require none" if regime == "eir" else "subject access is not an FOIA s8 request")
                       + (f" ({found.reason})" if found else ""))
    else:
        missing.append("name")
        reasons.append("no full name (FOIA s8(1)(b))" + (f": {found.reason}" if found else ": none given"))
    if _described(body, settings):
        reasons.append("describes the information wanted (FOIA s8(1)(c))")
    else:
        missing.append("description")
        reasons.append("asks for no information at all (FOIA s8(1)(c))")
    common = dict(kind="request", regime=regime, applicant_name=name, address=address, references=references)
    if "address" in missing:
        return Decision(action="staff_review", valid=False, missing=tuple(missing),
                        reasons=tuple(reasons + ["nobody to write to: staff must decide"]), **common)
    if name and clean_name(name).lower() in PSEUDONYMS:
        return Decision(action="staff_review", valid=False, missing=tuple(missing),
                        reasons=tuple(reasons + ["an obvious pseudonym: good practice is to deal with it, staff decide"]),
                        **common)
    if missing:
        reasons.append("a Section 8 notice says what is missing; the request is held without a reference")
        return Decision(action="section8_notice", valid=False, missing=tuple(missing), reasons=tuple(reasons), **common)
    reasons.append("valid: allocate an enquiry reference and acknowledge with the due date")
    return Decision(action="acknowledge", valid=True, reasons=tuple(reasons), **common)


def _judge_completion(msg: InboundMessage, body: str, case: CaseRef, signal: str | None, reasons: list[str],
                      references: tuple[str, ...], settings: JudgeSettings) -> Decision:
    """A reply to a held request: does it now supply what the Section 8 notice asked for?"""
    address = msg.correspondence_address
    still_missing: list[str] = []
    name = case.applicant_name
    if "name" in case.missing:
        found, _ = _name_for(msg, body, settings)
        if found and found.full:
            name = found.name
            reasons.append(f"supplies the applicant's full name ({found.source}): {found.reason}")
        else:
            still_missing.append("name")
            reasons.append("still gives no full name" + (f" ({found.reason})" if found else ""))
    if "description" in case.missing:
        if _described(body, settings):
            reasons.append("now describes the information wanted")
        else:
            still_missing.append("description")
            reasons.append("still asks for no information")
    common = dict(kind="follow_up", regime=case.regime, applicant_name=name, address=address,
                  references=references, case=case, thread_signal=signal)
    if still_missing:
        reasons.append("staff should read it rather than send a second notice")
        return Decision(action="staff_review", valid=False, missing=tuple(still_missing), reasons=tuple(reasons),
                        **common)
    reasons.append("the request is now valid under FOIA s8; the 20 working days run from this message's receipt")
    return Decision(action="acknowledge", valid=True, reasons=tuple(reasons), **common)
