"""Header values decoded once, tolerantly, into one line of readable text each.

A header value can carry raw 8-bit bytes, RFC 2047 encoded words with bad base64 or split multibyte characters,
and line breaks that would smuggle a header into whatever reads the value next; all of it degrades, none raises.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from email.message import Message

from mailbot.mail.charsets import UNKNOWN_CODEC, codec, decode_bytes, guess_decode, scrub_surrogates

__all__ = ["Headers", "decode_header_value", "header_charsets", "raw_header", "unescape_header_bytes", "unfold"]

_FOLD = re.compile(r"(?:\r\n|\r|\n)(?=[ \t])")
# Everything str.splitlines() would break on: a header value must be one line whatever a consumer does.
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")  # RFC 2047 text never holds "?"
_CHARSET_LABEL = re.compile(r"=\?([^?*\s]+)")
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


@dataclass(frozen=True, slots=True)
class Headers:
    """Top-level headers, each decoded once; lookups by lower-case name."""

    raw: tuple[tuple[str, str], ...]
    decoded: tuple[tuple[str, str], ...]
    first_index: dict[str, int]

    @classmethod
    def of(cls, msg: Message) -> Headers:
        # raw_items(), not items(): compat32 wraps 8-bit values in Header objects that hide the bytes.
        raw = tuple((str(key).strip().lower(), str(value)) for key, value in msg.raw_items())
        decoded = tuple((key, decode_header_value(value)) for key, value in raw)
        first_index: dict[str, int] = {}
        for index, (key, _) in enumerate(raw):
            first_index.setdefault(key, index)
        return cls(raw=raw, decoded=decoded, first_index=first_index)

    def first(self, name: str) -> str | None:
        index = self.first_index.get(name)
        return None if index is None else self.decoded[index][1]

    def first_raw(self, name: str) -> str | None:
        index = self.first_index.get(name)
        return None if index is None else self.raw[index][1]

    def every(self, name: str) -> list[str]:
        return [value for key, value in self.decoded if key == name]


def raw_header(msg: Message, name: str) -> str | None:
    """First occurrence in a nested header block (DSN), undecoded."""
    for key, value in msg.raw_items():
        if str(key).lower() == name:
            return str(value)
    return None


def unfold(text: str) -> str:
    return _FOLD.sub("", text)


def decode_header_value(raw: str) -> str:
    """One line of readable text from any raw header value: line breaks can smuggle headers downstream."""
    text = unfold(unescape_header_bytes(raw))
    if "=?" in text:
        text = _decode_encoded_words(text)
    return _LINE_BREAKS.sub(" ", scrub_surrogates(text)).strip()


def unescape_header_bytes(raw: str) -> str:
    """8-bit header bytes arrive as surrogate escapes; they are usually UTF-8, else windows-1252."""
    if raw.isascii():
        return raw
    try:
        data = raw.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return scrub_surrogates(raw)
    return guess_decode(data, ())


def header_charsets(headers: Headers) -> tuple[str, ...]:
    """Charsets the sender used in Subject/From: the best guess for body parts that name none."""
    labels: dict[str, None] = {}
    for name in ("subject", "from"):
        labels.update(dict.fromkeys(label.lower() for label in _CHARSET_LABEL.findall(headers.first_raw(name) or "")))
    codecs_seen = dict.fromkeys(codec(label) for label in labels)
    return tuple(c for c in codecs_seen if c is not None and c not in (UNKNOWN_CODEC, "utf-8", "cp1252"))


def _decode_encoded_words(text: str) -> str:
    """RFC 2047, tolerantly: bad base64, truncated multibyte sequences and unknown charsets all degrade."""
    out: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(text):
        gap = text[position : match.start()]
        adjacent = pending_charset is not None and (not gap or gap.isspace())
        charset = match.group(1).split("*", 1)[0]
        if not adjacent or charset.lower() != (pending_charset or "").lower():
            _flush_word(out, pending, pending_charset)
            pending, pending_charset = bytearray(), None
            if not adjacent:
                out.append(gap)
        pending += _word_bytes(match.group(2), match.group(3))
        pending_charset = charset
        position = match.end()
    _flush_word(out, pending, pending_charset)
    out.append(text[position:])
    return "".join(out)


def _flush_word(out: list[str], data: bytearray, charset: str | None) -> None:
    """Adjacent words in one charset are joined as bytes first: senders split multibyte characters."""
    if charset is not None:
        out.append(decode_bytes(bytes(data), charset))


def _word_bytes(encoding: str, payload: str) -> bytes:
    data = payload.encode("ascii", "replace")
    if encoding in "Qq":
        return binascii.a2b_qp(data, header=True)
    data = _BASE64_JUNK.sub(b"", data)
    if len(data) % 4 == 1:
        data = data[:-1]  # a lone trailing sextet carries no whole byte
    try:
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except binascii.Error:
        return payload.encode("ascii", "replace")
