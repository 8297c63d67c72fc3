"""parse_message against real-world mail: the Alaveteli fixture corpus (see its MANIFEST.tsv).

Every file must parse without an exception, and the files the manifest singles out must yield the facts
later steps depend on (bounce recipients, decoded text, addresses). The corpus lives outside the repo:
MAILBOT_CORPUS_DIR, else <repo>/../shared/corpus/alaveteli. Without it these tests skip, unless
MAILBOT_REQUIRE_CORPUS=1 says a missing corpus is a failure (CI).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from mailbot.mail.message import InboundMessage
from mailbot.mail.parse import parse_message

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("MAILBOT_CORPUS_DIR") or REPO.parent / "shared" / "corpus" / "alaveteli")
FILES = sorted(p.name for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else []
LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

# The fixtures keep Alaveteli's placeholders; its test helpers substitute them, and so do we.
PLACEHOLDERS = {
    b"EMAIL_FROM": b"authority@council.example.gov.uk",
    b"EMAIL_TO": b"request-123-abc@foi.example.org",
    b"EMAIL_CC": b"cc@foi.example.org",
    b"EMAIL_BCC": b"bcc@foi.example.org",
    b"EMAIL_ENVELOPE_TO": b"envelope@foi.example.org",
}


def require_corpus() -> Path:
    if CORPUS.is_dir():
        return CORPUS
    message = f"corpus folder {CORPUS} not found (set MAILBOT_CORPUS_DIR)"
    if os.environ.get("MAILBOT_REQUIRE_CORPUS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def read(name: str, *, substitute: bool = False) -> bytes:
    raw = (require_corpus() / name).read_bytes()
    if substitute:
        for placeholder in sorted(PLACEHOLDERS, key=len, reverse=True):
            raw = raw.replace(placeholder, PLACEHOLDERS[placeholder])
    return raw


def parse(name: str, *, substitute: bool = False) -> InboundMessage:
    return parse_message(read(name, substitute=substitute))


def test_corpus_is_present() -> None:
    require_corpus()
    assert any(name.endswith(".eml") for name in FILES)


@pytest.mark.parametrize("name", FILES or ["<corpus missing>"])
def test_every_file_parses(name: str) -> None:
    message = parse_message(read(name))
    assert isinstance(message, InboundMessage)
    assert re.fullmatch(r"<[^<>\s]+>", message.message_id)
    message.text.encode("utf-8")  # no lone surrogates anywhere
    assert "\r" not in message.text
    assert not LINE_BREAKS.search(message.subject)
    assert all(not LINE_BREAKS.search(value) for _, value in message.headers)
    assert message.date is None or message.date.tzinfo is not None
    assert message.content_type == message.content_type.lower()


def test_every_manifest_entry_exists() -> None:
    manifest = (require_corpus() / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    listed = {line.split("\t", 1)[0] for line in manifest if line.strip()}
    assert listed <= set(FILES)


class TestBounces:
    def test_multipart_report_is_permanent(self) -> None:
        message = parse("track-response-multipart-report.eml")
        (status,) = message.delivery_status
        assert (status.recipient, status.status, status.action) == ("FailedUser@example.com", "5.2.2", "failed")
        assert status.permanent
        assert message.return_path == ""

    def test_utf7_dsn(self) -> None:
        message = parse("utf-7-conversion.eml")
        (status,) = message.delivery_status
        assert (status.recipient, status.status) == ("foi@b.com", "5.1.1")
        assert status.permanent
        assert "Delivery to the following recipients failed." in message.text

    def test_exchange_delay_is_temporary(self) -> None:
        message = parse("track-response-ms-bounce.eml")
        (status,) = message.delivery_status
        assert (status.recipient, status.status, status.action) == ("username@example.org.uk", "4.4.7", "delayed")
        assert not status.permanent

    def test_exim_failed_recipients(self) -> None:
        message = parse("track-response-exim-bounce.eml")
        assert [(s.recipient, s.permanent) for s in message.delivery_status] == [("user@example.com", True)]
        assert message.return_path == ""

    def test_exim_bounce_with_odd_mime_type(self) -> None:
        message = parse("humberside-police-odd-mime-type.eml")
        assert message.content_type == "multipart/mixed"
        assert [s.recipient for s in message.delivery_status] == ["clerk@humberside-pa.karoo.co.uk"]
        assert [a.content_type for a in message.attachments] == ["message/rfc822"]
        assert "request-5335-xxxxxxxx@whatdotheyknow.com" in message.cc

    def test_bare_delivery_status_block(self) -> None:
        """The fixture is a delivery-status body only; wrapped in a report it must read as a delay."""
        wrapped = (
            b'Content-Type: multipart/report; report-type=delivery-status; boundary="W"\n\n'
            b"--W\nContent-Type: message/delivery-status\n\n" + read("attachment.delivery_status") + b"\n--W--\n"
        )
        statuses = parse_message(wrapped).delivery_status
        assert [(s.recipient, s.status, s.action) for s in statuses] == [("foi@gov.example.com", "4.4.0", "delayed")]
        assert not statuses[0].permanent

    @pytest.mark.parametrize("name", ["empty-return-path.eml", "track-response-generic-oof.eml"])
    def test_null_return_path(self, name: str) -> None:
        assert parse(name).return_path == ""

    def test_autoreply_is_not_a_bounce(self) -> None:
        message = parse("track-response-outlook-oof.eml")
        assert message.delivery_status == ()
        assert message.return_path == "peter@kentadvice.co.uk"


class TestText:
    def test_html_only_with_missing_final_boundary(self) -> None:
        message = parse("multipart-no-final-boundary.eml")
        assert message.has_html
        assert "This is an acknowledgement of your email" in message.text
        assert "<" not in message.text

    def test_html_only_inside_multipart_signed(self) -> None:
        message = parse("utf-7-subject.eml")
        assert message.has_html and "Athena" in message.text
        assert [a.filename for a in message.attachments] == ["smime.p7s"]

    def test_mislabelled_iso_8859_1_en_dash(self) -> None:
        assert "THERE'S A DASH NEXT \u2013 REQUEST FOR INFORMATION" in parse("mislabelled-as-iso-8859-1.eml").text

    def test_iso_8859_1_nbsp(self) -> None:
        message = parse("iso8859_1_with_extended_character_set.eml", substitute=True)
        assert message.text == "Information Governance\xa0Unit\n"

    def test_gb18030_body_without_charset(self) -> None:
        message = parse("no-part-charset-bad-utf8.eml")
        assert message.subject == "任乐松"
        assert message.display_name == "温Jian Bing"
        assert "本公司" in message.text

    def test_random_bytes_without_charset(self) -> None:
        message = parse("no-part-charset-random-data.eml")
        assert message.text and message.sender == "xxxx@yahoo.cn"

    def test_utf8_curly_quotes_and_dash(self) -> None:
        assert "In the financial year 2010–2011" in parse("raw_email_2.eml").text
        assert "Dear “Bob”," in parse("raw_email_2.eml").text

    def test_crlf_normalised(self) -> None:
        message = parse("dos-linebreaks.eml")
        assert "\r" not in message.text
        assert message.text.startswith("Thank you for your Freedom of Information request.")

    def test_plain_preferred_over_html(self) -> None:
        message = parse("track-response-exchange-oof-1.eml")
        assert message.has_html
        assert message.text.startswith("I am out of the office")

    def test_empty_8bit_body(self) -> None:
        message = parse("empty-8bit.eml", substitute=True)
        assert message.text == ""
        assert message.subject == "Re: Freedom of Information Request"

    def test_headerless_fragment(self) -> None:
        message = parse("multipart-unicode-unix-endings.eml")
        assert message.content_type == "multipart/alternative"
        assert "…" in message.text


class TestHeaders:
    def test_broken_from_and_return_path(self) -> None:
        message = parse("dos-linebreaks.eml")
        assert (message.sender, message.display_name) == ("email@example.com", "A Person")
        assert message.return_path == "email@example.com"

    def test_unbalanced_to_and_cc(self) -> None:
        message = parse("malformed-to-and-cc.eml")
        assert message.to == ("bar@example.org",)
        assert message.cc == ("baz@example.org",)
        assert message.header("to") == "<bar@example.org"

    def test_unquoted_display_names_folded(self) -> None:
        message = parse("multiple-unquoted-display-names.eml")
        assert message.to == ("request-66666-caa77777@whatdotheyknow.com", "foi@example.com")
        assert message.subject == "RE: Freedom of Information request - Participation in the IPCC Assessment Process"

    @pytest.mark.parametrize(
        ("name", "subject"),
        [
            ("subject-bad-utf-8-trailing-base64.eml", "hello\ufffd"),
            ("subject-bad-utf-8-trailing-quoted-printable.eml", "hello\ufffd"),
            ("russian.eml", "Re: Ваш сайт"),
            ("utf-7-subject.eml", "Vaše emailová zpráva byla převzata"),
            ("unrecognized-encoding-mail.eml", "向先生致sryuoyws(AD)"),
            (
                "iso8859_2_raw_email.eml",
                "RE: Freedom of Information request - Sasia e pulave të importuara gjatë vitit 2010",
            ),
            ("quoted-subject-iso8859-1.eml", "Câmara Responde:  Banco de ideias"),
        ],
    )
    def test_encoded_subjects(self, name: str, subject: str) -> None:
        assert parse(name, substitute=True).subject == subject

    def test_encoded_display_name(self) -> None:
        message = parse("quoted-subject-iso8859-1.eml", substitute=True)
        assert message.display_name == "Coordenação de Relacionamento, Pesquisa e Informação/CEDI"
        assert message.sender == "geraldinequango@localhost"

    def test_placeholders_substituted(self) -> None:
        message = parse("incoming-request-plain.eml", substitute=True)
        assert message.sender == "authority@council.example.gov.uk"
        assert message.to == ("request-123-abc@foi.example.org",)
        assert message.cc == ("cc@foi.example.org",)
        assert message.in_reply_to == ("<471f1eae5d1cb_7347..fdbe67386163@cat.tmail>",)

    def test_reply_to_and_threading(self) -> None:
        message = parse("russian.eml")
        assert message.reply_to == ("xx@xx.com",)
        assert message.references == ("<558bb6f371205_72da364cd0c4353@titan.mail>",)
        assert message.date is not None and message.date.isoformat() == "2015-06-25T09:15:00+01:00"

    def test_missing_message_id_is_stable(self) -> None:
        first, second = parse("raw_email_1.eml"), parse("raw_email_1.eml")
        assert first.message_id == second.message_id
        assert first.message_id.endswith("@mailbot.invalid>")

    def test_mbox_from_line_is_not_a_header(self) -> None:
        message = parse("document-pdf.eml")
        assert message.headers[0] == ("return-path", "<authority@example.org>")
        assert message.sender == "authority@example.org"


class TestAttachments:
    def test_pdf(self) -> None:
        message = parse("document-pdf.eml")
        assert [(a.filename, a.content_type) for a in message.attachments] == [("tiny-example.pdf", "application/pdf")]
        assert message.attachments[0].size > 1000

    def test_no_body_only_attachment(self) -> None:
        message = parse("no-body.eml")
        assert message.text == ""
        assert [a.filename for a in message.attachments] == ["test.xlsx"]

    def test_two_with_same_name(self) -> None:
        attachments = parse("incoming-request-two-same-name.eml", substitute=True).attachments
        assert [(a.filename, a.size) for a in attachments] == [("hello-world.txt", 13), ("hello-world.txt", 12)]

    def test_tnef_kept_opaque(self) -> None:
        message = parse("tnef-attachment-empty.eml")
        assert [(a.filename, a.content_type, a.size) for a in message.attachments] == [
            ("winmail.dat", "application/ms-tnef", 7769)
        ]

    def test_tnef_only_message(self) -> None:
        message = parse("incoming-request-tnef-only.eml")
        assert message.content_type == "application/ms-tnef"
        assert message.text == ""
        assert [a.filename for a in message.attachments] == ["winmail.dat"]

    def test_truncated_tnef(self) -> None:
        message = parse("tnef-attachment-truncated.eml")
        assert message.text.startswith("Some introductory text here")
        assert [a.content_type for a in message.attachments] == ["application/ms-tnef"]

    def test_forwarded_rfc822(self) -> None:
        message = parse("rfc822-attachment.eml")
        assert message.subject == ""
        assert [a.content_type for a in message.attachments] == ["message/rfc822"]
        assert "Freedom of Information request" in message.text

    def test_inline_uuencode(self) -> None:
        message = parse("inline-uuencode.eml")
        assert [(a.filename, a.content_type) for a in message.attachments] == [
            ("ResponseT7363 9.doc", "application/msword")
        ]
        assert "begin 666" not in message.text
        assert "The original of this email was scanned" in message.text

    def test_boundary_on_folded_line(self) -> None:
        message = parse("space-boundary.eml")
        assert message.text.strip() == "Apologies. Herewith."
        assert [a.filename for a in message.attachments] == ["Mr Gradwick.pdf"]

    def test_non_utf8_filename(self) -> None:
        names = [a.filename for a in parse("non-utf8-filename.eml").attachments]
        assert names == ["RV %A312000 or more.xls", "other.xls"]


def test_message_id_of_agrees_with_parse_message_on_every_corpus_file() -> None:
    from mailbot.mail.parse import message_id_of

    for path in sorted(p for p in require_corpus().iterdir() if p.is_file()):
        raw = path.read_bytes()
        assert message_id_of(raw) == parse_message(raw).message_id, path.name
