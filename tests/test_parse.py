"""Unit tests for mailbot.mail.parse (and the modules it assembles) on small inline messages: each pins one
behaviour later steps rely on."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mailbot.mail.htmltext as htmltext_module
import mailbot.mail.mailparser_view as mailparser_view_module
import mailbot.mail.parse as parse_module
from mailbot.mail.charsets import decode_bytes
from mailbot.mail.delivery import HEURISTIC_BYTES
from mailbot.mail.message import InboundMessage
from mailbot.mail.parse import parse_message

SYNTHETIC_ID = re.compile(r"<[0-9a-f]{32}@mailbot\.invalid>")
LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def mail(text: str) -> bytes:
    """Inline messages are written with LF and plain ASCII/UTF-8; tests that need other bytes build them."""
    return text.lstrip("\n").encode("utf-8")


def assert_single_line_headers(message: InboundMessage) -> None:
    assert not LINE_BREAKS.search(message.subject)
    for name, value in message.headers:
        assert not LINE_BREAKS.search(name) and not LINE_BREAKS.search(value), (name, value)


PLAIN = mail(
    """
From: "Jane Q. Public" <jane@example.org>
To: FOI Team <foi@council.example.gov.uk>, other@example.net
Cc: cc1@example.com
Subject: Request for information
Date: Tue, 13 Nov 2007 11:39:55 +0100
Message-ID: <abc123@mail.example.org>
In-Reply-To: <orig-1@council.example.gov.uk>
References: <orig-0@council.example.gov.uk>
 <orig-1@council.example.gov.uk>
Content-Type: text/plain; charset=utf-8

Please send me the 2023–24 budget.
"""
)


class TestPlainMessage:
    def test_addresses(self) -> None:
        message = parse_message(PLAIN)
        assert message.sender == "jane@example.org"
        assert message.display_name == "Jane Q. Public"
        assert message.to == ("foi@council.example.gov.uk", "other@example.net")
        assert message.cc == ("cc1@example.com",)
        assert message.reply_to == ()
        assert message.correspondence_address == "jane@example.org"

    def test_ids_and_threading(self) -> None:
        message = parse_message(PLAIN)
        assert message.message_id == "<abc123@mail.example.org>"
        assert message.in_reply_to == ("<orig-1@council.example.gov.uk>",)
        assert message.references == ("<orig-0@council.example.gov.uk>", "<orig-1@council.example.gov.uk>")

    def test_date_keeps_sender_offset(self) -> None:
        date = parse_message(PLAIN).date
        assert date == datetime(2007, 11, 13, 10, 39, 55, tzinfo=UTC)
        assert date is not None and date.utcoffset() == timedelta(hours=1)

    def test_body_and_type(self) -> None:
        message = parse_message(PLAIN)
        assert message.subject == "Request for information"
        assert message.text == "Please send me the 2023–24 budget.\n"
        assert message.content_type == "text/plain"
        assert message.has_html is False
        assert message.attachments == ()
        assert message.delivery_status == ()
        assert message.return_path is None

    def test_headers_are_lower_case_and_decoded(self) -> None:
        message = parse_message(PLAIN)
        assert message.header("SUBJECT") == "Request for information"
        assert message.header("references") == "<orig-0@council.example.gov.uk> <orig-1@council.example.gov.uk>"
        assert all(name == name.lower() for name, _ in message.headers)
        assert [name for name, _ in message.headers][:3] == ["from", "to", "cc"]


def test_html_only_is_converted_to_text() -> None:
    message = parse_message(
        mail(
            """
From: a@example.org
Subject: html
Content-Type: text/html; charset=utf-8

<html><head><style>p {color: red}</style></head>
<body><p>Dear&nbsp;requester,</p><p>Your <b>reference</b> is FOI-42.</p></body></html>
"""
        )
    )
    assert message.has_html is True
    assert "Dear\xa0requester," in message.text or "Dear requester," in message.text
    assert "Your reference is FOI-42." in message.text
    assert "<" not in message.text and "color" not in message.text


def test_alternative_prefers_plain_part() -> None:
    message = parse_message(
        mail(
            """
From: a@example.org
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain; charset=us-ascii

plain version
--ALT
Content-Type: text/html; charset=us-ascii

<p>html version</p>
--ALT--
"""
        )
    )
    assert message.text == "plain version"
    assert message.has_html is True
    assert message.content_type == "multipart/alternative"


def test_empty_plain_part_falls_back_to_html() -> None:
    message = parse_message(
        mail(
            """
From: a@example.org
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain

--ALT
Content-Type: text/html

<p>only the html says anything</p>
--ALT--
"""
        )
    )
    assert message.text == "only the html says anything"


def test_multipart_with_attachment() -> None:
    message = parse_message(
        mail(
            """
From: a@example.org
Subject: with attachment
MIME-Version: 1.0
Content-Type: Multipart/Mixed; boundary="XYZ"

--XYZ
Content-Type: text/plain; charset=utf-8

See attached.
--XYZ
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IK
--XYZ
Content-Type: text/plain; name="notes.txt"

not body text: it has a file name
--XYZ--
"""
        )
    )
    assert message.content_type == "multipart/mixed"
    assert message.text == "See attached."
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("report.pdf", "application/pdf"),
        ("notes.txt", "text/plain"),
    ]
    assert message.attachments[0].size == 15  # decoded bytes, not base64 characters
    assert message.attachments[1].size == len(b"not body text: it has a file name")


def test_encoded_attachment_filename() -> None:
    message = parse_message(
        mail(
            """
From: a@example.org
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''caf%C3%A9%20%C2%A3.xls

x
--B
Content-Type: application/octet-stream; name="=?utf-8?B?w6lsw6hu?= .doc"

y
--B--
"""
        )
    )
    assert [a.filename for a in message.attachments] == ["café £.xls", "élèn .doc"]


def test_reply_to() -> None:
    message = parse_message(
        mail(
            """
From: Officer <officer@council.example.gov.uk>
Reply-To: FOI Team <foi@council.example.gov.uk>, backup@council.example.gov.uk
Subject: x

body
"""
        )
    )
    assert message.reply_to == ("foi@council.example.gov.uk", "backup@council.example.gov.uk")
    assert message.correspondence_address == "foi@council.example.gov.uk"


class TestMessageId:
    NO_ID = mail("From: a@example.org\nSubject: no id\n\nbody\n")

    def test_missing_id_is_synthesised_deterministically(self) -> None:
        first, second = parse_message(self.NO_ID), parse_message(self.NO_ID)
        assert SYNTHETIC_ID.fullmatch(first.message_id)
        assert first.message_id == second.message_id

    def test_synthesised_id_depends_on_the_bytes(self) -> None:
        other = parse_message(self.NO_ID + b"more\n")
        assert other.message_id != parse_message(self.NO_ID).message_id

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("<x@y>", "<x@y>"),
            ("  x@y  ", "<x@y>"),
            ("<x@y> (added by relay)", "<x@y>"),
            ("<xxxxxx>", "<xxxxxx>"),
        ],
    )
    def test_normalised_to_angle_brackets(self, header: str, expected: str) -> None:
        assert parse_message(mail(f"Message-ID: {header}\n\nbody\n")).message_id == expected

    @pytest.mark.parametrize("header", ["", "<>", "not an id"])
    def test_unusable_id_is_synthesised(self, header: str) -> None:
        assert SYNTHETIC_ID.fullmatch(parse_message(mail(f"Message-ID: {header}\n\nbody\n")).message_id)

    def test_in_reply_to_tolerates_junk_and_dedupes_references(self) -> None:
        message = parse_message(
            mail(
                "In-Reply-To: Your message of Monday <a@b>\n"
                "References: <a@b> <c@d>\n"
                "References: <c@d> <e@f>\n\nbody\n"
            )
        )
        assert message.in_reply_to == ("<a@b>",)
        assert message.references == ("<a@b>", "<c@d>", "<e@f>")


class TestEncodedHeaders:
    def test_subject_and_display_name(self) -> None:
        message = parse_message(
            mail(
                "From: =?iso-8859-1?Q?Jos=E9_Garc=EDa?= <jose@example.es>\n"
                "Subject: =?utf-8?B?UmU6INCS0LDRiCDRgdCw0LnRgg==?=\n\nbody\n"
            )
        )
        assert message.display_name == "José García"
        assert message.subject == "Re: Ваш сайт"

    def test_multibyte_character_split_across_words(self) -> None:
        # "é" is C3 A9 in UTF-8; the sender split it over two encoded words.
        message = parse_message(mail("Subject: =?utf-8?Q?caf=C3?= =?utf-8?Q?=A9_ok?=\n\nx\n"))
        assert message.subject == "café ok"

    def test_space_between_plain_and_encoded_words_is_kept(self) -> None:
        message = parse_message(mail("Subject: Re: =?utf-8?Q?caf=C3=A9?= menu\n\nx\n"))
        assert message.subject == "Re: café menu"

    @pytest.mark.parametrize(
        "subject",
        ["=?UTF-8?B?aGVsbG/w?=", "=?UTF-8?Q?hello=F0=?="],
    )
    def test_truncated_utf8_gives_replacement_character(self, subject: str) -> None:
        assert parse_message(mail(f"Subject: {subject}\n\nx\n")).subject == "hello\ufffd"

    def test_unknown_charset_does_not_raise(self) -> None:
        message = parse_message(mail("Subject: =?x-no-such-charset?Q?caf=E9?= and =?utf-8?B?!!!?=\n\nx\n"))
        assert message.subject.startswith("caf\ufffd and")

    def test_raw_8bit_header_bytes(self) -> None:
        # Raw 8-bit headers are decoded per value: UTF-8 when valid, else windows-1252.
        message = parse_message(b"Subject: caf\xc3\xa9 \xe2\x80\x93 ok\nFrom: J\xf6rg \x96 x <j@example.de>\n\nx\n")
        assert message.subject == "café – ok"
        assert message.display_name == "Jörg – x"
        assert message.sender == "j@example.de"


class TestLineBreaksInHeaders:
    def test_folded_subject_is_unfolded(self) -> None:
        message = parse_message(mail("Subject: RE: FOI request - Participation\n in the process\n\nx\n"))
        assert message.subject == "RE: FOI request - Participation in the process"

    def test_encoded_crlf_cannot_inject_headers(self) -> None:
        message = parse_message(
            mail(
                "From: =?utf-8?Q?Evil=0D=0ABcc=3A_victim=40example=2Eorg?= <evil@example.org>\n"
                "Subject: =?utf-8?Q?Hello=0D=0ABcc:_victim@example.org?=\n"
                "X-Other: =?utf-8?B?bGluZTEKbGluZTIL4oCoZW5k?=\n\nx\n"
            )
        )
        assert message.subject == "Hello Bcc: victim@example.org"
        assert message.display_name is not None and "\n" not in message.display_name
        assert message.sender == "evil@example.org"
        assert_single_line_headers(message)


class TestDeliveryStatus:
    @staticmethod
    def report(status: str, action: str, recipient: str = "rfc822; gone@example.org") -> bytes:
        return mail(
            f"""
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: foi@council.example.gov.uk
Subject: Delivery Status Notification
Return-Path: <>
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

Delivery to the following recipient failed.
--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Tue, 6 Sep 2011 21:37:13 +0100

Final-Recipient: {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} User unknown

--R
Content-Type: message/rfc822

From: foi@council.example.gov.uk
To: gone@example.org
Subject: Your request

original text
--R--
"""
        )

    def test_permanent_failure(self) -> None:
        message = parse_message(self.report("5.1.1", "failed"))
        (status,) = message.delivery_status
        assert (status.recipient, status.status, status.action) == ("gone@example.org", "5.1.1", "failed")
        assert status.permanent
        assert message.return_path == ""
        assert message.content_type == "multipart/report"

    def test_delay_is_not_permanent(self) -> None:
        (status,) = parse_message(self.report("4.4.7 (delayed)", "Delayed")).delivery_status
        assert (status.status, status.action) == ("4.4.7", "delayed")
        assert not status.permanent

    def test_returned_message_is_an_attachment_not_text(self) -> None:
        message = parse_message(self.report("5.1.1", "failed"))
        assert "original text" not in message.text
        assert [a.content_type for a in message.attachments] == ["message/rfc822"]
        assert message.attachments[0].size > 0

    def test_recipient_without_type_prefix(self) -> None:
        (status,) = parse_message(self.report("5.0.0", "failed", "<bare@example.org>")).delivery_status
        assert status.recipient == "bare@example.org"

    def test_exim_failed_recipients_header(self) -> None:
        message = parse_message(
            mail(
                "From: Mail Delivery System <Mailer-Daemon@example.net>\n"
                "X-Failed-Recipients: one@example.org, two@example.org\n"
                "Subject: Mail delivery failed\n\nThis is a permanent error.\n"
            )
        )
        assert [(s.recipient, s.status, s.action) for s in message.delivery_status] == [
            ("one@example.org", "5.0.0", "failed"),
            ("two@example.org", "5.0.0", "failed"),
        ]

    def test_dsn_part_wins_over_exim_header(self) -> None:
        raw = self.report("4.4.7", "delayed").replace(b"Return-Path: <>\n", b"X-Failed-Recipients: x@example.org\n")
        assert [s.status for s in parse_message(raw).delivery_status] == ["4.4.7"]

    def test_original_recipient_is_the_address_we_wrote_to(self) -> None:
        raw = self.report("5.1.1", "failed", "rfc822; jbloggs@mailstore7.example.org\nOriginal-Recipient: rfc822;"
                          "jo.bloggs@example.org")
        assert [s.recipient for s in parse_message(raw).delivery_status] == ["jo.bloggs@example.org"]

    QMAIL = ("From: MAILER-DAEMON@mx.example.com\nReturn-Path: <>\nSubject: failure notice\n\n"
             "Hi. This is the qmail-send program at mx.example.com.\nI'm afraid I wasn't able to deliver your message "
             "to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n"
             "<gone@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n--- Below this line is a copy "
             "of the message.\n\n")

    def test_a_bounce_in_no_standard_form_is_read_by_flufl_bounce(self) -> None:
        (status,) = parse_message(mail(self.QMAIL)).delivery_status
        assert (status.recipient, status.action, status.permanent) == ("gone@example.com", "failed", True)

    def test_flufl_bounce_reads_only_mail_that_a_mail_system_sent(self) -> None:
        person = self.QMAIL.replace("From: MAILER-DAEMON@mx.example.com\nReturn-Path: <>\nSubject: failure notice",
                                    "From: Jo Bloggs <jo@example.org>\nSubject: Potholes")
        assert parse_message(mail(person)).delivery_status == ()

    def test_flufl_bounce_reads_the_start_of_a_bounce_only(self) -> None:
        padded = self.QMAIL.replace("Hi. This", "x" * HEURISTIC_BYTES + "\nHi. This")
        assert parse_message(mail(padded)).delivery_status == ()


class TestReturnPath:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [("<>", ""), ("<bounce@example.org>", "bounce@example.org"), ("email@example.com>", "email@example.com")],
    )
    def test_values(self, header: str, expected: str) -> None:
        assert parse_message(mail(f"Return-Path: {header}\n\nx\n")).return_path == expected

    def test_absent(self) -> None:
        assert parse_message(mail("Subject: x\n\nx\n")).return_path is None


class TestMalformedAddresses:
    def test_from_missing_opening_bracket(self) -> None:
        message = parse_message(mail('From: "A Person" email@example.com>\n\nx\n'))
        assert message.sender == "email@example.com"
        assert message.display_name == "A Person"

    def test_unbalanced_to_and_cc(self) -> None:
        message = parse_message(mail("To: <bar@example.org\nCc: baz@example.org>\n\nx\n"))
        assert message.to == ("bar@example.org",)
        assert message.cc == ("baz@example.org",)

    def test_placeholder_without_address(self) -> None:
        message = parse_message(mail("From: EMAIL_FROM\nTo: FOI Person <EMAIL_TO>\n\nx\n"))
        assert (message.sender, message.display_name, message.to) == (None, None, ())

    def test_empty_headers(self) -> None:
        message = parse_message(mail("From:\nReply-To:\nTo: undisclosed-recipients:;\n\nx\n"))
        assert (message.sender, message.reply_to, message.to) == (None, (), ())


class TestCharsets:
    @staticmethod
    def body(charset_param: str, payload: bytes, cte: str = "8bit") -> str:
        head = f"From: a@example.org\nContent-Type: text/plain{charset_param}\nContent-Transfer-Encoding: {cte}\n\n"
        return parse_message(head.encode() + payload).text

    def test_iso_8859_1_label_on_cp1252_bytes(self) -> None:
        assert self.body("; charset=iso-8859-1", b"NEXT \x96 REQUEST \x93quoted\x94 caf\xe9") == (
            "NEXT – REQUEST “quoted” café"
        )

    def test_missing_charset_utf8(self) -> None:
        assert self.body("", "2010–2011 “x”".encode()) == "2010–2011 “x”"

    def test_missing_charset_not_utf8_falls_back_to_cp1252(self) -> None:
        assert self.body("", b"caf\xe9 \x80") == "café €"

    def test_cp1252_undefined_bytes_do_not_raise(self) -> None:
        assert self.body("; charset=windows-1252", b"a\x81b\x90c") == "a\x81b\x90c"

    def test_utf7_aliases(self) -> None:
        assert self.body('; charset="unicode-1-1-utf-7"', b"Hi Mom -+Jjo--!") == "Hi Mom -☺-!"

    def test_unknown_charset_gives_replacement(self) -> None:
        assert self.body("; charset=x-klingon", b"ok \xff") == "ok \ufffd"

    def test_codec_that_is_not_a_charset(self) -> None:
        assert self.body("; charset=base64", b"ok \xff") == "ok \ufffd"
        assert self.body("; charset=undefined", b"ok") == "ok"

    def test_declared_utf8_with_damage_keeps_the_good_part(self) -> None:
        assert self.body("; charset=utf-8", b"caf\xc3\xa9 \xff") == "café \ufffd"

    def test_header_charset_is_guessed_for_unlabelled_body(self) -> None:
        raw = b"Subject: =?gb2312?B?yM7A1svJ?=\nContent-Type: text/plain\n\n" + "贵公司".encode("gb18030")
        message = parse_message(raw)
        assert message.subject == "任乐松"
        assert message.text == "贵公司"

    def test_quoted_printable_and_crlf(self) -> None:
        text = self.body("; charset=utf-8", b"line one=\r\n continues=E2=80=93\r\nline two\r\n", cte="quoted-printable")
        assert text == "line one continues–\nline two\n"

    def test_decode_bytes_never_raises_on_odd_codecs(self) -> None:
        for label in ["utf-16", "utf-32", "idna", "rot13", "zlib", "hz", "iso-2022-jp", "", None, "\x00"]:
            assert isinstance(decode_bytes(b"\xff\xfe\x00a\x1b$B", label), str)


class TestStructure:
    def test_mbox_from_line_and_crlf(self) -> None:
        raw = (
            b"From someone@example.org  Tue Dec  3 11:13:02 2013\r\n"
            b"From: Someone <someone@example.org>\r\nSubject: Hi\r\n\r\nline 1\r\nline 2\r\n"
        )
        message = parse_message(raw)
        assert message.sender == "someone@example.org"
        assert message.subject == "Hi"
        assert message.text == "line 1\nline 2\n"
        assert all(name != "from " for name, _ in message.headers)

    def test_truncated_multipart(self) -> None:
        message = parse_message(
            mail(
                """
From: a@example.org
Content-Type: multipart/mixed; boundary="T"

--T
Content-Type: text/html

<p>an acknowledgement without the closing boundary</p>
"""
            )
        )
        assert message.text == "an acknowledgement without the closing boundary"

    def test_multipart_without_boundary_is_read_as_text(self) -> None:
        message = parse_message(mail("Content-Type: multipart/mixed\n\njust text\n"))
        assert message.text == "just text\n"

    def test_forwarded_message_is_one_attachment(self) -> None:
        message = parse_message(
            mail(
                """
From: a@example.org
Content-Type: multipart/mixed; boundary="F"

--F
Content-Type: text/plain

See the forwarded message.
--F
Content-Type: message/rfc822

From: b@example.org
Subject: inner
Content-Type: multipart/mixed; boundary="G"

--G
Content-Type: text/plain

inner text
--G
Content-Type: application/pdf; name="inner.pdf"

%PDF
--G--
--F--
"""
            )
        )
        assert message.text == "See the forwarded message."
        assert [a.content_type for a in message.attachments] == ["message/rfc822"]

    def test_attached_multipart_children_are_not_body(self) -> None:
        message = parse_message(
            mail(
                """
Content-Type: multipart/mixed; boundary="O"

--O
Content-Type: text/plain

outer
--O
Content-Type: multipart/alternative; boundary="I"
Content-Disposition: attachment

--I
Content-Type: text/plain

inside an attachment
--I--
--O--
"""
            )
        )
        assert message.text == "outer"
        assert [a.content_type for a in message.attachments] == ["text/plain"]

    def test_inline_uuencoded_file_becomes_attachment(self) -> None:
        message = parse_message(
            mail(
                "Subject: uu\n\nHere it is:\n\nbegin 644 hello.txt\n%:&5L;&\\`\n`\nend\n\nThanks\n"
            )
        )
        assert [(a.filename, a.content_type, a.size) for a in message.attachments] == [("hello.txt", "text/plain", 5)]
        assert "begin 644" not in message.text and "Thanks" in message.text

    def test_tnef_is_kept_as_opaque_attachment(self) -> None:
        message = parse_message(
            mail(
                """
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Transfer-Encoding: base64

eJ8+IgAAAQaQCAAEAAAAAAABAAEAAQeQBgAIAAAA5AQAAAAAAADoAAEIgAcAGAAAAElQTS5NaWNy
"""
            )
        )
        assert message.text == ""
        assert [(a.filename, a.content_type) for a in message.attachments] == [("winmail.dat", "application/ms-tnef")]

    def test_huge_html_uses_linear_fallback(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(htmltext_module, "MAX_HTML_CHARS", 10)
        message = parse_message(
            mail(
                "Content-Type: text/html\n\n"
                "<html><head><style>p{}</style></head><body><p>One&amp;</p><p>Two</p><script>x()</script></body></html>"
            )
        )
        assert message.text == "One&\nTwo"


class TestDates:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("Fri, 01 Aug 2008 14:35:58 +0100", datetime(2008, 8, 1, 13, 35, 58, tzinfo=UTC)),
            ("1 Aug 2008 14:35:58 -0000", datetime(2008, 8, 1, 14, 35, 58, tzinfo=UTC)),
            ("Fri, 01 Aug 08 14:35 GMT", datetime(2008, 8, 1, 14, 35, tzinfo=UTC)),
        ],
    )
    def test_aware(self, header: str, expected: datetime) -> None:
        date = parse_message(mail(f"Date: {header}\n\nx\n")).date
        assert date == expected and date.tzinfo is not None

    @pytest.mark.parametrize("header", ["", "yesterday", "Fri, 32 Aug 2008 14:35:58 +0100", "99999999999"])
    def test_unparseable_is_none(self, header: str) -> None:
        assert parse_message(mail(f"Date: {header}\n\nx\n")).date is None


class TestNeverRaises:
    @pytest.mark.parametrize(
        "raw",
        [
            b"",
            b"\x00" * 64,
            b"\r\n\r\n",
            b"From \n",
            b"Content-Type: text/plain; charset=undefined\n\n\xff\xfe",
            b"Content-Type: multipart/mixed; boundary=b\n\n"
            + b"--b\nContent-Type: multipart/mixed; boundary=b\n\n" * 2000,
            b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(1200)),
            b"Content-Type: message/rfc822\n\n" * 2000,
            b"Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n!!!!",
            b"Content-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n!!!!\nend\n",
            b"Content-Type: text/plain; charset*=utf-8''%FF%FE\n"
            b"Content-Disposition: attachment; filename*=bogus''%ZZ\n\nx",
            b"Subject: =?utf-7?B?K2RlQS0=?= =?utf-16?B?2D0=?=\n\nx",
            b"Content-Type: text/html; charset=utf-7\n\n+2D3-<p>x\x00y</p>",
        ],
    )
    def test_nasty_inputs(self, raw: bytes) -> None:
        message = parse_message(raw)
        assert message.message_id.startswith("<") and message.message_id.endswith(">")
        assert isinstance(message.text, str)
        message.text.encode("utf-8")  # no lone surrogates
        assert_single_line_headers(message)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=2000))
    def test_arbitrary_bytes(self, raw: bytes) -> None:
        message = parse_message(raw)
        assert isinstance(message, InboundMessage)
        message.text.encode("utf-8")
        assert_single_line_headers(message)

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.sampled_from(
                [
                    b"From: ",
                    b"To: <",
                    b"Subject: =?utf-8?Q?",
                    b"?=",
                    b"Content-Type: multipart/mixed; boundary=Z\n",
                    b"Content-Type: message/rfc822\n",
                    b"Content-Type: message/delivery-status\n",
                    b"Content-Transfer-Encoding: base64\n",
                    b"--Z\n",
                    b"--Z--\n",
                    b"\n",
                    b"\r\n",
                    b"a@b",
                    b">",
                    b"\xff\xe9",
                    b"Status: 5.1.1\n",
                    b"begin 644 f\n",
                    b"end\n",
                ]
            ),
            max_size=60,
        )
    )
    def test_mime_shaped_noise(self, pieces: list[bytes]) -> None:
        message = parse_message(b"".join(pieces))
        message.text.encode("utf-8")
        assert_single_line_headers(message)


class TestHostileInput:
    """Each of these took seconds to minutes with a backtracking regex; benchmarks/bench_parse.py times them."""

    @pytest.mark.parametrize(
        "raw",
        [
            pytest.param(b"From: " + b"a" * 300_000 + b"\n\nx", id="address-without-at"),
            pytest.param(b"X-Failed-Recipients: " + b"a" * 300_000 + b"\n\nx", id="failed-recipients"),
            pytest.param(b"Content-Type: text/html\n\n" + b"<" * 400_000, id="unclosed-tags"),
            pytest.param(b"Content-Type: text/html\n\n" + b"<style" * 100_000, id="unclosed-style"),
            pytest.param(b"\n" + b"begin 644 x\n" * 50_000, id="uuencode-without-end"),
            pytest.param(b"Subject: " + b"=?a?q?" * 50_000 + b"\n\nx", id="unterminated-encoded-words"),
            pytest.param(b"References: " + b"<" * 300_000 + b"\n\nx", id="unclosed-ids"),
        ],
    )
    def test_parses(self, raw: bytes) -> None:
        message = parse_message(raw)
        assert message.message_id.startswith("<") and message.message_id.endswith(">")
        assert_single_line_headers(message)


class TestFallbacks:
    def test_mailparser_failure_falls_back_to_stdlib(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def boom(*args: object, **kwargs: object) -> None:
            raise RuntimeError("mail-parser broke")

        monkeypatch.setattr(mailparser_view_module, "get_addresses", boom)
        monkeypatch.setattr(mailparser_view_module, "parse_mail_date", boom)
        message = parse_message(PLAIN)
        assert message.sender == "jane@example.org"
        assert message.to == ("foi@council.example.gov.uk", "other@example.net")
        assert message.date is not None

    def test_stdlib_failure_gives_minimal_message(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def boom(raw: bytes) -> None:
            raise RecursionError("too deep")

        monkeypatch.setattr(parse_module, "stdlib_parse", boom)
        raw = b"Subject: x\r\n\r\nbody \xff\r\n"
        message = parse_message(raw)
        assert SYNTHETIC_ID.fullmatch(message.message_id)
        assert message.message_id == parse_message(raw).message_id
        assert message.sender is None and message.subject == ""
        assert message.text == "Subject: x\n\nbody \ufffd\n"

    def test_not_even_bytes(self) -> None:
        message = parse_message("a str, not bytes")  # type: ignore[arg-type]  # the wrong type is the point
        assert isinstance(message, InboundMessage)
