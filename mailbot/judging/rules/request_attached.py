"""The request is in an attached file: the author's words say so ("Please see attached request", "Please find
attached a Freedom of Information request") and describe nothing themselves.

A request in a PDF, a Word file or a scanned letter is a written request (FOIA s8(1)(a)) and its clock runs from
receipt, but the bot cannot read the file: it has no positive evidence of what is asked, or even whether a name and
a description are in it. So it is registered for staff, with the due date it would have, and no automatic reply.
A cover note that itself describes the information ("In short, I am asking for the number of CCTV cameras") is
read like any request; a file sent with no word of a request ("My letter is attached") is `bare-attachment`'s.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.readers.description import description_words
from mailbot.judging.readers.sentences import sentences

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "request-attached"
DESCRIPTION = "The request is in an attached or linked file and the text describes nothing itself: staff read it."
ROBOT = False

# What a request can be sent as: documents and scans, not a signature's logo or a calendar part.
_DOCUMENT_TYPES = re.compile(
    r"^(?:application/(?:pdf|msword|rtf|vnd\.openxmlformats-officedocument\.wordprocessingml\.document"
    r"|vnd\.oasis\.opendocument\.text|vnd\.ms-word[\w.]*|octet-stream)|text/(?:plain|rtf)|image/(?:jpeg|png|tiff"
    r"|heic|heif))$")
_DOCUMENT_FILES = (".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".jpg", ".jpeg", ".png", ".tif", ".tiff",
                   ".heic")
_POINTS_TO_FILE = re.compile(r"\b(?:attached|attachment|enclosed|herewith)\b", re.I)
# Content that is not in the mail at all: a file shared by link (SharePoint, OneDrive, Google Drive, Dropbox: the
# service's notice, or the writer's own pasted link) or a message held by a secure-mail service (secure_message.py).
_ELSEWHERE = re.compile(
    r"\bshared\s+(?:(?:a|the|this|an?\s+\w+)?\s*(?:file|document|folder|item)s?\s+)?with\s+you\b"
    r"|\binvited\s+you\s+to\s+(?:view|edit|access)\b"
    r"|\b(?:you\s+have|you've)\s+received\s+an?\s+(?:new\s+)?(?:secure|encrypted|protected|confidential)\s+(?:e-?mail|message)"
    r"|\bsent\s+you\s+an?\s+(?:secure|encrypted|protected|confidential)\s+(?:e-?mail|message)"
    r"|\bnew\s+(?:response|submission|entry)\s+(?:to|for)\s+(?:your\s+|the\s+)?form\b"
    # a link the writer pasted to a document on a file-sharing service ("here is my FOI request: https://docs…")
    r"|\bhttps?://(?:docs\.google\.com/(?:document|spreadsheets)|drive\.google\.com|[\w-]+\.sharepoint\.com"
    r"|onedrive\.live\.com|1drv\.ms|(?:www\.)?dropbox\.com|(?:app\.)?box\.com|wetransfer\.com|we\.tl"
    r"|icloud\.com/iclouddrive)/\S*", re.I)
# What such a notice says besides: its buttons and its maker's small print, which describe nothing asked for.
_SERVICE_WORDS = re.compile(
    r"^.*(?:privacy|statement|corporation|open|view|read|sign in|link|secure|encrypted|protect|powered by|this "
    r"message was sent).*$|^\s*\S.{0,80}\.(?:docx?|pdf|odt|rtf|txt|xlsx?|pptx?)\s*$", re.I | re.M)
_NAMES_REQUEST = re.compile(
    r"\b(?:request|requests|foi|foia|freedom of information|eir|environmental information|subject access|d?sar|"
    r"cais)\b", re.I)


def _document(content_type: str, filename: str | None) -> bool:
    return bool(_DOCUMENT_TYPES.match(content_type)) or (filename or "").lower().endswith(_DOCUMENT_FILES)


def check(facts: Facts) -> str | None:
    files = [a for a in facts.msg.attachments if _document(a.content_type, a.filename)]
    elsewhere = _ELSEWHERE.search(facts.body)
    if not (files or elsewhere) or facts.form is not None or facts.forward is not None:
        return None
    points = _POINTS_TO_FILE if files else _ELSEWHERE
    cover = [s.text for s in sentences(facts.body) if points.search(s.text)]
    if not cover:
        return None
    rest = facts.body
    for sentence in cover:
        rest = rest.replace(sentence, " ")
    if elsewhere and not files:
        rest = _SERVICE_WORDS.sub(" ", rest)
    if description_words(rest) >= facts.settings.min_description_words:
        return None  # the text asks for something itself: it is read as a request like any other
    if not (_NAMES_REQUEST.search(facts.msg.subject) or any(_NAMES_REQUEST.search(s) for s in cover)):
        return None
    quoted = " ".join(cover[0].split())[:80]
    where = f"an attached file ({files[0].filename or files[0].content_type})" if files else "a file behind a link"
    return f"the request is in {where}: \"{quoted}\""
