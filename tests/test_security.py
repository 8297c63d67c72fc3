"""Hostile input cannot steer what we send: header injection through requester-controlled fields, sandbox escapes."""

from __future__ import annotations

import base64

import pytest
from jinja2.exceptions import SecurityError
from servers import DovecotAccount, SmtpSink

from mailbot.replies.templates import Templates
from mailbot.testing.bots import BotFactory
from mailbot.testing.moments import WHEN


def encoded(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def test_header_injection_through_display_name_subject_and_body_fails(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    # (No reference of ours in it: a new message naming a reference no case has goes to staff, unanswered.)
    evil_subject = encoded("Budget 2023\r\nBcc: victim@example.net\r\nX-Evil: 1")
    evil_name = encoded("Jo Bloggs\r\nBcc: victim2@example.net")
    raw = (f"From: {evil_name} <jo@example.org>\r\nTo: foi@council.example\r\nSubject: {evil_subject}\r\n"
           f"Message-ID: <inject-1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           f"Please send the 2023 gritting budget.\r\nBcc: victim3@example.net\r\n\r\n"
           f"Yours faithfully,\r\nJo Bloggs\r\n").encode()
    bot = make_bot()
    dovecot.append(raw, WHEN)
    assert bot.cycle().send.sent == 1
    (sent,) = smtp_sink.messages
    assert sent.rcpt_tos == ["jo@example.org"]
    assert sent.message["Bcc"] is None and sent.message["X-Evil"] is None
    header_lines = sent.raw.split(b"\r\n\r\n", 1)[0].decode().splitlines()
    assert not [line for line in header_lines if line.lower().startswith(("bcc:", "x-evil:"))]
    assert "\n" not in str(sent.message["Subject"])  # the hostile text is inert, on one line


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ organisation.__class__.__init__.__globals__ }}",
    "{% set x = [].append(1) %}{{ x }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
])
def test_templates_cannot_escape_the_sandbox(source: str) -> None:
    env = Templates().env
    with pytest.raises((SecurityError, Exception)) as caught:
        env.from_string(source).render(organisation="x")
    assert not isinstance(caught.value, AssertionError)
    assert isinstance(caught.value, SecurityError) or "undefined" in str(caught.value).lower()
