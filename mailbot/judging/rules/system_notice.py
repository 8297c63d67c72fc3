"""A system's notice in its own words: "This is an automated reminder", "Please log in to download the documents",
"Please do not reply to this email", "You're receiving this email because…", "change your settings",
"Approve or decline this request" (a collaboration suite's buttons). Portals, planning and licensing systems,
DSAR services and collaboration suites send such notices from their no-reply addresses; they mention
applications, documents and requests, so their words can read like a request. With a no-reply sender
(robot-sender, null-sender, system-name), this is the positive evidence that no person wrote it, and the chain
records it as robot mail instead of sending it to staff as a request with nobody to write to. A web form that
relays a person's words says what each field holds ("Name:", "Request:"), and is a person's request, not a notice.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "system-notice"
DESCRIPTION = "A system says it is one: automated, log in to view, do not reply (with a no-reply sender: robot mail)."
ROBOT = True

_NOTICE = re.compile(
    r"\bthis\s+is\s+an?\s+(?:automated|automatic|auto-?generated|system[- ]generated|computer[- ]generated)\b"
    r"|\b(?:log|sign)\s*(?:in|on)\s+(?:to|at)\s+(?:\S+\s+){0,3}?(?:download|view|see|read|respond|access|"
    r"manage|review)\b"
    r"|\b(?:please\s+)?do\s+not\s+(?:reply|respond)\s+(?:to|directly\s+to)\s+this\s+(?:e-?mail|message)\b"
    r"|\bthis\s+(?:mailbox|address|inbox)\s+is\s+not\s+monitored\b"
    r"|\byou(?:'re|\s+are)\s+receiving\s+this\s+(?:e-?mail|message|notification)\s+because\b"
    r"|\b(?:change|manage|update)\s+your\s+(?:notification|email|alert)?\s*(?:settings|preferences)\b"
    r"|\bapprove\s+or\s+(?:decline|deny|reject)\s+this\s+request\b"
    r"|\bneges\s+awtomatig\b",  # Welsh: an automatic message
    re.I)
# A relayed form labels its fields: then the words are a person's, whatever the sender.
_FORM_FIELD = re.compile(r"^\s*(?:name|full name|e-?mail|request|details|message|enquiry|your request|"
                         r"description)\s*:", re.I | re.M)


def check(facts: Facts) -> str | None:
    if facts.form is not None or _FORM_FIELD.search(facts.body):
        return None
    found = _NOTICE.search(facts.body)
    if not found:
        return None
    return f"a system's notice in its own words (\"{' '.join(found.group(0).split())}\")"
