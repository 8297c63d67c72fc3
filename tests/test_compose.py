"""compose() builds replies with EmailMessage on the stock compat32 policy (mailbot/mail/compose.py says why not the
default one). These tests hold what a mail client reads from our bytes — every header and every part, decoded by the
default policy — to what it reads from the same reply built with EmailMessage on the default policy: ASCII and not,
short and folded headers, hostile values, plain and multipart; the bytes to the rules of the wire; and two replies
to their exact bytes."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import pytest

from mailbot.mail.compose import RenderedReply, compose, one_line

NOW = datetime(2024, 3, 4, 9, 30, tzinfo=UTC)


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
    message["X-Loop"] = loop_token
    message.set_content(rendered.text)
    if rendered.html:
        message.add_alternative(rendered.html, subtype="html")
    return message


def read(raw: bytes) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """What a client shows: each header decoded, and each part's type with its decoded text (line ends as "\\n")."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert not parsed.defects
    # Runs of folding whitespace mean one space to a reader (and between Message-IDs, nothing at all).
    headers = {name: " ".join(str(parsed[name]).split()) for name in HEADER_NAMES if parsed[name] is not None}
    parts = [parsed] if not parsed.is_multipart() else list(parsed.iter_parts())
    return headers, [(part.get_content_type(), part.get_content().replace("\r\n", "\n")) for part in parts]


HEADER_NAMES = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
                "Auto-Submitted", "X-Auto-Response-Suppress", "X-Loop", "MIME-Version")


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
def test_a_client_reads_what_email_message_would_have_said(headers: dict[str, object], text: str,
                                                           html: str | None) -> None:
    args: dict[str, object] = {
        "from_address": "foi@council.example", "from_name": "Freedom of Information", "to": "jo@example.org",
        "in_reply_to": "<request-1@example.org>", "references": ("<earlier@example.org>",),
        "loop_token": "foi@council.example", "now": NOW,
    }
    subject = str(headers.get("subject", "Re: Budget [Enquiry Ref: 13931/2024]"))
    args.update({k: v for k, v in headers.items() if k != "subject"})
    rendered = RenderedReply(subject, text, html)
    message = compose(rendered=rendered, **args)  # type: ignore[arg-type]  # a mixed dict
    expected = reference(rendered=rendered, message_id=message.message_id, **args)  # type: ignore[arg-type]  # a mixed dict
    ours, theirs = read(message.raw), read(expected.as_bytes())
    if "例え" in str(args["to"]):  # a Unicode domain goes out in its IDNA form, which any mail system takes
        theirs[0]["To"] = "jo@xn--r8jz45g.jp"
    # The display name as meant; EmailMessage itself garbles one with a comma and non-ASCII ("Siân's Council, FOI"
    # comes back as '"Siân's Council", FOI'), so for From the intended name is the reference, not its reading.
    sender = email.message_from_bytes(message.raw, policy=email.policy.default)["From"].addresses
    assert [(a.display_name, a.addr_spec) for a in sender] == [(one_line(str(args["from_name"])), args["from_address"])]
    del ours[0]["From"], theirs[0]["From"]
    assert ours == theirs
    assert message["Message-ID"] == message.message_id
    assert message.raw.isascii()  # 7-bit clean: any server takes it
    head = message.raw.split(b"\n\n", 1)[0]
    assert all(len(line) <= 998 for line in message.raw.split(b"\n"))
    assert all(len(line) <= 78 for line in head.split(b"\n") if b" " in line.strip())  # folded where it can be


@pytest.mark.parametrize("field", ["to", "in_reply_to", "references", "from_name", "loop_token", "auto_submitted"])
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_header_values_with_line_breaks_are_refused(field: str, newline: str) -> None:
    """No header injection: a value that would start a line of its own is an error, never a Bcc."""
    args: dict[str, object] = {"from_address": "foi@council.example", "from_name": "FOI", "to": "jo@example.org",
                               "in_reply_to": "<a@b>", "references": (), "loop_token": "t", "now": NOW,
                               "auto_submitted": "auto-replied"}
    injected = f"{newline}Bcc: x@y"
    args[field] = (f"<a@b>{injected}",) if field == "references" else f"{args[field] or ''}{injected}"
    rendered = RenderedReply("Subject", "Body\n", None)
    try:
        message = compose(rendered=rendered, **args)  # type: ignore[arg-type]  # a mixed dict
    except ValueError:
        return
    # one_line() may have flattened a free-text value instead: then the text stays inside its own header; and a
    # value that is no Message-ID is left out of In-Reply-To and References
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and field in ("from_name", "in_reply_to", "references")
    assert "Bcc" not in str(parsed["In-Reply-To"]) + str(parsed["References"])


def test_the_subject_is_one_line_even_when_the_template_is_not() -> None:
    rendered = RenderedReply("Re: x\r\nBcc: x@y", "Body\n", None)
    message = compose(rendered=rendered, from_address="foi@council.example", from_name="FOI", to="jo@example.org",
                      in_reply_to=None, references=(), loop_token="t", now=NOW)
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["Subject"] == "Re: x Bcc: x@y"


def test_a_part_that_looks_like_the_boundary_does_not_break_the_message() -> None:
    taken = "===============1234567890123456789=="
    rendered = RenderedReply("Subject", f"--{taken}\n--{taken}.0\n", "<p>x</p>")
    message = compose(rendered=rendered, from_address="foi@council.example", from_name="FOI", to="jo@example.org",
                      in_reply_to=None, references=(), loop_token="t", now=NOW)
    _, parts = read(message.raw)
    assert parts == [("text/plain", f"--{taken}\n--{taken}.0\n"), ("text/html", "<p>x</p>\n")]


def test_a_part_quoting_our_own_boundary_does_not_break_the_message() -> None:
    """Our boundary opens with "=_", which quoted-printable never writes at a line's start."""
    first = compose(rendered=RenderedReply("Subject", "x\n", "<p>x</p>"), from_address="foi@council.example",
                    from_name="FOI", to="jo@example.org", in_reply_to=None, references=(), loop_token="t", now=NOW)
    boundary = email.message_from_bytes(first.raw).get_boundary()
    assert boundary is not None and boundary.startswith("=_") and "@" not in boundary
    # A reply quoting a boundary of that very shape (say, a requester pasting an earlier reply's source).
    quoted = f"--{boundary}\n--{boundary}--\n--=_\n"
    message = compose(rendered=RenderedReply("Subject", quoted, f"<p>{quoted}</p>"), from_address="foi@council.example",
                      from_name="FOI", to="jo@example.org", in_reply_to=None, references=(), loop_token="t", now=NOW)
    _, parts = read(message.raw)
    assert parts == [("text/plain", quoted), ("text/html", f"<p>{quoted}</p>\n")]


FOLD_VALUES = [
    "", "x", "foi@council.example", "Re: Budget [Enquiry Ref: 13931/2024]", "OOF, AutoReply",
    "<1764.1.2@council.example>", "x" * 74, "x" * 75, "x" * 76, "word " * 15 + "end", "two  spaces", " lead",
    "trail ", "tab\there", "=?utf-8?q?Caf=C3=A9?=", "Siân", "a\x7fb", "a\x00b", "<a@b> <c@d> " * 8 + "<e@f>",
    "Mon, 04 Mar 2024 09:30:00 +0000", 'text/plain; charset="utf-8"', "quoted-printable",
]


@pytest.mark.parametrize("field", ["subject", "from_name", "loop_token", "auto_submitted"])
@pytest.mark.parametrize("value", FOLD_VALUES, ids=[repr(v)[:30] for v in FOLD_VALUES])
def test_every_header_value_is_written_within_the_wire_limits(field: str, value: str) -> None:
    """compat32 folds and encodes each header as it writes it: whatever the value, it stays in its own header, on
    lines of at most 78 octets where there is a space to fold at (998 always), and a client reads what it would
    read from the same value set on an EmailMessage."""
    args: dict[str, object] = {"from_address": "foi@council.example", "from_name": "FOI", "to": "jo@example.org",
                               "in_reply_to": None, "references": (), "loop_token": "t", "now": NOW}
    subject = value if field == "subject" else "Subject"
    if field != "subject":
        args[field] = value
    message = compose(rendered=RenderedReply(subject, "x\n", None), **args)  # type: ignore[arg-type]  # a mixed dict
    head = message.raw.split(b"\n\n", 1)[0]
    assert all(len(line) <= 998 for line in head.split(b"\n"))
    assert all(len(line) <= 78 for line in head.split(b"\n") if b" " in line.strip())
    name = {"subject": "Subject", "from_name": "From", "loop_token": "X-Loop", "auto_submitted": "Auto-Submitted"}
    expected = EmailMessage()
    if field == "from_name":
        expected["From"] = formataddr((one_line(value), "foi@council.example"))
    else:
        # Control characters never reach the wire (one_line drops them from the subject, compose from the rest).
        expected[name[field]] = one_line(value) if field == "subject" else re.sub("[\x00\x7f]", "", value)
    ours = email.message_from_bytes(message.raw, policy=email.policy.default)
    theirs = email.message_from_bytes(expected.as_bytes(), policy=email.policy.default)
    header = name[field]
    assert not ours.defects and len(ours.get_all(header) or []) == 1
    if field == "from_name":  # the name as meant: EmailMessage misreads some (see the first test); an encoded word
        intended = [(a.display_name, a.addr_spec) for a in theirs["From"].addresses] if "=?" in value else \
            [(one_line(value), "foi@council.example")]  # ... is decoded by any client, as it is here
        assert [(a.display_name, a.addr_spec) for a in ours["From"].addresses] == intended
    else:
        assert " ".join(str(ours[header]).split()) == " ".join(str(theirs[header]).split())


# Two replies as they go on the wire, byte for byte: a change here is a change every recipient's client sees.
GOLDEN_PLAIN = b"".join(line + b"\n" for line in [
    b'Content-Type: text/plain; charset="utf-8"',
    b'Content-Transfer-Encoding: quoted-printable',
    b'MIME-Version: 1.0',
    b'From: =?utf-8?b?U2nDom7igJlzIENvdW5jaWwsIEZPSQ==?= <foi@council.example>',
    b'To: jo@xn--r8jz45g.jp',
    b'Reply-To: staff1@council.example, staff2@council.example',
    b'Subject: =?utf-8?q?Re=3A_Cais_am_wybodaeth_=E2=80=93_Si=C3=A2n_=5BEnquiry_Re?=',
    b' =?utf-8?q?f=3A_13931/2024=5D?=',
    b'Date: Mon, 04 Mar 2024 09:30:00 +0000',
    b'Message-ID: <1.2.3@council.example>',
    b'In-Reply-To: ',
    b' <xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@example.org>',
    b'References: <earlier@example.org>',
    b' <xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@example.org>',
    b'Auto-Submitted: auto-replied',
    b'X-Auto-Response-Suppress: OOF, AutoReply',
    b'X-Loop: foi@council.example',
    b'',
    b'Annwyl Si=C3=A2n,',
    b'',
    b'I acknowledge receipt of your request for information received by this offi=',
    b'ce on 4th March 2024. Diolch =E2=80=93 =E2=80=98quotes=E2=80=99 =E2=80=A6 =',
    b'=E2=82=AC5',
    b'From the council',
])
GOLDEN_ALTERNATIVE = b"".join(line + b"\n" for line in [
    b'Content-Type: multipart/alternative; boundary="=_1.2.3.council.example"',
    b'MIME-Version: 1.0',
    b'From: FOI <foi@council.example>',
    b'To: jo@example.org',
    b'Subject: Re: Budget [Enquiry Ref: 13931/2024]',
    b'Date: Mon, 04 Mar 2024 09:30:00 +0000',
    b'Message-ID: <1.2.3@council.example>',
    b'Auto-Submitted: auto-replied',
    b'X-Auto-Response-Suppress: OOF, AutoReply',
    b'X-Loop: t',
    b'',
    b'--=_1.2.3.council.example',
    b'Content-Type: text/plain; charset="utf-8"',
    b'Content-Transfer-Encoding: quoted-printable',
    b'',
    b'Dear Jo,',
    b'',
    b'--=_1.2.3.council.example',
    b'Content-Type: text/html; charset="utf-8"',
    b'Content-Transfer-Encoding: quoted-printable',
    b'',
    b'<p>Dear Jo,</p>',
    b'',
    b'--=_1.2.3.council.example--',
])


def test_the_bytes_on_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    import mailbot.mail.compose as compose_module

    monkeypatch.setattr(compose_module, "make_msgid", lambda domain: f"<1.2.3@{domain}>")
    text = "Annwyl Siân,\r\n\nI acknowledge receipt of your request for information received by this office on " \
           "4th March 2024. Diolch – ‘quotes’ … €5\nFrom the council"
    plain = compose(rendered=RenderedReply("Re: Cais am wybodaeth – Siân [Enquiry Ref: 13931/2024]", text, None),
                    from_address="foi@council.example", from_name="Siân’s Council, FOI", to="jo@例え.jp",
                    in_reply_to="<" + "x" * 90 + "@example.org>", references=("<earlier@example.org>",),
                    loop_token="foi@council.example", now=NOW,
                    reply_to=("staff1@council.example", "staff2@council.example"))
    assert plain.raw == GOLDEN_PLAIN and plain.message_id == "<1.2.3@council.example>"
    alternative = compose(rendered=RenderedReply("Re: Budget [Enquiry Ref: 13931/2024]", "Dear Jo,", "<p>Dear Jo,</p>"),
                          from_address="foi@council.example", from_name="FOI", to="jo@example.org", in_reply_to=None,
                          references=(), loop_token="t", now=NOW)
    assert alternative.raw == GOLDEN_ALTERNATIVE


def test_no_line_exceeds_998_octets_whatever_the_sender_sent() -> None:
    """A hostile subject word goes as encoded words (which fold); an id too long for any line is left out, since a
    Message-ID may not be split; an address that long cannot be written at all, so compose refuses it."""
    word = "y" * 3000
    message = compose(rendered=RenderedReply(f"Re: {word} [Enquiry Ref: 1/2024]", "x\n", None),
                      from_address="foi@council.example", from_name="FOI", to="jo@example.org",
                      in_reply_to="<ok@example.org>", references=("<" + "z" * 1200 + "@e>", "<earlier@example.org>"),
                      loop_token="t", now=NOW)
    assert all(len(line) <= 78 for line in message.raw.split(b"\n\n", 1)[0].split(b"\n"))
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == f"Re: {word} [Enquiry Ref: 1/2024]"
    assert parsed["In-Reply-To"] == "<ok@example.org>"
    assert parsed["References"] == "<earlier@example.org> <ok@example.org>"
    unthreaded = compose(rendered=RenderedReply("Subject", "x\n", None), from_address="foi@council.example",
                         from_name="FOI", to="jo@example.org", in_reply_to="<" + "x" * 1500 + "@e>",
                         references=("<earlier@example.org>",), loop_token="t", now=NOW)
    assert all(len(line) <= 998 for line in unthreaded.raw.split(b"\n"))
    parsed = email.message_from_bytes(unthreaded.raw, policy=email.policy.default)
    assert parsed["In-Reply-To"] is None and parsed["References"] is None and parsed["X-Loop"] == "t"
    with pytest.raises(ValueError, match="998"):
        compose(rendered=RenderedReply("Subject", "x\n", None), from_address="foi@council.example", from_name="FOI",
                to="jo@" + "d" * 1200 + ".example", in_reply_to=None, references=(), loop_token="t", now=NOW)


@pytest.mark.parametrize("html", [None, "<p>Dear Jo,</p>"], ids=["plain", "alternative"])
def test_a_personal_acknowledgement_is_not_marked_bulk(html: str | None) -> None:
    """"Precedence: bulk" sends a requester's acknowledgement to a Promotions or bulk folder; the robot headers that
    stop loops stay, and the message has one MIME-Version."""
    message = compose(rendered=RenderedReply("Re: Budget [Enquiry Ref: 13931/2024]", "Dear Jo,\n", html),
                      from_address="foi@council.example", from_name="FOI", to="jo@example.org",
                      in_reply_to="<q@example.org>", references=(), loop_token="foi@council.example", now=NOW)
    head = message.raw.split(b"\n\n", 1)[0]
    names = [line.split(b":", 1)[0].lower() for line in head.split(b"\n") if line and not line[:1].isspace()]
    assert b"precedence" not in names
    assert names.count(b"mime-version") == 1
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert message["X-Loop"] == "foi@council.example"
