"""compose() writes a reply's bytes directly (building them through EmailMessage was most of a reply's cost), so
these tests hold it to the bytes EmailMessage with the default policy gives for the same reply: ASCII and not,
short and folded headers, hostile values, plain and multipart, every transfer encoding."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import pytest

from mailbot.replies import RenderedReply, compose, one_line

NOW = datetime(2024, 3, 4, 9, 30, tzinfo=timezone.utc)


def reference(*, rendered: RenderedReply, from_address: str, from_name: str, to: str, in_reply_to: str | None,
              references: tuple[str, ...], loop_token: str, now: datetime, message_id: str,
              auto_submitted: str = "auto-replied", reply_to: Sequence[str] = ()) -> EmailMessage:
    """The message as compose() built it through EmailMessage before it wrote bytes itself."""
    message = EmailMessage()
    message["From"] = formataddr((one_line(from_name), from_address))
    message["To"] = to
    if reply_to:
        message["Reply-To"] = ", ".join(one_line(address) for address in reply_to)
    message["Subject"] = one_line(rendered.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        chain = [r for r in references if r != in_reply_to] + [in_reply_to]
        message["References"] = " ".join(chain[-20:])
    message["Auto-Submitted"] = auto_submitted
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    message["Precedence"] = "bulk"
    message["X-Loop"] = loop_token
    message.set_content(rendered.text)
    if rendered.html:
        message.add_alternative(rendered.html, subtype="html")
    return message


def same_boundary(raw: bytes, expected: bytes) -> bytes:
    """`expected` with its (random) MIME boundary replaced by the one in `raw`."""
    ours = re.search(rb'boundary="([^"]+)"', raw)
    theirs = re.search(rb'boundary="([^"]+)"', expected)
    if ours is None or theirs is None:
        return expected
    return expected.replace(theirs.group(1), ours.group(1))


LONG_LINE = "I acknowledge receipt of your request for information received by this office on 4th March 2024. " * 2
TEXTS = {
    "ascii short lines": "Dear Jo Bloggs,\n\nThank you.\n",
    "ascii long lines": f"Dear Jo,\n\n{LONG_LINE}\n\nYours sincerely,\n",
    "ascii long, many lines": "\n".join([LONG_LINE] * 14) + "\n",
    "utf-8 short lines": "Annwyl Siân Ó Dálaigh,\n\nDiolch – ‘quotes’ … €5\n",
    "utf-8 long lines": f"Annwyl Siân,\n\n{LONG_LINE}Diolch yn fawr – ‘quotes’ … €5\n",
    "mostly non-latin": "尊敬的申请人，" * 30 + "\n" + "谢谢" * 50 + "\n",
    "crlf and bare cr": "Line one\r\nLine two\rLine three\n" + "x" * 100 + "\n",
    "a line that looks like a boundary": "--===============1234567890123456789==\nbody\n",
    "From at line start": "From the council\n>From quoted\n",
}
HEADERS = [
    {},
    {"from_name": "Siân’s Council, FOI", "subject": "Re: Cais am wybodaeth – Siân [Enquiry Ref: 13931/2024]"},
    {"from_name": 'FOI "Team" (Council)', "to": "Jo.Bloggs+foi@example.org"},
    {"subject": "Re: " + "A very long subject that goes on and on " * 4 + "[Enquiry Ref: 13931/2024]"},
    {"subject": "Re: =?utf-8?q?Caf=C3=A9?= [Enquiry Ref: 1/2024]", "in_reply_to": "<odd id with spaces@x>"},
    {"in_reply_to": "<" + "x" * 90 + "@example.org>", "references": tuple(f"<r{i}@example.org>" for i in range(30))},
    {"in_reply_to": None, "references": ("<a@b>",)},
    {"to": "\"Jo, Bloggs\" <jo@example.org>", "reply_to": ("staff1@council.example", "staff2@council.example")},
    {"reply_to": tuple(f"staff{i}@council.example" for i in range(6)), "auto_submitted": "auto-generated"},
    {"to": "jo@例え.jp", "from_name": ""},
    {"subject": "  spaced   out  subject  ", "loop_token": "foi@council.example"},
    {"now": datetime(2024, 7, 1, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=1)))},
    {"now": datetime(2024, 7, 1, 12, 0)},
]


@pytest.mark.parametrize("html", [None, "<p>Dear Jo,</p>\n<p>" + LONG_LINE + "</p>\n"], ids=["plain", "alternative"])
@pytest.mark.parametrize("text", list(TEXTS.values()), ids=list(TEXTS))
@pytest.mark.parametrize("headers", HEADERS, ids=[str(i) for i in range(len(HEADERS))])
def test_compose_writes_the_bytes_email_message_would(headers: dict[str, object], text: str, html: str | None) -> None:
    args: dict[str, object] = {
        "from_address": "foi@council.example", "from_name": "Freedom of Information", "to": "jo@example.org",
        "in_reply_to": "<request-1@example.org>", "references": ("<earlier@example.org>",),
        "loop_token": "foi@council.example", "now": NOW,
    }
    subject = str(headers.get("subject", "Re: Budget [Enquiry Ref: 13931/2024]"))
    args.update({k: v for k, v in headers.items() if k != "subject"})
    rendered = RenderedReply(subject, text, html)
    message = compose(rendered=rendered, **args)  # type: ignore[arg-type]
    expected = reference(rendered=rendered, message_id=message.message_id, **args).as_bytes()  # type: ignore[arg-type]
    assert message.raw == same_boundary(message.raw, expected)
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    assert parsed["Message-ID"] == message["Message-ID"] == message.message_id
    assert not parsed.defects


def test_header_values_with_line_breaks_are_refused_as_before() -> None:
    rendered = RenderedReply("Subject", "Body\n", None)
    with pytest.raises(ValueError):
        compose(rendered=rendered, from_address="foi@council.example", from_name="FOI", to="jo@example.org\r\nBcc: x@y",
                in_reply_to=None, references=(), loop_token="t", now=NOW)
    with pytest.raises(ValueError):
        compose(rendered=rendered, from_address="foi@council.example", from_name="FOI", to="jo@example.org",
                in_reply_to="<a@b>\nBcc: x@y", references=(), loop_token="t", now=NOW)


def test_the_boundary_never_occurs_in_a_part(monkeypatch: pytest.MonkeyPatch) -> None:
    from mailbot import replies

    monkeypatch.setattr(replies.random, "randrange", lambda _n: 1234567890123456789)
    taken = "===============1234567890123456789=="
    rendered = RenderedReply("Subject", f"--{taken}\n--{taken}.0\n", "<p>x</p>")
    message = compose(rendered=rendered, from_address="foi@council.example", from_name="FOI", to="jo@example.org",
                      in_reply_to=None, references=(), loop_token="t", now=NOW)
    assert f'boundary="{taken}.1"'.encode() in message.raw
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    assert [part.get_content() for part in parsed.iter_parts()] == [f"--{taken}\n--{taken}.0\n", "<p>x</p>\n"]
