"""Bad input never escapes as an exception: generated and mutated mail through parse and judge, and the
monsters (a 25 MB attachment, deeply nested MIME, thousands of recipients). Memory is measured by
benchmarks/bench_memory.py, not asserted here."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.judging.judge import judge
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.values import Action, Kind
from mailbot.mail.parse import parse_message
from mailbot.testing.scenarios import SEED

SETTINGS = JudgeSettings(mailbox="foi@council.example", loop_token="mailbot foi@council.example")
CORPUS = Path(os.environ.get("MAILBOT_CORPUS_DIR", Path(__file__).resolve().parents[2] / "shared/corpus/alaveteli"))
SAMPLES = sorted(CORPUS.glob("*.eml")) if CORPUS.is_dir() else []
SAMPLES += sorted(SEED.glob("*.eml"))


def check(raw: bytes) -> None:
    from mailbot.mail.parse import message_id_of

    message = parse_message(raw)
    assert message_id_of(raw) == message.message_id  # ingest's cheap id is the decision step's id
    decision = judge(message, None, SETTINGS)
    assert decision.kind in list(Kind) and decision.action in list(Action)
    assert decision.reasons


header_names = st.sampled_from(["From", "To", "Cc", "Reply-To", "Subject", "Message-ID", "In-Reply-To",
                                "References", "Auto-Submitted", "Precedence", "Content-Type", "List-Id",
                                "Return-Path", "Content-Transfer-Encoding", "X-Loop", "Date"])
header_values = st.text(max_size=120) | st.sampled_from([
    "multipart/mixed; boundary=x", "multipart/report; report-type=delivery-status; boundary=b", "text/html",
    "=?utf-8?b?SGVsbG8=?=", "=?x-unknown?q?=FF?=", "<>", "auto-replied", "no", "bulk", "base64",
    "quoted-printable", "Fred <fred@example.org>", "\"WRIGHT, Fred\" <a@b>", "<a@b", "a@b>"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(header_names, header_values), max_size=12), st.binary(max_size=2000))
def test_generated_messages(headers: list[tuple[str, str]], body: bytes) -> None:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8", "surrogatepass")
    check(head + b"\r\n" + body)


@pytest.mark.skipif(not SAMPLES, reason="no samples")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=20),
       st.integers(0, 10**6), st.booleans())
def test_mutated_real_messages(path: Path, flips: list[tuple[int, int]], cut: int, double: bool) -> None:
    raw = bytearray(path.read_bytes())
    for position, value in flips:
        raw[position % len(raw)] = value
    data = bytes(raw[: max(1, cut % (len(raw) + 1))])
    if double:
        data = data + data[len(data) // 2 :]
    check(data)


def test_a_25_mb_attachment() -> None:
    payload = base64.encodebytes(os.urandom(25 * 1024 * 1024))
    raw = (b"From: Jo Bloggs <jo@example.org>\r\nTo: foi@council.example\r\nSubject: Evidence\r\n"
           b"Message-ID: <big@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
           b"--B\r\nContent-Type: text/plain\r\n\r\nPlease send the 2023 budget.\r\n\r\nYours faithfully,\r\nJo Bloggs\r\n"
           b"--B\r\nContent-Type: application/pdf; name=big.pdf\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename=big.pdf\r\n\r\n" + payload + b"--B--\r\n")
    message = parse_message(raw)
    assert message.attachments[0].filename == "big.pdf"
    assert message.attachments[0].size >= 25 * 1024 * 1024
    assert judge(message, None, SETTINGS).action == "acknowledge"


def test_deeply_nested_mime() -> None:
    depth = 5000
    head = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth))
    raw = b"From: jo@example.org\r\nSubject: nest\r\nMessage-ID: <nest@example.org>\r\n" + head + b"text\r\n"
    check(raw)


def test_thousands_of_recipients() -> None:
    recipients = ", ".join(f"person{i}@example.org" for i in range(5000))
    raw = (f"From: Jo Bloggs <jo@example.org>\r\nTo: {recipients}\r\nCc: {recipients}\r\nSubject: Budget\r\n"
           f"Message-ID: <many@example.org>\r\n\r\nPlease send the 2023 budget.\r\n\r\nYours faithfully,\r\nJo Bloggs\r\n")
    message = parse_message(raw.encode())
    assert len(message.to) == 5000
    decision = judge(message, None, SETTINGS)
    assert decision.action == "acknowledge" and decision.address == "jo@example.org"
