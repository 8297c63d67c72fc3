"""HTML-only mail as text that keeps its paragraphs, in linear time whatever the HTML is."""

from __future__ import annotations

import html as _html
import logging
import re

from mailbot.mail.charsets import normalise_newlines

__all__ = ["MAX_HTML_CHARS", "html_to_text"]

log = logging.getLogger(__name__)

# inscriptis lays out tables in time that grows faster than linearly with their size (docs/operations.md has
# the figures), so HTML longer than this gets a linear tag strip instead.
MAX_HTML_CHARS = 300_000

_BLANK_RUNS = re.compile(r"\n{3,}")
# Every repeated class below excludes its own opening delimiter, so a failed match stops at the next
# candidate instead of rescanning to the end: linear time on hostile input.
_INVISIBLE_MARKERS = re.compile(r"<!--|-->|<(/?)(script|style)\b[^<>]*>", re.IGNORECASE)
_BLOCK_TAGS = re.compile(r"<(?:br|/p|/div|/tr|/li|/h[1-6]|/table|/blockquote)\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")


def html_to_text(html: str) -> str:
    """inscriptis pads table cells to a grid; the padding is noise for rules and quoting, so drop it."""
    text = _inscriptis(html) if len(html) <= MAX_HTML_CHARS else None
    if text is None:
        text = _strip_tags(html)
    lines = (line.rstrip() for line in normalise_newlines(text).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _inscriptis(html: str) -> str | None:
    from inscriptis import get_text  # with lxml, 50 ms to import: only for mail that has an HTML part

    try:
        return str(get_text(html))
    except Exception:  # noqa: BLE001 - lxml rejects some inputs; crude text beats none
        log.info("inscriptis failed; stripping tags instead", exc_info=True)
        return None


def _strip_tags(html: str) -> str:
    """Linear-time fallback for huge or unparseable HTML, where inscriptis' table layout goes quadratic."""
    html = _BLOCK_TAGS.sub("\n", _drop_invisible(html))
    return _html.unescape(_ANY_TAG.sub("", html))


def _drop_invisible(html: str) -> str:
    """Removes comments, <style> and <script> in one pass; a lazy ".*?" regex would rescan to the end
    for every unclosed opener."""
    kept: list[str] = []
    position = 0
    closer: str | None = None
    for marker in _INVISIBLE_MARKERS.finditer(html):
        token = marker.group().lower()
        if closer is None and (token == "<!--" or (marker.group(2) is not None and not marker.group(1))):
            kept.append(html[position : marker.start()])
            closer = "-->" if token == "<!--" else "</" + token[1:].split(None, 1)[0].rstrip(">")
        elif closer is not None and token.startswith(closer):
            closer, position = None, marker.end()
    if closer is None:
        kept.append(html[position:])
    return " ".join(kept)
