"""Loops and floods on real servers: a naive auto-responder cannot keep the bot talking, and one sender's flood
hits the daily cap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from servers import DovecotAccount, DovecotServer, SmtpSink
from sqlalchemy import select

from mailbot.store.models import Decision
from mailbot.testing.bots import BotFactory
from mailbot.testing.moments import WHEN


# What the responder says decides how soon the bot stops: words that only acknowledge receipt are recognised and
# never answered (acknowledges-receipt); words that are not still get at most one receipt, after which the reply to
# our receipt is never answered (answers-our-receipt) and the daily cap stands behind both.
@pytest.mark.parametrize(("words", "replies", "follow_ups"), [
    ("Thank you for your email. We have received it and will look at it soon.", 1, 0),
    ("Your message matters to us. Our opening hours are 9 to 5.", 2, 1),
])
def test_the_bot_and_an_auto_responder_stop_after_one_reply_from_the_bot(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, words: str, replies: int,
        follow_ups: int) -> None:
    bot = make_bot()
    responder = "helpdesk@elsewhere.example"
    dovecot.append((f"From: Rob Otto <{responder}>\r\nTo: foi@council.example\r\nSubject: Budget\r\n"
                    f"Message-ID: <start@elsewhere.example>\r\n\r\nPlease send the 2023 budget.\r\n\r\n"
                    f"Yours faithfully,\r\nRob Otto\r\n").encode(), WHEN)
    bot.cycle()
    assert len(smtp_sink.messages) == 1  # the acknowledgement of a real request
    answered = 0
    for round_ in range(6):
        new = smtp_sink.messages[answered:]
        answered = len(smtp_sink.messages)
        for sent in new:  # the responder answers everything, with none of the headers robots should send
            dovecot.append((f"From: Helpdesk <{responder}>\r\nTo: foi@council.example\r\n"
                            f"Subject: Re: {sent.message['Subject']}\r\nMessage-ID: <auto-{round_}@elsewhere.example>\r\n"
                            f"In-Reply-To: {sent.message['Message-ID']}\r\n\r\n{words}\r\n\r\nHelpdesk Team\r\n").encode(),
                           WHEN + timedelta(minutes=round_ + 1))
        bot.cycle()
    to_responder = [m for m in smtp_sink.messages if m.rcpt_tos == [responder]]
    assert len(to_responder) == replies  # the acknowledgement, then at most one reply into the loop
    with bot.db.session() as session:
        actions = [d.action for d in session.scalars(select(Decision).order_by(Decision.id))]
    assert actions[-1] == "none" and actions.count("acknowledge_follow_up") == follow_ups


def test_fifty_requests_in_a_minute_hit_the_daily_cap(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot({"rules": {"daily_reply_cap": 10}, "staff": {"recipients": ["ir-team@council.example"]}})
    for n in range(50):
        dovecot.append((f"From: Jo Bloggs <jo@example.org>\r\nTo: foi@council.example\r\nSubject: Question {n}\r\n"
                        f"Message-ID: <flood-{n}@example.org>\r\n\r\nPlease send the 2023 budget for item {n}.\r\n\r\n"
                        f"Yours faithfully,\r\nJo Bloggs\r\n").encode(), WHEN + timedelta(seconds=n))
    stats = bot.cycle()
    assert stats.process.decided == 50
    assert len([m for m in smtp_sink.messages if m.rcpt_tos == ["jo@example.org"]]) == 10
    with bot.db.session() as session:
        chains = [d.facts.get("chain") for d in session.scalars(select(Decision))]
    assert chains.count("daily-cap") == 40
    told = [m for m in smtp_sink.messages if m.rcpt_tos == ["ir-team@council.example"]]
    assert len(told) == 1 and "jo@example.org" in told[0].message["Subject"]  # staff are told once


ROBOT_HEADERS = ("Auto-Submitted", "Precedence", "X-Auto-Response-Suppress", "X-Loop")


def _relay(raw: bytes, strip: bool) -> bytes:
    """What reaches the other mailbox: unchanged, or through a gateway or CRM that drops the robot headers."""
    if not strip:
        return raw
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n")
             if not any(line.lower().startswith(name.lower().encode() + b":") for name in ROBOT_HEADERS)]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@pytest.mark.parametrize("strip_robot_headers", [False, True], ids=["headers-kept", "headers-stripped"])
def test_two_bots_acknowledging_each_other_send_one_automatic_reply_each(
        make_bot: BotFactory, dovecot: DovecotAccount, dovecot_server: DovecotServer,
        smtp_sink_factory: Callable[..., SmtpSink], tmp_path: Path, strip_robot_headers: bool) -> None:
    """Two authorities' mailboxes, each run by mailbot, each receiving a request written from the other's mailbox:
    each acknowledges once, and neither answers the other's acknowledgement — by its headers, or by its words when
    a gateway has removed the headers."""
    ours, theirs = "foi@council.example", "foi@otherforce.example"
    sink_a, sink_b = smtp_sink_factory(), smtp_sink_factory()
    bot_a = make_bot(smtp=sink_a)
    account_b = dovecot_server.add_user(f"other-{tmp_path.name[-12:]}@police.example.uk")
    factory_b = BotFactory(account_b, sink_b, f"sqlite:///{tmp_path}/other.db")
    try:
        bot_b = factory_b({"mailbox": {"address": theirs, "organisation": "Other Force"}})
        for sender, to, account, n in ((theirs, ours, dovecot, 1), (ours, theirs, account_b, 2)):
            raw = (f"From: Information Rights <{sender}>\r\nTo: {to}\r\nSubject: Shared services {n}\r\n"
                   f"Message-ID: <start-{n}@example.uk>\r\n\r\nPlease send the shared services agreement for "
                   f"2023.\r\n\r\nYours faithfully,\r\nSam Patel\r\n").encode()
            account.append(raw, WHEN)
        bot_a.cycle()
        bot_b.cycle()
        relayed = {"a": 0, "b": 0}
        for round_ in range(5):  # carry each bot's outgoing mail to the other's inbox, then let both run
            for key, sink, target, account in (("a", sink_a, theirs, account_b), ("b", sink_b, ours, dovecot)):
                for sent in [m for m in sink.messages if m.rcpt_tos == [target]][relayed[key]:]:
                    account.append(_relay(sent.raw, strip_robot_headers), WHEN + timedelta(minutes=round_ + 1))
                    relayed[key] += 1
            bot_a.cycle()
            bot_b.cycle()
        assert len([m for m in sink_a.messages if m.rcpt_tos == [theirs]]) == 1
        assert len([m for m in sink_b.messages if m.rcpt_tos == [ours]]) == 1
        for bot in (bot_a, bot_b):
            with bot.db.session() as session:
                decisions = list(session.scalars(select(Decision).order_by(Decision.id)))
            assert [d.action for d in decisions] == ["acknowledge", "none"]  # the request, then the other's receipt
            # Stopped by its headers, or by its words (on a case, when the other's reference happens to be one of ours)
            stopped_by = {"receipt-acknowledgement", "receipt-on-our-case"} if strip_robot_headers else {"auto-submitted", "auto-reply"}
            assert decisions[1].facts.get("chain") in stopped_by
    finally:
        factory_b.close()
