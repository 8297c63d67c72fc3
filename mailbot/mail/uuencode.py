"""Files that old Outlook inlines in the text as "begin 644 name ... end": attachments, not prose."""

from __future__ import annotations

import binascii
import mimetypes
import re

from mailbot.mail.message import Attachment

__all__ = ["extract_uuencoded"]

_UU_MARKER = re.compile(r"^(?:begin [0-7]{3,4} ([^\n]+)|end[ \t]*)$", re.MULTILINE)


def extract_uuencoded(text: str, attachments: list[Attachment]) -> str:
    """The text without its uuencoded files, each of which joins `attachments`.

    One pass over begin/end marker lines: a lazy "begin.*?end" regex would rescan the rest of the
    text for every "begin" line that has no "end".
    """
    kept: list[str] = []
    position = 0
    opened: re.Match[str] | None = None
    for marker in _UU_MARKER.finditer(text):
        if marker.group(1) is not None:
            opened = marker
        elif opened is not None:
            data = _uudecode(text[opened.end() : marker.start()])
            if data is not None:
                kept.append(text[position : opened.start()])
                attachments.append(_uu_attachment(opened.group(1).strip(), data))
                position = marker.end()
            opened = None
    kept.append(text[position:])
    return "".join(kept)


def _uu_attachment(filename: str, data: bytes) -> Attachment:
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Attachment(filename=filename, content_type=content_type, size=len(data))


def _uudecode(block: str) -> bytes | None:
    """Line by line, trimming over-long lines as the old uu module did; None if any line is not uuencode."""
    out = bytearray()
    for line in block.splitlines():
        if not line.strip():
            continue
        try:
            encoded = line.encode("ascii")
        except UnicodeEncodeError:
            return None
        try:
            out += binascii.a2b_uu(encoded)
        except binascii.Error:
            try:
                out += binascii.a2b_uu(encoded[: (((encoded[0] - 32) & 63) * 4 + 5) // 3])
            except binascii.Error:
                return None
    return bytes(out)
