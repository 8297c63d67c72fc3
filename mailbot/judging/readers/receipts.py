"""Mail that only acknowledges receipt: another organisation's automatic acknowledgement, or a bare "thanks, received".

Two mailboxes that each acknowledge what they receive will acknowledge each other for ever; headers (RFC 3834
Auto-Submitted, Precedence) stop that only when both sides send and honour them, and case-management systems
(Dynamics, Salesforce, iCasework, Granicus, Jadu, Zendesk's "Request received") often send neither, or send from
an address that looks like a person's. So the words are read too. An acknowledgement says what it is in a few
recognisable ways — that it is automatic, that something of ours was received or logged, the reference it was
given, when an answer will come, that replies are not read — and asks for nothing. One of the first kind is
enough; otherwise two different kinds are needed, and any sign that the author asks for something (a question, "I
would like", "please send") means it is not only an acknowledgement. Only the author's own words are read (never
quoted or forwarded text), so a request that quotes an acknowledgement is still read as a request.
"""

from __future__ import annotations

import re

_F = re.I | re.M

AUTOMATED = re.compile(
    r"\bthis\s+is\s+an?\s+(?:automated|automatic|auto-?generated|computer[- ]generated|system[- ]generated)\s+"
    r"(?:response|reply|message|acknowledg(?:e)?ment|e-?mail|notification|receipt|confirmation)"
    r"|\bthis\s+(?:e-?mail|message|response|acknowledg(?:e)?ment|notification)\s+(?:has\s+been|was|is)\s+"
    r"(?:sent\s+|generated\s+)?automatically"
    r"|\b(?:automatically|auto-?)\s*generated\s+(?:e-?mail|message|response|acknowledg)"
    r"|\b(?:neges|ymateb)\s+awtomatig\b"  # Welsh: automatic message, automatic response
    r"|\bautomatische\s+(?:antwort|eingangsbest)|\baccus[ée]\s+de\s+r[ée]ception\s+automatique",
    _F,
)
SIGNS: dict[str, re.Pattern[str]] = {
    "received": re.compile(
        r"\b(?:we|i)(?:'ve|\s+have|\s+has)?\s+(?:now\s+|successfully\s+|safely\s+)?"
        r"(?:received|logged|registered|recorded)\s+(?:your|it|this|the)\b"
        r"|\byour\s+(?:[\w-]+\s+){0,4}?(?:request|e-?mail|enquiry|inquiry|message|correspondence|application|"
        r"complaint|case|ticket|submission|query)(?:\s*\(?#?[\w/-]*\d[\w/-]*\)?)?\s+(?:has|have|was)\s+(?:now\s+)?(?:been\s+)?(?:received|logged|"
        r"registered|recorded|passed|forwarded|assigned|acknowledged|created|opened|raised)"
        r"|\b(?:acknowledg(?:e|ing)|confirm(?:ing|ation\s+of)?)\s+(?:the\s+)?receipt\b|\breceipt\s+of\s+your\b"
        r"|\bwedi\s+derbyn\s+eich\b|\bderbyniwyd\s+eich\b",  # Welsh: (we) have received your; your … was received
        _F),
    "reference": re.compile(
        r"\b(?:your|the|our)\s+(?:[\w-]+\s+){0,3}?(?:reference|ref|case|ticket|enquiry|request|crm)\s*"
        r"(?:number|no\.?|id|ref(?:erence)?)?\s*(?:is|:|#)\s*[A-Z0-9:/#-]*\d"
        r"|\b(?:logged|registered|recorded|created)\s+(?:\w+\s+){0,3}?(?:with|under|as)\s+(?:the\s+)?"
        r"(?:reference|ref|case|ticket|number)",
        _F),
    "timescale": re.compile(
        r"\bwithin\s+(?:20|twenty|\d{1,2})\s+(?:working|business|calendar)?\s*days\b"
        r"|\b(?:we\s+will|we'll|we\s+aim\s+to|someone\s+will|(?:our|the)\s+(?:\w+\s+)?team\s+will)\s+(?:\w+\s+){0,2}?(?:respond|reply|be\s+in\s+touch|"
        r"get\s+back\s+to\s+you|contact\s+you|look\s+at\s+it|deal\s+with)"
        r"|\bwill\s+be\s+(?:dealt\s+with|responded\s+to|processed|handled|reviewed)\b",
        _F),
    "thanks": re.compile(
        r"^\W*(?:many\s+)?thank(?:s|\s+you)(?:\s+(?:very|so)\s+much)?\s+for\b|^\W*diolch\s+(?:am|i\s+chi\s+am)\b",
        _F),
    # Helpdesks (Zendesk, Jira Service Management, Freshdesk, Help Scout) mark where a reply must be typed.
    "ticketing": re.compile(
        r"\b(?:please\s+)?(?:type|write|reply)\s+(?:your\s+(?:reply|response)\s+)?above\s+this\s+line", _F),
    "unattended": re.compile(
        r"\bdo\s+not\s+reply\b|\bdon't\s+reply\b|\bnot\s+(?:be\s+)?monitored\b|\bunattended\b"
        r"|\breplies\s+to\s+this\s+(?:e-?mail|message|address)\s+(?:will\s+not|cannot|are\s+not)",
        _F),
}
SUBJECT = re.compile(
    r"\backnowledg(?:e)?ment\b|\b(?:confirmation|acknowledg\w*)\s+of\s+receipt\b"
    r"|\b(?:request|enquiry|inquiry|e-?mail|message|case|ticket|complaint|submission)\s+(?:has\s+been\s+)?"
    r"(?:received|logged|registered|created|acknowledged)\b"
    r"|\bwe(?:'ve|\s+have)\s+received\b|\bthank\s+you\s+for\s+(?:your|contacting)\b|\bcrm\s*:\s*\d+",
    re.I,
)
# The author asks for something: then it is not only an acknowledgement, whatever else it says.
ASKS = re.compile(
    r"\?(?=\s|$)|\b(?:could|can|would|will)\s+you\s+(?:please\s+)?(?:send|provide|tell|confirm|let|explain|"
    r"supply|disclose|give|forward|advise)\b|\bi\s+(?:would|'d)\s+(?:like|be\s+grateful)|\bi\s+want\b"
    r"|\bi\s+am\s+(?:writing\s+to\s+)?request|\bplease\s+(?:send|provide|disclose|supply|tell\s+me|"
    r"let\s+me\s+know|explain|give|advise|forward\s+me)\b|\bhow\s+many\b|\bunder\s+the\s+freedom\s+of\s+information",
    re.I,
)
# A bare thank-you or "noted" in answer to our mail: it acknowledges what we sent and needs nothing back. The line
# holds nothing else ("Thanks, my full name is …" and "Thank you, I meant 2021" are not bare).
_THANKS_ONLY = re.compile(
    r"^\W*(?:(?:many|great|ok(?:ay)?|noted)[\s,!.]+)?(?:thanks|thank\s+you|cheers|noted|received|got\s+it|diolch)"
    r"(?:\s+(?:very|so)\s+much)?(?:\s+again)?"
    r"(?:\s+for\s+(?:your|the|this|that|confirming|letting|acknowledging|sending)\b[\w\s'-]{0,40})?[\s,.!]*$",
    re.I,
)
_WORDS = re.compile(r"[^\W\d_]+")


# An acknowledgement says what it is at the top; reading further would only cost time on long mail.
_READ = 6000


def acknowledgement_signs(text: str, subject: str = "") -> tuple[str, ...]:
    """The kinds of acknowledgement wording found (in the first few thousand characters), "automated" first."""
    text = text[:_READ]
    found = ["automated"] if AUTOMATED.search(text) else []
    found += [name for name, pattern in SIGNS.items() if pattern.search(text)]
    if SUBJECT.search(subject or ""):
        found.append("subject")
    return tuple(found)


# A helpdesk's or auto-responder's copy of what it received ("Here's what you wrote:", "Your message was:"): the
# copy is the request we sent or were sent, not the robot asking, so its questions are not read as asking.
_COPY_INTRO = re.compile(
    r"^\W*(?:here(?:'s|\s+is)\s+what\s+you\s+(?:wrote|sent)|you\s+wrote|your\s+(?:original\s+)?message(?:\s+was)?"
    r"|(?:below\s+is\s+)?a\s+copy\s+of\s+your\s+(?:message|e-?mail|enquiry|request)(?:\s+is\s+below)?"
    r"|eich\s+neges(?:\s+oedd)?)\s*[:.]?\s*-*\s*$",
    re.I | re.M)


def acknowledges_receipt(text: str, subject: str = "") -> tuple[str, ...] | None:
    """The signs, when the author's own words only acknowledge receipt; None otherwise."""
    text = text.replace("\u2019", "'")
    signs = acknowledgement_signs(text, subject)
    if "automated" in signs:
        return signs
    copy = _COPY_INTRO.search(text)
    own = text[:copy.start()] if copy and copy.start() > 0 else text
    if len(signs) >= 2 and not ASKS.search(own[:_READ]):
        return signs
    return None


def only_thanks(text: str, max_words: int = 15) -> bool:
    """A short thank-you or "noted" that asks for nothing (read only on a reply to our own mail): the thanks line,
    then at most a closing and a name."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines or ASKS.search(text) or len(_WORDS.findall(text)) > max_words:
        return False
    rest_is_sign_off = all(len(_WORDS.findall(line)) <= 4 and not re.search(r"\d", line) for line in lines[1:4])
    return len(lines) <= 4 and rest_is_sign_off and bool(_THANKS_ONLY.match(lines[0]))
