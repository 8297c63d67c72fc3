"""The email we send, as bytes: every header that stops loops and threads the reply, built with EmailMessage.

The policy is the email package's compat32 (with "From " at a line's start left as text), not its default one:
on Python 3.11 the default policy writes an In-Reply-To or References id longer than a line as encoded words,
which no mail client reads as a Message-ID (threading would break for the long ids Outlook and Exchange give),
and folds a display name such as "Siân’s Council, FOI" with its comma outside the encoded word, which a client
reads as two addresses. compat32 stores each header as given and encodes it (RFC 2047 where it is not ASCII) as
it writes, folding at 78; it does not refuse line breaks in header values the way the default policy does, so
`compose` does (no header injection).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.contentmanager import raw_data_manager
from email.header import Header
from email.message import EmailMessage, MIMEPart
from email.parser import BytesHeaderParser
from email.utils import format_datetime, formataddr, make_msgid

__all__ = ["ComposedMessage", "RenderedReply", "compose", "one_line"]

# "From " opening a line is text, not an mbox separator.
_POLICY = email_policy.compat32.clone(mangle_from_=False)
# RFC 2045 caps a quoted-printable line at 76 characters; the content manager wraps at the policy's
# max_line_length, so the parts are built under a policy of 76 and the message written under _POLICY's 78.
_PART_POLICY = _POLICY.clone(max_line_length=76)


@dataclass(frozen=True)
class RenderedReply:
    """The words of one message: what a template rendered, or what a caller wrote."""

    subject: str
    text: str
    html: str | None


class ComposedMessage:
    """An outgoing message as the bytes we store, send and copy to Sent, with its Message-ID known up front.

    Headers can still be read like an EmailMessage's (`message["Subject"]`), parsed from the bytes on first use:
    the runners never need that, so they never pay for it.
    """

    __slots__ = ("_headers", "message_id", "raw")

    def __init__(self, message_id: str, raw: bytes) -> None:
        self.message_id = message_id
        self.raw = raw
        self._headers: EmailMessage | None = None

    def as_bytes(self) -> bytes:
        return self.raw

    def __getitem__(self, name: str) -> str | None:
        """The header as the default policy reads it (a str subclass: addresses, dates parsed), None if absent."""
        if self._headers is None:
            parser = BytesHeaderParser(_class=EmailMessage, policy=email_policy.default)
            self._headers = parser.parsebytes(self.raw)
        value: str | None = self._headers[name]
        return value


# Control characters other than whitespace (NUL, DEL, …) mean nothing in a header and some relays refuse them; a lone
# surrogate (undecodable bytes read with surrogateescape) cannot be encoded at all.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def one_line(value: str) -> str:
    """A header value: line breaks can never reach the wire (header injection), whitespace collapsed, control
    characters dropped (a subject quoted from hostile mail may carry NULs)."""
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", re.sub(r"\s+", " ", value))).strip()


# RFC 5322 2.1.1: no line of a message may exceed 998 octets. compat32 folds only at spaces, so a word longer than
# that (a hostile subject, a hostile Message-ID quoted back) would go out as one illegal line.
_MAX_LINE = 998
# ... and lines SHOULD be at most 78: free text that cannot be folded to that at its spaces goes as encoded words.
_FOLD_LINE = 78


def _header_value(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("a header value may not contain a line break")
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", value))


def _folds(name: str, value: str, limit: int = _MAX_LINE) -> bool:
    """Whether compat32 can fold the value into lines of at most `limit` octets (it breaks lines at spaces only)."""
    return all(len(word) <= limit - len(name) - 2 for word in value.split())


def _text(name: str, value: str) -> str | Header:
    """Free text (the subject) that cannot be folded at its spaces goes as encoded words, which can be."""
    return value if _folds(name, value, _FOLD_LINE) else Header(value, "utf-8", header_name=name)


# RFC 5322 3.6.4: "<" id-left "@" id-right ">" in printable ASCII without angle brackets. The ids parse gives are
# bracketed and without whitespace, but compose trusts nobody's (spaces, which readers ignore in an id, may stay).
_MESSAGE_ID = re.compile(r"<[\x20-\x3b\x3d\x3f-\x7e]+>")


def _foldable_ids(name: str, ids: Sequence[str]) -> list[str]:
    """A Message-ID may not be split, so one too long for any line cannot be written: it is left out, as is one
    that is no Message-ID at all (which a client could not thread by, and which could carry anything)."""
    return [message_id for message_id in ids if _MESSAGE_ID.fullmatch(message_id) and _folds(name, message_id)]


def _address(address: str) -> str:
    """An address for a header: a domain written in Unicode goes in its ASCII (IDNA) form, which every mail system
    understands, rather than as an encoded word, which no mail system accepts as an address."""
    if _CONTROLS.search(address) or _SURROGATES.search(address):  # dropping them could name someone else
        raise ValueError("an address may not contain control characters")
    local, at, domain = address.rpartition("@")
    if at and not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return f"{local}{at}{domain}" if at else address


def _mailbox(name: str, address: str) -> str | Header:
    """From: as formataddr writes it; a display name too long for a line (the admin's, but compose writes nothing
    illegal) goes as encoded words, which fold. Not below that: some readers put a space between adjacent encoded
    words in a display name."""
    value = formataddr((name, address))
    if _folds("From", value):
        return value
    header = Header(name, "utf-8", header_name="From")
    header.append(f" <{address}>", "us-ascii")
    return header


def _text_part(part: MIMEPart, text: str, subtype: str) -> MIMEPart:
    """UTF-8, quoted-printable whatever the text: readable in the raw message, and 7-bit for any server."""
    text = _SURROGATES.sub("\ufffd", text)  # undecodable bytes quoted from a message cannot be encoded
    part.set_content(text, subtype, charset="utf-8", cte="quoted-printable", content_manager=raw_data_manager)
    return part


def _body(rendered: RenderedReply, message_id: str) -> EmailMessage:
    """text/plain, or multipart/alternative with the HTML part; the message's own headers come after these."""
    message = EmailMessage(policy=_PART_POLICY)
    if not rendered.html:
        _text_part(message, rendered.text, "plain")  # EmailMessage.set_content adds MIME-Version
        return message
    # The boundary is ours rather than random so that the generator need not search the parts for it: "=_" can
    # never open a quoted-printable line ("=" there is always followed by two hex digits or the line's end).
    message.make_alternative(boundary="=_" + message_id.strip("<>").replace("@", "."))
    message["MIME-Version"] = "1.0"  # the message's alone: RFC 2045 does not ask it of the parts
    for text, subtype in ((rendered.text, "plain"), (rendered.html, "html")):
        part = _text_part(MIMEPart(policy=_PART_POLICY), text, subtype)
        message.attach(part)  # type: ignore[arg-type]  # typeshed types attach(Self); any MIMEPart is a part
    return message


def compose(
    *,
    rendered: RenderedReply,
    from_address: str,
    from_name: str,
    to: str,
    in_reply_to: str | None,
    references: tuple[str, ...],
    loop_token: str,
    now: datetime,
    auto_submitted: str = "auto-replied",
    reply_to: Sequence[str] = (),
) -> ComposedMessage:
    """The outgoing message with every header docs/robot-mail.md asks for, and our own Message-ID made before sending:
    text/plain, or multipart/alternative with the HTML part, in UTF-8 (quoted-printable)."""
    message_id = make_msgid(domain=from_address.rsplit("@", 1)[-1])
    message = _body(rendered, message_id)
    headers: list[tuple[str, str | Header]] = [("From", _mailbox(one_line(from_name), _address(from_address))),
                                                ("To", _address(to))]
    if reply_to:
        headers.append(("Reply-To", ", ".join(_address(one_line(address)) for address in reply_to)))
    subject = one_line(rendered.subject)
    headers += [("Subject", subject), ("Date", format_datetime(now)), ("Message-ID", message_id)]
    if in_reply_to and _foldable_ids("In-Reply-To", [in_reply_to]):
        chain = [*_foldable_ids("References", [r for r in references if r != in_reply_to]), in_reply_to]
        headers += [("In-Reply-To", in_reply_to), ("References", " ".join(chain[-20:]))]
    # No "Precedence: bulk": it is not a standard (RFC 3834 3.1.8 discourages it) and Gmail and Outlook file mail
    # carrying it as bulk or promotions, where a requester never sees the acknowledgement. Auto-Submitted (RFC 3834),
    # X-Auto-Response-Suppress (Exchange) and X-Loop stop other robots answering us without it.
    headers += [("Auto-Submitted", auto_submitted), ("X-Auto-Response-Suppress", "OOF, AutoReply"),
                ("X-Loop", loop_token)]
    for name, value in headers:
        if isinstance(value, str):
            value = _text(name, _header_value(value)) if name == "Subject" else _header_value(value)
        message[name] = value
    raw = message.as_bytes(policy=_POLICY)
    if any(len(line) > _MAX_LINE for line in raw.split(b"\n")):
        raise ValueError("a header cannot be written in lines of at most 998 octets (an address that long?)")
    return ComposedMessage(message_id, raw)
