"""What the rules look at: everything derived from one message and what storage knows, computed once.

Rules stay one-liners over these facts, and the same facts explain the decision afterwards (its regime, name,
address, references, case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from email.utils import getaddresses

from mailbot.judging.decision import CaseRef
from mailbot.judging.readers.authentication import SenderAuthentication, sender_authentication
from mailbot.judging.readers.description import description_words as body_description_words
from mailbot.judging.readers.display_names import unquoted_surname_first
from mailbot.judging.readers.forwards import OWN_REQUEST, ForwardedOriginal, find_forwarded, same_person
from mailbot.judging.readers.keywords import keyword_hits
from mailbot.judging.readers.name_words import is_system_name
from mailbot.judging.readers.names import NameFinding, best_name, find_names, judge_full_name
from mailbot.judging.readers.quoting import quotes_us
from mailbot.judging.readers.references import ReferenceKey, find_reference_keys, format_reference
from mailbot.judging.readers.regime_reading import RegimeReading, read_regime
from mailbot.judging.readers.robot_addresses import robot_local
from mailbot.judging.readers.subjects import answers_subject, forwards_subject, is_reply_subject
from mailbot.judging.readers.webform import RelayedForm, read_form
from mailbot.judging.reading import Reading, read_message
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.threads import ThreadIndex, find_thread, returned_ids
from mailbot.judging.values import Regime
from mailbot.mail.mailbox_key import mailbox_key
from mailbot.mail.message import InboundMessage
from mailbot.mail.owntext import own_text

SUBJECT_FILLER = {"re", "fw", "fwd", "foi", "eir", "sar", "freedom", "of", "information", "request", "act", "the",
                  "a", "an", "for", "to", "and", "about", "on", "in", "enquiry", "query", "question"}
_FORWARD_MARKERS = re.compile(r"^\s*(-{2,}\s*(forwarded|original) message|begin forwarded message:|from:\s.+)",
                              re.I | re.M)


def is_forwarded(msg: InboundMessage) -> bool:
    return forwards_subject(msg.subject) or bool(_FORWARD_MARKERS.search(msg.text))


def forwarded_for_another(msg: InboundMessage, own: str, settings: JudgeSettings,
                          original: ForwardedOriginal | None) -> ForwardedOriginal | None:
    """The forwarded original when someone passes on another person's mail (the applicant is its author), else None.

    A forward is what the subject ("Fwd:", "WG:", "TR:", …) or a forward separator says; a header block under a
    subject with no prefix at all is one too when the sender's own words ask for nothing (the request is below). A
    reply's quoted block, a block quoting our own mailbox, and the sender forwarding their own mail are not.
    """
    if original is None:
        return None
    says_forward = original.forward or forwards_subject(msg.subject)
    own_described = description_words(own, "") >= settings.min_description_words
    if not says_forward and (is_reply_subject(msg.subject) or own_described):
        return None
    if settings.mailbox and (original.author_address or "").lower() == settings.mailbox.lower():
        return None
    if OWN_REQUEST.search(own) and own_described:
        return None  # the forwarder asks for information in their own words: the request is theirs
    return None if same_person(original, msg.sender, msg.display_name) else original


def sent_to_us_before(msg: InboundMessage, original: ForwardedOriginal | None, settings: JudgeSettings) -> str | None:
    """Where and when a forwarded original went to one of our own addresses ("To: enquiries@…, Tue 3 Nov"): a
    request the authority may have received then, so its date of receipt is for staff to settle."""
    if original is None or not (original.forward or forwards_subject(msg.subject)) or not original.to:
        return None
    if any(settings.own_domain(address) for _, address in getaddresses([original.to])):
        return f"{original.to.strip()[:80]}, {original.date or 'date not given'}"
    return None


def description_words(body: str, clean_subject: str) -> int:
    """s8(1)(c): how many real words ask for something — the body read sentence by sentence without greetings,
    closings, name statements and signatures (description.py), plus the (cleaned) subject's own words (a request
    may be in its subject)."""
    subject_words = [w for w in re.findall(r"[^\W\d_]{2,}", clean_subject.lower()) if w not in SUBJECT_FILLER]
    return body_description_words(body, len(subject_words))


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
    forward: ForwardedOriginal | None  # another person's forwarded mail: its author is the applicant
    quotes_ours: str | None  # why the message answers our mail without saying so in its headers
    sent_before: str | None  # a forwarded original first sent to one of our own addresses: to whom, when
    regime: Regime
    regime_note: str
    third_party: bool  # asks for another living person's personal data (regime_reading.py)
    other_law: str | None  # a subject access request's part FOIA covers (facts at large, the dead's records): its words
    review_words: tuple[str, ...]
    replies_today: int  # automatic replies to the mailbox of `address` (sub-addresses, case folded) today
    replies_this_hour: int  # automatic replies from our mailbox, to anyone, in the last hour
    authentication: SenderAuthentication | None  # the authority's own server's verdict on From, when trusted
    returned_ids: tuple[str, ...]
    answers_our: tuple[str, ...]  # templates of our own messages that this one replies to


def _address(msg: InboundMessage, form: RelayedForm | None) -> tuple[str | None, str | None]:
    if form is not None and form.email:
        return form.email, "form"
    if msg.reply_to:
        return msg.reply_to[0], "Reply-To"
    return (msg.sender, "sender") if msg.sender else (None, None)


def _regime(subject: str, body: str, settings: JudgeSettings) -> RegimeReading:
    return read_regime(subject, body, sar_keywords=settings.sar_keywords, eir_keywords=settings.eir_keywords)


def gather_facts(msg: InboundMessage, index: ThreadIndex, settings: JudgeSettings) -> Facts:
    reading = read_message(msg)
    own = reading.own_text
    form = read_form(own)
    body = form.request if form else own
    original = None if form is not None or answers_subject(msg.subject) else find_forwarded(msg.text)
    forward = forwarded_for_another(msg, own, settings, original)
    address, address_source = _address(msg, form)
    if forward is not None:
        address, address_source = forward.author_address, "forwarded original"
    quotes_ours = quotes_us(msg.subject, msg.text, own, settings.mailbox)
    quoted_keys = find_reference_keys(msg.text) if quotes_ours else []  # our reference, in the text they quote
    keys = tuple(dict.fromkeys(find_reference_keys(msg.subject) + find_reference_keys(body) + quoted_keys))
    references = tuple(format_reference(k.seq, k.year, settings.reference_format) if k.year else str(k.seq)
                       for k in keys)
    returned = returned_ids(msg)
    thread = find_thread(msg, body, keys, returned, address, reading.subject_stem, index)
    # A display name on a robot's address is the system's ("Planning Portal"), unless a person's Reply-To says
    # whose mail it carries ("Lina Farouk" <no-reply@sharepointonline.com>, Reply-To: Lina's own address).
    robot_display = address_source == "sender" and robot_local(msg.sender) is not None
    display_name = unquoted_surname_first(msg.header("from")) or msg.display_name
    display = (None if settings.name_must_be_in_body or is_system_name(display_name) or robot_display
               else display_name)
    findings = find_names(own, display, accept_surname_only=settings.accept_surname_only,
                          pseudonyms=settings.pseudonyms)
    if forward is not None:  # the applicant is the original's author: their name, not the forwarder's
        findings = find_names(own_text(forward.text), forward.author_name,
                              accept_surname_only=settings.accept_surname_only, pseudonyms=settings.pseudonyms)
    if form and form.name:
        verdict = judge_full_name(form.name, accept_surname_only=settings.accept_surname_only,
                                  pseudonyms=settings.pseudonyms)
        findings = [replace(verdict, source="form"), *findings]
    forwarded = is_forwarded(msg)
    # A forwarded request is described in what it forwards, not only in the line above it.
    described_text = f"{body}\n{msg.text}" if forwarded and form is None else body
    text = f"{msg.subject}\n{described_text}"
    regime_reading = _regime(msg.subject, described_text, settings)
    regime, regime_note = regime_reading.regime, regime_reading.note
    # A subject-access reading quotes the records asked for ("my file"): that is itself the description.
    described = (regime is Regime.SAR
                 or description_words(described_text, reading.subject) >= settings.min_description_words)
    return Facts(
        msg=msg, settings=settings, reading=reading, body=body, form=form, address=address,
        address_source=address_source, keys=keys, references=references, case=thread.case,
        thread_signal=thread.signal, thread_note=thread.note, findings=tuple(findings), name=best_name(list(findings)),
        described=described,
        forwarded=forwarded, forward=forward, quotes_ours=quotes_ours,
        sent_before=sent_to_us_before(msg, original, settings) if forward is None else None,
        regime=regime, regime_note=regime_note, third_party=regime_reading.third_party,
        other_law=regime_reading.also_foi,
        review_words=keyword_hits(text, settings.review_keywords),
        replies_today=index.replies_today(mailbox_key(address)) if address else 0,
        replies_this_hour=index.replies_this_hour(settings.hourly_reply_cap), returned_ids=returned,
        authentication=sender_authentication(msg.header_all("authentication-results"),
                                             settings.trusted_authserv_ids, msg.sender),
        # The parent is In-Reply-To, or the last of References when a client or CRM keeps only that (RFC 5322 3.6.4).
        answers_our=index.our_templates(list(msg.in_reply_to) or list(msg.references[-1:])),
    )
