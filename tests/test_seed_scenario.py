"""The project's acceptance case: the Cleveland Police exchange, played through real Dovecot, aiosmtpd and
SQLite/PostgreSQL, step by step as `mailbot/demo/data/seed-cleveland/scenario.json` prescribes (and its variant).
That package copy is the only one in the repository: the demo ships it, the tests read it."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from servers import DovecotAccount, SmtpSink
from sqlalchemy import func, select

from mailbot.service import Bot
from mailbot.store.models import Case, Decision, InboundMessage, OutboxMessage
from mailbot.testing.bots import BotFactory
from mailbot.testing.scenarios import SEED

SCENARIO_DIR = SEED
SCENARIO = json.loads((SCENARIO_DIR / "scenario.json").read_text())

UPSTREAM = Path(__file__).resolve().parents[2] / "shared" / "scenarios" / "seed-cleveland"


def test_the_seed_is_the_upstream_scenario_unchanged() -> None:
    """The package copy came from ../shared/scenarios (when that checkout is beside the repository): a change
    there must reach the demo and the tests, and a local edit must not drift from it unnoticed."""
    if not UPSTREAM.is_dir():
        pytest.skip(f"no upstream scenario at {UPSTREAM}")
    names = sorted(p.name for p in SEED.iterdir())
    assert names == sorted(p.name for p in UPSTREAM.iterdir())
    for name in names:
        assert (SEED / name).read_bytes() == (UPSTREAM / name).read_bytes(), name


def seed_settings() -> dict:
    extra = SCENARIO["settings"]
    return {
        "mailbox": {"address": SCENARIO["mailbox"], "organisation": extra["organisation"]},
        "references": {"format": extra["enquiry_reference_format"], "next": extra["enquiry_reference_next"]},
    }


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, "every reply has a text part"
    return part.get_content()


def check_reply(got: EmailMessage, rcpt_tos: list[str], expected: dict) -> None:
    assert rcpt_tos == [expected["to"]]
    assert got["To"] == expected["to"]
    assert got["In-Reply-To"] == expected["in_reply_to"]
    assert expected["in_reply_to"] in (got["References"] or "")
    for name, value in expected.get("headers", {}).items():
        assert got[name] == value, name
    body = text_of(got)
    for pattern in expected.get("body_matches", []):
        assert re.search(pattern, body), f"{pattern!r} not in reply:\n{body}"
    for pattern in expected.get("body_must_not_match", []):
        assert not re.search(pattern, body), f"{pattern!r} must not be in reply:\n{body}"
    # Every reply marks itself so that robots do not answer it (but not as bulk mail), and never repeats "Re:".
    assert got["X-Loop"] and got["Auto-Submitted"] == "auto-replied" and got["Message-ID"]
    assert got["Precedence"] is None, "a personal reply marked bulk goes to a Promotions folder"
    assert not got["Subject"].lower().startswith("re: re:")


def check_state(bot: Bot, expected: dict) -> None:
    with bot.db.session() as session:
        if "requests_awaiting_name" in expected:
            held = session.scalars(select(Case).where(Case.status == "held")).all()
            assert sum("name" in c.missing for c in held) == expected["requests_awaiting_name"]
        if "enquiries" in expected:
            count = session.scalar(select(func.count()).select_from(Case).where(Case.reference.is_not(None)))
            assert count == expected["enquiries"]
        if "enquiry" in expected:
            want = expected["enquiry"]
            case = session.scalars(select(Case).where(Case.reference == want["reference"])).one()
            assert case.applicant_name == want["applicant_name"]
            assert case.received.isoformat() == want["received"]
            assert case.due.isoformat() == want["due"]
            assert "Thursday 2 June 2022" in case.due_why and "Friday 3 June 2022" in case.due_why
            assert case.calendar.startswith("holidays ")


def deliver_and_poll(bot: Bot, dovecot: DovecotAccount, smtp_sink: SmtpSink, raw: bytes, internaldate: str) -> list:
    before = len(smtp_sink.messages)
    dovecot.append(raw, datetime.fromisoformat(internaldate))
    stats = bot.cycle()
    assert stats.imap_error is None
    assert stats.ingest.stored == 1 and stats.process.decided == 1
    return smtp_sink.messages[before:]


def play(bot: Bot, dovecot: DovecotAccount, smtp_sink: SmtpSink, steps: list[dict], raws: list[bytes]) -> list:
    sent_per_step = []
    for step, raw in zip(steps, raws, strict=True):
        sent = deliver_and_poll(bot, dovecot, smtp_sink, raw, step["internaldate"])
        assert len(sent) == len(step["expect_replies"]), step["why"]
        for got, expected in zip(sent, step["expect_replies"], strict=True):
            check_reply(got.message, got.rcpt_tos, expected)
        check_state(bot, step["expect_state"])
        sent_per_step.append(sent)
    return sent_per_step


def test_seed_exchange(make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot(seed_settings())
    raws = [(SCENARIO_DIR / s["deliver"]).read_bytes() for s in SCENARIO["steps"]]
    sent = play(bot, dovecot, smtp_sink, SCENARIO["steps"], raws)
    notice, ack, review = (step[0].message for step in sent)
    assert "[Enquiry Ref: 13931/2022]" in ack["Subject"] and ack["Subject"].startswith("Re: ")
    assert "13931/2022" not in notice["Subject"]
    assert "13931/2022" in review["Subject"]
    with bot.db.session() as session:
        # Every inbound message was moved out of the inbox, has one decision, and at most one reply.
        assert session.scalar(select(func.count()).select_from(Decision)) == 3
        assert session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.status == "sent")) == 3
        assert all(row.moved and row.status == "processed" for row in session.scalars(select(InboundMessage)))
        case = session.scalars(select(Case)).one()
        assert [r.due.isoformat() for r in case.reviews] == ["2022-07-19"]
        # The audit trail keeps the reasons staff read.
        reasons = [r for d in case.decisions for r in d.reasons]
        assert any("s8(1)(b)" in r for r in reasons) and any("13931/2022" in r for r in reasons)
    assert dovecot.list_messages("INBOX") == []
    assert len(dovecot.list_messages("Processed")) == 3
    # A second poll finds nothing and sends nothing again.
    again = bot.cycle()
    assert (again.ingest.fetched, again.process.decided, again.send.sent) == (0, 0, 0)
    assert len(smtp_sink.messages) == 3


def test_seed_variant_in_reply_to_from_a_personal_address(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    """scenario.json's variant: step 2 names our notice in In-Reply-To and comes from a plain personal address."""
    bot = make_bot(seed_settings())
    steps = SCENARIO["steps"]
    first = play(bot, dovecot, smtp_sink, steps[:1], [(SCENARIO_DIR / steps[0]["deliver"]).read_bytes()])
    notice_id = first[0][0].message["Message-ID"]
    original = email.message_from_bytes((SCENARIO_DIR / steps[1]["deliver"]).read_bytes(), policy=email.policy.default)
    personal = "fred.wright@example.com"
    original.replace_header("From", f"Fred <{personal}>")
    original.replace_header("Subject", "Re: your email")  # nothing but the Message-ID chain links it
    original.replace_header("Message-ID", "<variant-2@example.com>")
    original["In-Reply-To"] = notice_id
    original["References"] = f"{steps[0]['expect_replies'][0]['in_reply_to']} {notice_id}"
    step2 = json.loads(json.dumps(steps[1]))
    step2["expect_replies"][0].update(to=personal, in_reply_to="<variant-2@example.com>")
    play(bot, dovecot, smtp_sink, [step2], [original.as_bytes()])
    play(bot, dovecot, smtp_sink, steps[2:], [(SCENARIO_DIR / steps[2]["deliver"]).read_bytes()])
    with bot.db.session() as session:
        decision = session.scalars(select(Decision).join(InboundMessage)
                                   .where(InboundMessage.message_id == "<variant-2@example.com>")).one()
        assert decision.facts["thread_signal"] == "message-id"


def test_clarification_reply_restarts_the_clock(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    from mailbot.store.casework import record_event

    bot = make_bot(seed_settings())
    steps = SCENARIO["steps"]
    play(bot, dovecot, smtp_sink, steps[:2], [(SCENARIO_DIR / s["deliver"]).read_bytes() for s in steps[:2]])
    with bot.db.session() as session:
        case = session.scalars(select(Case)).one()
        waiting = record_event(session, case, "clarification_asked", datetime(2022, 5, 16).date(),
                               bot.settings.clock_policy(), source="staff")
        assert waiting.due is None and waiting.state == "awaiting_clarification"
    reply = (b"From: Fred Wright <request-860112-3f1a2b9c@whatdotheyknow.com>\r\n"
             b"To: inforights@police.example.uk\r\nSubject: Re: Facial recognition [Enquiry Ref: 13931/2022]\r\n"
             b"Message-ID: <clarify-1@whatdotheyknow.com>\r\n\r\nI mean live facial recognition only.\r\n\r\n"
             b"Fred Wright\r\n")
    sent = deliver_and_poll(bot, dovecot, smtp_sink, reply, "2022-05-20T10:00:00+01:00")
    assert len(sent) == 1 and "13931/2022" in sent[0].message["Subject"]
    with bot.db.session() as session:
        case = session.scalars(select(Case)).one()
        assert case.received.isoformat() == "2022-05-20" and case.due.isoformat() == "2022-06-21"
        assert "when the clarification arrived" in case.due_why


def test_a_bounce_of_our_reply_is_linked_to_its_enquiry_and_not_answered(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot(seed_settings())
    steps = SCENARIO["steps"]
    sent = play(bot, dovecot, smtp_sink, steps[:2], [(SCENARIO_DIR / s["deliver"]).read_bytes() for s in steps[:2]])
    ack = sent[1][0]
    dsn = (b"From: Mail Delivery System <MAILER-DAEMON@mx.whatdotheyknow.com>\r\n"
           b"To: inforights@police.example.uk\r\nSubject: Undelivered Mail Returned to Sender\r\n"
           b"Message-ID: <dsn-77@mx.whatdotheyknow.com>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
           b"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
           b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
           b"Final-Recipient: rfc822; request-860112-3f1a2b9c@whatdotheyknow.com\r\nAction: failed\r\n"
           b"Status: 5.1.1\r\n\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n" + ack.raw.split(b"\r\n\r\n")[0]
           + b"\r\n\r\n--B--\r\n")
    assert deliver_and_poll(bot, dovecot, smtp_sink, dsn, "2022-05-12T09:05:00+01:00") == []
    with bot.db.session() as session:
        decision = session.scalars(select(Decision).join(InboundMessage)
                                   .where(InboundMessage.message_id == "<dsn-77@mx.whatdotheyknow.com>")).one()
        assert (decision.kind, decision.action) == ("bounce", "none")
        assert decision.case.reference == "13931/2022"
        assert decision.facts["failed_recipients"] == ["request-860112-3f1a2b9c@whatdotheyknow.com"]
