"""Raw RFC 5322 bytes in, one :class:`InboundMessage` out, whatever the bytes are.

A mailbox receives whatever the world sends: mbox spool lines, CRLF and bare LF, truncated multiparts,
charsets that lie or do not exist, addresses with half their angle brackets. Every later step depends on
this function returning *something*, so no exception may leave it; the worst case is a minimal message
that still carries the raw text and a stable Message-ID.

Division of labour, and why:

* mail-parser reads the address and date headers only. Its structural address recovery and its
  decoding of encoded words in display names are better than the stdlib's, but on a whole message it
  keeps several copies of every body and attachment (base64 re-encodings, two joined "body" strings),
  which breaks the memory budget for large mail, and it decodes bodies lossily. Given five headers it
  costs next to nothing.
* The stdlib parser (compat32) reads the whole message once; we walk that tree ourselves because
  charset recovery, DSN blocks and attachment sizes are what mail-parser does not do or does lossily.
* inscriptis turns HTML-only mail into text that keeps paragraph structure.
"""

from __future__ import annotations

import binascii
import codecs
import email.utils
import hashlib
import html as _html
import logging
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.feedparser import BytesFeedParser
from email.parser import BytesHeaderParser, HeaderParser
from email.message import Message
from email.policy import compat32

from inscriptis import get_text
from mailparser.dates import parse_mail_date
from mailparser.utils import get_addresses

from mailbot.mail.message import Attachment, DeliveryStatus, InboundMessage

log = logging.getLogger(__name__)

__all__ = ["decode_bytes", "decode_header_value", "parse_message"]

# An address header longer than this is not correspondence; it goes to the plain stdlib path.
_MAX_MAILPARSER_HEADER = 64 * 1024
_MAILPARSER_FIELDS = (("from", "from_"), ("reply-to", "reply_to"), ("to", "to"), ("cc", "cc"))
_FEED_CHUNK = 64 * 1024
# Deeper nesting or more parts than this is an attack or a loop, not correspondence.
_MAX_DEPTH = 40
_MAX_PARTS = 2000
# inscriptis lays out tables in time that grows faster than linearly: 1.6 MB of table rows took 7 s.
# Larger HTML gets a linear tag strip instead.
_MAX_HTML_CHARS = 300_000

_SYNTHETIC_DOMAIN = "mailbot.invalid"

_FOLD = re.compile(r"(?:\r\n|\r|\n)(?=[ \t])")
# Everything str.splitlines() would break on: a header value must be one line whatever a consumer does.
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_NEWLINES = re.compile(r"\r\n?")
_BLANK_RUNS = re.compile(r"\n{3,}")
# Every repeated class below excludes its own opening delimiter, so a failed match stops at the next
# candidate instead of rescanning to the end: linear time on hostile input.
_INVISIBLE_MARKERS = re.compile(r"<!--|-->|<(/?)(script|style)\b[^<>]*>", re.IGNORECASE)
_BLOCK_TAGS = re.compile(r"<(?:br|/p|/div|/tr|/li|/h[1-6]|/table|/blockquote)\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ESCAPED_BYTES = re.compile(r"[\udc80-\udcff]")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")  # RFC 2047 text never holds "?"
_CHARSET_LABEL = re.compile(r"=\?([^?*\s]+)")
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_ANGLE_ID = re.compile(r"<([^<>]*)>")
_ADDRESS_SEPARATORS = re.compile(r"[\s<>(),;:\"\[\]]+")
_STATUS_CODE = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")
_UU_MARKER = re.compile(r"^(?:begin [0-7]{3,4} ([^\n]+)|end[ \t]*)$", re.MULTILINE)

_BODY_TYPES = frozenset({"text/plain", "text/html"})
_DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})

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
_UNKNOWN_CODEC = "\0unknown"
_UTF8_LIKE = frozenset({"utf-8", "ascii", "cp1252"})


def parse_message(raw: bytes) -> InboundMessage:
    """Never raises: a message we cannot read is still a message we must not lose."""
    try:
        return _parse(bytes(raw) if not isinstance(raw, bytes) else raw)
    except Exception:  # noqa: BLE001 - the contract is "no exception escapes", for any input
        log.warning("could not parse message; keeping it as raw text", exc_info=True)
    try:
        return _minimal(raw)
    except Exception:  # noqa: BLE001 - raw was not even bytes-like
        return InboundMessage(message_id=f"<{'0' * 32}@{_SYNTHETIC_DOMAIN}>", sender=None, display_name=None)


# --------------------------------------------------------------------------- assembly


def _parse(raw: bytes) -> InboundMessage:
    msg = _stdlib_parse(raw)
    headers = _Headers.of(msg)
    view = _mailparser_view(headers)
    sender_name, sender = _from(headers, view)
    body = _walk(msg)
    text = body.text(_header_charsets(headers))  # before attachments: inline uuencoded files join them here
    return InboundMessage(
        message_id=_message_id(headers, raw),
        sender=sender,
        display_name=sender_name,
        reply_to=_address_tuple(headers, view, "reply-to"),
        to=_address_tuple(headers, view, "to"),
        cc=_address_tuple(headers, view, "cc"),
        subject=headers.first("subject") or "",
        in_reply_to=_message_ids(headers, "in-reply-to"),
        references=_message_ids(headers, "references"),
        date=_date(headers, view),
        text=text,
        has_html=body.has_html,
        attachments=tuple(body.attachments),
        content_type=msg.get_content_type(),
        return_path=_return_path(headers),
        delivery_status=tuple(body.statuses) or _exim_failures(headers),
        attached_message_ids=tuple(dict.fromkeys(body.attached_ids)),
        headers=headers.decoded,
    )


def message_id_of(raw: bytes) -> str:
    """The Message-ID parse_message would give, read from the header block alone: ingest deduplicates by it for
    every fetched message, so it must be cheap, and it must agree with the decision step."""
    try:
        blank = re.search(rb"\r?\n\r?\n", raw)
        head = raw[: blank.end()] if blank else raw
        msg = BytesHeaderParser(policy=compat32).parsebytes(head)
        return _message_id(_Headers.of(msg), raw)
    except Exception:  # noqa: BLE001 - as parse_message: an unreadable message still gets a stable id
        return _synthetic_id(raw)


def _stdlib_parse(raw: bytes) -> Message:
    """Fed in chunks: parsebytes() would hold the whole message as one str plus a StringIO of it,
    roughly tripling peak memory on large mail."""
    parser = BytesFeedParser(policy=compat32)
    for start in range(0, len(raw), _FEED_CHUNK):
        parser.feed(raw[start : start + _FEED_CHUNK])
    return parser.close()


def _minimal(raw: bytes) -> InboundMessage:
    """Last resort when even the stdlib parser failed: keep the bytes readable and the id stable."""
    return InboundMessage(
        message_id=message_id_of(bytes(raw)),  # the header block alone may still name it
        sender=None,
        display_name=None,
        text=_normalise_newlines(bytes(raw).decode("utf-8", "replace")),
    )


def _synthetic_id(raw: bytes) -> str:
    """Deterministic, so the same message fetched twice is recognised as the same message."""
    return f"<{hashlib.sha256(raw).hexdigest()[:32]}@{_SYNTHETIC_DOMAIN}>"


# --------------------------------------------------------------------------- mail-parser (headers only)


@dataclass(frozen=True, slots=True)
class _MailParserView:
    addresses: dict[str, list[tuple[str, str]]]
    date: datetime | None


def _mailparser_view(headers: _Headers) -> _MailParserView | None:
    """mail-parser's readings of the address headers and the date, from the functions its MailParser calls for
    them (get_addresses, parse_mail_date) on the same header values: the whole MailParser would also rebuild the
    body, attachments and defect lists we never read, and cost more than the rest of parsing.

    None means "use the stdlib answer", whether mail-parser raised or was never asked.
    """
    block = _mailparser_block(headers)
    if not block:
        return None
    try:
        message = email.message_from_bytes(block)
        values: dict[str, str] = {}
        for name, value in message.items():  # the first of each, as MailParser takes
            values.setdefault(name.lower(), value)
        addresses = {}
        for name, _ in _MAILPARSER_FIELDS:
            found = get_addresses(values[name], decode_names=True) if name in values else []
            addresses[name] = [("" if display == address else display, address)
                               for display, address in found if address]
        raw_date = next((value for name, value in message.raw_items() if name.lower() == "date"), None)
        date = parse_mail_date(raw_date).value if raw_date is not None else None
        return _MailParserView(addresses=addresses, date=date if isinstance(date, datetime) else None)
    except Exception:  # noqa: BLE001 - mail-parser improves quality; it is never a requirement
        log.info("mail-parser failed on the headers; using the stdlib only", exc_info=True)
        return None


def _mailparser_block(headers: _Headers) -> bytes:
    """The first From/Reply-To/To/Cc/Date, when ASCII and of sane length (8-bit ones it renders as escapes)."""
    lines = []
    for name in (*(name for name, _ in _MAILPARSER_FIELDS), "date"):
        value = headers.first_raw(name)
        if value is not None and value.isascii() and len(value) <= _MAX_MAILPARSER_HEADER:
            lines.append(f"{name}: {value.strip()}\n")
    return "".join(lines).encode("ascii")


# --------------------------------------------------------------------------- header decoding


@dataclass(frozen=True, slots=True)
class _Headers:
    """Top-level headers, each decoded once; lookups by lower-case name."""

    raw: tuple[tuple[str, str], ...]
    decoded: tuple[tuple[str, str], ...]
    first_index: dict[str, int]

    @classmethod
    def of(cls, msg: Message) -> _Headers:
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


def _raw_header(msg: Message, name: str) -> str | None:
    """First occurrence in a nested header block (DSN), undecoded."""
    for key, value in msg.raw_items():
        if str(key).lower() == name:
            return str(value)
    return None


def decode_header_value(raw: str) -> str:
    """One line of readable text from any raw header value: line breaks can smuggle headers downstream."""
    text = _unescape_header_bytes(raw)
    text = _FOLD.sub("", text)
    if "=?" in text:
        text = _decode_encoded_words(text)
    return _LINE_BREAKS.sub(" ", _scrub_surrogates(text)).strip()


def _unescape_header_bytes(raw: str) -> str:
    """8-bit header bytes arrive as surrogate escapes; they are usually UTF-8, else windows-1252."""
    if raw.isascii():
        return raw
    try:
        data = raw.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _scrub_surrogates(raw)
    return _guess_decode(data, ())


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


# --------------------------------------------------------------------------- charset decoding


def decode_bytes(data: bytes, charset: str | None, guesses: tuple[str, ...] = ()) -> str:
    """Text from bytes under a label that may be wrong, missing or unknown; never raises.

    A known label is tried strictly first. When it does not fit, UTF-8, then the guesses, then
    windows-1252 are tried, because a wrong label is far more common than undecodable text. Two
    exceptions keep replacement characters instead: a UTF-8 label (modern software rarely lies about
    it, so failures are truncation or damage) and a label naming no codec we have.
    """
    codec = _codec(charset)
    if codec == _UNKNOWN_CODEC:
        return _scrub_surrogates(data.decode("utf-8", "replace"))
    if codec is not None:
        text = _try_decode(data, codec)
        if text is not None:
            return text
        if codec == "utf-8":
            return _scrub_surrogates(data.decode("utf-8", "replace"))
    return _guess_decode(data, guesses)


def _codec(charset: str | None) -> str | None:
    """Python codec name; None when the label says nothing; _UNKNOWN_CODEC when it names nothing we have."""
    if not charset:
        return None
    label = str(charset).strip().strip("\"'").strip().lower()
    if not label or label in _NON_LABELS:
        return None
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):
        return _UNKNOWN_CODEC
    if not getattr(info, "_is_text_encoding", True):
        return _UNKNOWN_CODEC  # "base64", "zlib", "rot13": not charsets, whatever the header says
    return _CANONICAL_OVERRIDES.get(info.name, info.name)


def _try_decode(data: bytes, codec: str) -> str | None:
    if data.isascii() and codec in _UTF8_LIKE:
        return data.decode("ascii")
    if codec == "cp1252":
        return _decode_cp1252(data)
    try:
        return _scrub_surrogates(data.decode(codec))
    except Exception:  # noqa: BLE001 - third-party codecs raise whatever they like
        return None


def _guess_decode(data: bytes, guesses: tuple[str, ...]) -> str:
    if data.isascii():
        return data.decode("ascii")
    for codec in ("utf-8", *guesses):
        try:
            return _scrub_surrogates(data.decode(codec))
        except Exception:  # noqa: BLE001 - see _try_decode
            continue
    return _decode_cp1252(data)


def _decode_cp1252(data: bytes) -> str:
    """windows-1252 with its five undefined bytes mapped as Latin-1 (as WHATWG does), so it cannot fail."""
    text = data.decode("cp1252", "surrogateescape")
    if _ESCAPED_BYTES.search(text):
        text = _ESCAPED_BYTES.sub(lambda m: chr(ord(m.group()) - 0xDC00), text)
    return text


def _scrub_surrogates(text: str) -> str:
    """Lone surrogates (UTF-7, escaped bytes) are not text and break every UTF-8 sink later on."""
    if text.isascii():
        return text
    return _SURROGATES.sub("\ufffd", text)


def _header_charsets(headers: _Headers) -> tuple[str, ...]:
    """Charsets the sender used in Subject/From: the best guess for body parts that name none."""
    labels: dict[str, None] = {}
    for name in ("subject", "from"):
        labels.update(dict.fromkeys(label.lower() for label in _CHARSET_LABEL.findall(headers.first_raw(name) or "")))
    codecs_seen = dict.fromkeys(_codec(label) for label in labels)
    return tuple(c for c in codecs_seen if c not in (None, _UNKNOWN_CODEC, "utf-8", "cp1252"))


def _normalise_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text) if "\r" in text else text


# --------------------------------------------------------------------------- addresses


def _from(headers: _Headers, view: _MailParserView | None) -> tuple[str | None, str | None]:
    pairs = _address_pairs(headers, view, "from")
    if not pairs:
        return None, None
    name, address = pairs[0]
    return (name or None), address


def _address_tuple(headers: _Headers, view: _MailParserView | None, name: str) -> tuple[str, ...]:
    return tuple(address for _, address in _address_pairs(headers, view, name))


def _address_pairs(headers: _Headers, view: _MailParserView | None, name: str) -> list[tuple[str, str]]:
    """A strict structural reading first, a loose scan when it finds nothing in a non-empty header.

    mail-parser reads ASCII headers (nearly all of them, encoded words included); it renders raw 8-bit
    bytes as backslash escapes, so those headers go to the stdlib after our own byte decoding.
    """
    value, raw = headers.first(name), headers.first_raw(name) or ""
    if not value:
        return []
    if view is not None and name in view.addresses and raw.isascii() and len(raw) <= _MAX_MAILPARSER_HEADER:
        candidates = view.addresses[name]
    else:
        candidates = email.utils.getaddresses([_FOLD.sub("", _unescape_header_bytes(raw))])
    pairs = [(_clean_name(n), a.strip()) for n, a in candidates if _is_address(a)]
    return pairs or _loose_addresses(value)


def _is_address(address: object) -> bool:
    return isinstance(address, str) and "@" in address and not any(c in address for c in "<>\r\n\t ")


def _clean_name(name: object) -> str:
    """Display names may still hold quoted encoded words, which real clients decode anyway."""
    return decode_header_value(name) if isinstance(name, str) else ""


def _loose_addresses(value: str) -> list[tuple[str, str]]:
    """Anything shaped like local@domain, with the text before the first one as its display name.

    Split, not a regex search: "[^sep]+@[^sep]+" backtracks quadratically over long runs without "@".
    """
    found = [token for token in _ADDRESS_SEPARATORS.split(value) if _looks_like_address(token)]
    if not found:
        return []
    first_name = value[: value.find(found[0])].strip(" \t<>\"',;")
    return [(first_name if i == 0 else "", address) for i, address in enumerate(found)]


def _looks_like_address(token: str) -> bool:
    local, at, domain = token.rpartition("@")
    return bool(at and local and domain)


def _return_path(headers: _Headers) -> str | None:
    """None when absent; "" for the null sender "<>", which is what marks bounces and auto-replies."""
    value = headers.first("return-path")
    if value is None:
        return None
    bracketed = _ANGLE_ID.search(value)
    return (bracketed.group(1) if bracketed else value).strip(" \t<>")


# --------------------------------------------------------------------------- ids and dates


def _message_id(headers: _Headers, raw: bytes) -> str:
    ids = _ids_in(headers.first("message-id") or "")
    return ids[0] if ids else _synthetic_id(raw)


def _message_ids(headers: _Headers, name: str) -> tuple[str, ...]:
    """All occurrences, in order, each id once (dict keeps insertion order and dedupes in O(n))."""
    ids: dict[str, None] = {}
    for value in headers.every(name):
        ids.update(dict.fromkeys(_ids_in(value)))
    return tuple(ids)


def _ids_in(value: str) -> list[str]:
    """"<...>" ids, whitespace inside removed; bare ids containing "@" are accepted and bracketed."""
    bracketed = ["".join(inner.split()) for inner in _ANGLE_ID.findall(value)]
    if any(bracketed):
        return [f"<{i}>" for i in bracketed if i]
    return [f"<{token}>" for token in re.split(r"[\s,]+", value.strip(" \t<>")) if "@" in token]


def _date(headers: _Headers, view: _MailParserView | None) -> datetime | None:
    """stdlib first because it keeps the sender's UTC offset; mail-parser's stricter parse as fallback."""
    value = headers.first("date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        parsed = view.date if view is not None else None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


# --------------------------------------------------------------------------- body walk


@dataclass(slots=True)
class _Body:
    plain: list[tuple[bytes, str | None]] = field(default_factory=list)
    html: list[tuple[bytes, str | None]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    statuses: list[DeliveryStatus] = field(default_factory=list)
    attached_ids: list[str] = field(default_factory=list)

    @property
    def has_html(self) -> bool:
        return bool(self.html)

    def text(self, guesses: tuple[str, ...]) -> str:
        """Plain parts win; HTML is converted only when the plain parts say nothing."""
        plain = [self._plain_text(data, charset, guesses) for data, charset in self.plain]
        plain = [t for t in plain if t.strip()]
        if plain:
            return "\n\n".join(plain)
        html = [_html_to_text(decode_bytes(data, charset, guesses)) for data, charset in self.html]
        return "\n\n".join(t for t in html if t.strip())

    def _plain_text(self, data: bytes, charset: str | None, guesses: tuple[str, ...]) -> str:
        text = _normalise_newlines(decode_bytes(data, charset, guesses))
        if "begin " in text:
            text = _extract_uuencoded(text, self.attachments)
        return text


def _walk(msg: Message) -> _Body:
    body = _Body()
    for part, in_attachment in _leaves(msg):
        try:
            _classify(part, in_attachment, body)
        except Exception:  # noqa: BLE001 - one broken part must not cost us the rest of the message
            log.info("skipping unreadable MIME part", exc_info=True)
    return body


def _leaves(msg: Message) -> Iterator[tuple[Message, bool]]:
    """Depth-first leaves, iteratively: the stdlib walk() recurses, and nesting depth is the sender's choice.

    message/* parts are leaves: an attached or bounced message is an attachment, not our body.
    """
    stack: list[tuple[Message, int, bool]] = [(msg, 0, False)]
    count = 0
    while stack and count < _MAX_PARTS:
        part, depth, in_attachment = stack.pop()
        count += 1
        if not part.is_multipart() or _is_message_type(part):
            yield part, in_attachment
        elif depth < _MAX_DEPTH:
            inside = in_attachment or part.get_content_disposition() == "attachment"
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            stack.extend((child, depth + 1, inside) for child in reversed(children))


def _is_message_type(part: Message) -> bool:
    return part.get_content_maintype() == "message"


def _classify(part: Message, in_attachment: bool, body: _Body) -> None:
    content_type = part.get_content_type()
    if content_type in _DSN_TYPES:
        body.statuses.extend(_delivery_statuses(part))
        return
    if content_type in _RETURNED_TYPES:
        body.attached_ids.extend(_returned_message_ids(part))
    filename = _filename(part)
    if _is_body_text(part, content_type, filename, in_attachment):
        data = _payload_bytes(part)
        target = body.html if content_type == "text/html" else body.plain
        target.append((data, part.get_content_charset()))
        return
    body.attachments.append(Attachment(filename=filename, content_type=content_type, size=_size(part)))


_RETURNED_TYPES = frozenset({"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"})


def _returned_message_ids(part: Message) -> list[str]:
    """The Message-ID of an attached or bounced-back message: how a bounce finds the reply it returns."""
    payload = part.get_payload()
    if isinstance(payload, list):
        inner = next((p for p in payload if isinstance(p, Message)), None)
        value = inner.get("Message-ID") if inner is not None else None
    else:
        text = _payload_bytes(part).decode("utf-8", "replace")
        value = HeaderParser().parsestr(text, headersonly=True).get("Message-ID")
    return _ids_in(decode_header_value(str(value)))[:1] if value else []


def _is_body_text(part: Message, content_type: str, filename: str | None, in_attachment: bool) -> bool:
    """Inline text/plain or text/html; a multipart whose boundary is missing is text too (its body is)."""
    if in_attachment:
        return False
    disposition = part.get_content_disposition()
    if disposition == "attachment" or (filename and disposition != "inline"):
        return False
    return content_type in _BODY_TYPES or part.get_content_maintype() == "multipart"


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - malformed RFC 2231 parameters raise from deep in the stdlib
        return None
    if not name:
        return None
    return decode_header_value(str(name)) or None


def _payload_bytes(part: Message) -> bytes:
    """Transfer-decoded bytes; the stdlib is lenient with broken base64/QP and returns 8-bit bodies as-is."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - uuencode and odd CTEs can raise
        data = None
    if isinstance(data, bytes):
        return data
    return _undecoded_payload(part).encode("utf-8", "surrogateescape")


def _undecoded_payload(part: Message) -> str:
    """The stored payload string. get_payload() would decode 8-bit bodies with the declared charset,
    which copies the body and raises for codecs such as "undefined"."""
    payload = getattr(part, "_payload", None)
    return payload if isinstance(payload, str) else ""


def _size(part: Message) -> int:
    if part.is_multipart():
        return _flattened_size(part)
    if str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
        return _base64_size(_undecoded_payload(part))
    return len(_payload_bytes(part))


def _base64_size(payload: str) -> int:
    """Decoded size counted, not decoded: decoding a large attachment just to measure it costs three
    transient copies in the stdlib. Exact for well-formed base64."""
    symbols = len(payload) - sum(payload.count(c) for c in "\r\n \t=")
    return symbols * 3 // 4


def _flattened_size(part: Message) -> int:
    try:
        return sum(len(inner.as_bytes()) for inner in part.get_payload() if isinstance(inner, Message))
    except Exception:  # noqa: BLE001 - re-serialising broken mail can fail; size is only informative
        return 0


def _html_to_text(html: str) -> str:
    """inscriptis pads table cells to a grid; the padding is noise for rules and quoting, so drop it."""
    text = _inscriptis(html) if len(html) <= _MAX_HTML_CHARS else None
    if text is None:
        text = _strip_tags(html)
    lines = (line.rstrip() for line in _normalise_newlines(text).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _inscriptis(html: str) -> str | None:
    try:
        return get_text(html)
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
        if closer is None and (token == "<!--" or marker.group(2) is not None and not marker.group(1)):
            kept.append(html[position : marker.start()])
            closer = "-->" if token == "<!--" else "</" + token[1:].split(None, 1)[0].rstrip(">")
        elif closer is not None and token.startswith(closer):
            closer, position = None, marker.end()
    if closer is None:
        kept.append(html[position:])
    return " ".join(kept)


# --------------------------------------------------------------------------- inline uuencode


def _extract_uuencoded(text: str, attachments: list[Attachment]) -> str:
    """Old Outlook inlines files as "begin 644 name ... end"; they are attachments, not prose.

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


# --------------------------------------------------------------------------- delivery status


def _delivery_statuses(part: Message) -> list[DeliveryStatus]:
    statuses = []
    for block in _dsn_blocks(part):
        recipient = _dsn_field(block, "final-recipient") or _dsn_field(block, "original-recipient")
        status = _dsn_field(block, "status")
        action = _dsn_field(block, "action")
        if recipient is None and status is None and action is None:
            continue  # the per-message block (Reporting-MTA, Arrival-Date)
        statuses.append(
            DeliveryStatus(
                recipient=_dsn_recipient(recipient),
                status=_dsn_status(status),
                action=action.lower() if action else None,
            )
        )
    return statuses


def _dsn_blocks(part: Message) -> list[Message]:
    """The stdlib already splits delivery-status into header blocks; a string payload we split ourselves."""
    if part.is_multipart():
        return [block for block in part.get_payload() if isinstance(block, Message)]
    text = _normalise_newlines(decode_bytes(_payload_bytes(part), part.get_content_charset()))
    return [email.message_from_string(chunk.strip("\n") + "\n") for chunk in re.split(r"\n[ \t]*\n", text)]


def _dsn_field(block: Message, name: str) -> str | None:
    value = _raw_header(block, name)
    if value is None:
        return None
    return decode_header_value(value) or None


def _dsn_recipient(value: str | None) -> str | None:
    """"rfc822; user@example.com" -> "user@example.com"."""
    if not value:
        return None
    address = value.split(";", 1)[1] if ";" in value else value
    return address.strip(" \t<>") or None


def _dsn_status(value: str | None) -> str | None:
    if not value:
        return None
    code = _STATUS_CODE.search(value)
    return code.group() if code else value.split()[0]


def _exim_failures(headers: _Headers) -> tuple[DeliveryStatus, ...]:
    """Exim bounces carry no DSN part, only X-Failed-Recipients; Exim sends those for permanent failures."""
    recipients: dict[str, None] = {}
    for value in headers.every("x-failed-recipients"):
        recipients.update(dict.fromkeys(address for _, address in _loose_addresses(value)))
    return tuple(DeliveryStatus(recipient=r, status="5.0.0", action="failed") for r in recipients)
