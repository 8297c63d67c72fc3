"""Text from bytes whose charset label may be wrong, missing or unknown; never raises.

Mail lies about its charsets more often than it is undecodable, so a label is a hint to try first, not a fact.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["UNKNOWN_CODEC", "codec", "decode_bytes", "guess_decode", "normalise_newlines", "scrub_surrogates"]

# Labels that lie more often than not. WHATWG decodes Latin-1 and ASCII labels as windows-1252 for the
# same reason: Windows software labels cp1252 text (curly quotes, en dashes) as iso-8859-1.
_CHARSET_ALIASES = {
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode-1-1-utf-7": "utf-7",
    "utf7": "utf-7",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "ks_c_5601-1987": "cp949",
}
_CANONICAL_OVERRIDES = {"iso8859-1": "cp1252", "latin-1": "cp1252"}
# No information in these labels: guess as if none were given.
_NON_LABELS = frozenset({"ascii", "us-ascii", "unknown-8bit", "x-unknown", "unknown", "default"})
UNKNOWN_CODEC = "\0unknown"
_UTF8_LIKE = frozenset({"utf-8", "ascii", "cp1252"})

_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ESCAPED_BYTES = re.compile(r"[\udc80-\udcff]")
_NEWLINES = re.compile(r"\r\n?")


def decode_bytes(data: bytes, charset: str | None, guesses: tuple[str, ...] = ()) -> str:
    """Text from bytes under a label that may be wrong, missing or unknown; never raises.

    A known label is tried strictly first. When it does not fit, UTF-8, then the guesses, then
    windows-1252 are tried, because a wrong label is far more common than undecodable text. Two
    exceptions keep replacement characters instead: a UTF-8 label (modern software rarely lies about
    it, so failures are truncation or damage) and a label naming no codec we have.
    """
    name = codec(charset)
    if name == UNKNOWN_CODEC:
        return scrub_surrogates(data.decode("utf-8", "replace"))
    if name is not None:
        text = _try_decode(data, name)
        if text is not None:
            return text
        if name == "utf-8":
            return scrub_surrogates(data.decode("utf-8", "replace"))
    return guess_decode(data, guesses)


def codec(charset: str | None) -> str | None:
    """Python codec name; None when the label says nothing; UNKNOWN_CODEC when it names nothing we have."""
    if not charset:
        return None
    label = str(charset).strip().strip("\"'").strip().lower()
    if not label or label in _NON_LABELS:
        return None
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):
        return UNKNOWN_CODEC
    if not getattr(info, "_is_text_encoding", True):
        return UNKNOWN_CODEC  # "base64", "zlib", "rot13": not charsets, whatever the header says
    return _CANONICAL_OVERRIDES.get(info.name, info.name)


def _try_decode(data: bytes, name: str) -> str | None:
    if data.isascii() and name in _UTF8_LIKE:
        return data.decode("ascii")
    if name == "cp1252":
        return _decode_cp1252(data)
    try:
        return scrub_surrogates(data.decode(name))
    except Exception:  # noqa: BLE001 - third-party codecs raise whatever they like
        return None


def guess_decode(data: bytes, guesses: tuple[str, ...]) -> str:
    """UTF-8, then the guesses, then windows-1252, which cannot fail."""
    if data.isascii():
        return data.decode("ascii")
    for name in ("utf-8", *guesses):
        try:
            return scrub_surrogates(data.decode(name))
        except Exception:  # noqa: BLE001 - see _try_decode
            continue
    return _decode_cp1252(data)


def _decode_cp1252(data: bytes) -> str:
    """windows-1252 with its five undefined bytes mapped as Latin-1 (as WHATWG does), so it cannot fail."""
    text = data.decode("cp1252", "surrogateescape")
    if _ESCAPED_BYTES.search(text):
        text = _ESCAPED_BYTES.sub(lambda m: chr(ord(m.group()) - 0xDC00), text)
    return text


def scrub_surrogates(text: str) -> str:
    """Lone surrogates (UTF-7, escaped bytes) are not text and break every UTF-8 sink later on."""
    if text.isascii():
        return text
    return _SURROGATES.sub("\ufffd", text)


def normalise_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text) if "\r" in text else text
