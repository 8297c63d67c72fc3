"""A stranger's words, made safe to echo back in our own mail.

Our acknowledgement repeats the sender's subject ("Re: …"). When the sender is a forger using someone else's
address, that echo carries the forger's link to the victim in mail from a trusted public body (backscatter spam).
So what we echo has no live link: URLs lose their scheme (`hxxp://`), and domains their dots (`evil[.]example`),
which mail clients no longer turn into links while a person still reads what was written; and a subject is cut to
a sensible length on a word boundary, with an ellipsis.
"""

from __future__ import annotations

import re

SUBJECT_LIMIT = 120

_URL = re.compile(r"\b(?:https?|ftp|wss?)://\S+|\bwww\.\S+", re.I)
# host names as mail clients linkify them: labels, dots, a final label of letters; not file names ("budget.pdf")
_DOMAIN = re.compile(r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![\w-])", re.I)
_EMAIL_DOMAIN = re.compile(r"(?<=@)((?:[a-z0-9-]+\.)+[a-z]{2,24})\b", re.I)
_SCHEMES = {"http": "hxxp", "https": "hxxps", "ftp": "fxp", "ws": "wx", "wss": "wxs"}
_FILE_ENDINGS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "csv", "txt", "odt", "ods", "rtf", "jpg", "jpeg",
                           "png", "gif", "zip", "ppt", "pptx", "htm", "html", "eml", "msg"})


def _no_dots(host: str) -> str:
    if host.rsplit(".", 1)[-1].lower() in _FILE_ENDINGS:
        return host
    return host.replace(".", "[.]")


def _url(found: re.Match[str]) -> str:
    url = found.group(0)
    scheme, sep, rest = url.partition("://")
    if sep:
        scheme = _SCHEMES.get(scheme.lower(), "xxx")
        host, slash, path = rest.partition("/")
        return f"{scheme}{sep}{host.replace('.', '[.]')}{slash}{path}"
    return url.replace(".", "[.]")


def defang(text: str) -> str:
    """The text with every URL, host name and mail domain made inert (`hxxp://evil[.]example/x`)."""
    text = _URL.sub(_url, text or "")
    text = _EMAIL_DOMAIN.sub(lambda m: m.group(1).replace(".", "[.]"), text)
    return _DOMAIN.sub(lambda m: _no_dots(m.group(1)), text)


def shorten(text: str, limit: int = SUBJECT_LIMIT) -> str:
    """At most `limit` characters, cut on a word boundary with an ellipsis."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def echo_subject(subject: str, limit: int = SUBJECT_LIMIT) -> str:
    """A sender's subject as our reply repeats it: no live links, no longer than `limit`."""
    return shorten(defang(subject), limit)
