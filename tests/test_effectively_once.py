"""Effectively-once sending on real Dovecot and aiosmtpd: every reply is copied to Sent, and a reply left
`sending` by a crash is reconciled against Sent by Message-ID before it could be sent twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mailbot.mailserver.sentfolder import SentFolder
from mailbot.runners.send import Outbox
from mailbot.store.models import OutboxMessage
from mailbot.testing.moments import WHEN

REQUEST = (b"From: Jo Bloggs <jo@example.org>\r\nTo: foi@council.example\r\nSubject: Budget\r\n"
           b"Message-ID: <once-1@example.org>\r\n\r\nPlease send the 2023 gritting budget.\r\n\r\n"
           b"Yours faithfully,\r\nJo Bloggs\r\n")


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the bot catches it."""


def rows(bot) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with bot.db.session() as session:
        return list(session.scalars(select(OutboxMessage)))


def test_every_reply_is_copied_to_sent(make_bot, dovecot, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    dovecot.append(REQUEST, WHEN)
    assert bot.cycle().send.sent == 1
    (sent,) = dovecot.list_messages("Sent")
    assert rows(bot)[0].message_id.encode() in sent[1]


def test_crash_after_the_server_accepted_is_reconciled_not_resent(make_bot, dovecot, smtp_sink,
                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    dovecot.append(REQUEST, WHEN)
    original = Outbox._record

    def die_before_recording_success(self, row_id, now, *, error, permanent):  # type: ignore[no-untyped-def]
        if error is None:
            raise Crash
        return original(self, row_id, now, error=error, permanent=permanent)

    with monkeypatch.context() as patch:
        patch.setattr(Outbox, "_record", die_before_recording_success)
        with pytest.raises(Crash):
            bot.cycle()
    assert len(smtp_sink.messages) == 1 and rows(bot)[0].status == "sending"
    stats = bot.cycle()  # the restart
    assert (stats.send.reconciled, stats.send.sent) == (1, 0)
    assert len(smtp_sink.messages) == 1 and rows(bot)[0].status == "sent"


def test_crash_before_the_server_saw_it_is_sent_once_after_restart(make_bot, dovecot, smtp_sink,
                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import aiosmtplib

    bot = make_bot()
    dovecot.append(REQUEST, WHEN)

    async def die(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(aiosmtplib.SMTP, "sendmail", die)
        with pytest.raises(Crash):
            bot.cycle()
    assert rows(bot)[0].status == "sending" and not smtp_sink.messages
    stats = bot.cycle()
    assert (stats.send.reconciled, stats.send.sent) == (0, 1)
    assert len(smtp_sink.messages) == 1 and rows(bot)[0].status == "sent"


def test_unreadable_sent_folder_means_wait_not_resend(make_bot, dovecot, smtp_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    dovecot.append(REQUEST, WHEN)
    bot.poll()
    bot.processor.run(bot.clock)
    with bot.db.session() as session:
        session.scalars(select(OutboxMessage)).one().status = "sending"  # as a crash would leave it
    monkeypatch.setattr(SentFolder, "contains", lambda self, message_id: None)
    stats = bot.outbox.send_pending(bot.clock)
    assert (stats.sent, stats.deferred) == (0, 1) and not smtp_sink.messages
    assert rows(bot)[0].status == "sending"
