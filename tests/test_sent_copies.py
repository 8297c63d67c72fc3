"""Every sent reply ends up in the Sent folder (real Dovecot, aiosmtpd, SQLite and PostgreSQL): copied in
MULTIAPPEND batches after the replies are recorded as sent, flagged `in_sent`, and copied by a later run when this
one could not — without a second copy, and without sending anything again."""

from __future__ import annotations

import imaplib
import re

from imapclient import IMAPClient
from sqlalchemy import select, update

from mailbot.mailserver.imap import ImapConnection
from mailbot.mailserver.sentfolder import Filed, SentFolder
from mailbot.store.models import OutboxMessage
from mailbot.testing import messages
from mailbot.testing.moments import WHEN


def request(n: int) -> bytes:
    return messages.request(n, tag="copy")


def rows(bot) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with bot.db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def sent_ids(dovecot) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for _uid, raw in dovecot.list_messages("Sent"):
        match = re.search(rb"^Message-ID: (\S+)", raw, re.MULTILINE | re.IGNORECASE)
        assert match is not None
        found.append(match.group(1).decode())
    return sorted(found)


def assert_each_reply_in_sent_once(bot, dovecot) -> None:  # type: ignore[no-untyped-def]
    """Every reply has exactly one copy in Sent, and the outbox knows it is there."""
    assert sent_ids(dovecot) == sorted(row.message_id for row in rows(bot))
    assert all(row.in_sent for row in rows(bot))


def deliver(dovecot, count: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(count):
        dovecot.append(request(n), WHEN)


def test_copies_go_in_one_multiappend_and_are_flagged(make_bot, dovecot, smtp_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    deliver(dovecot, 5)
    calls: list[int] = []
    original = IMAPClient.multiappend

    def counting(self, folder, msgs):  # type: ignore[no-untyped-def]
        calls.append(len(msgs))
        return original(self, folder, msgs)

    monkeypatch.setattr(IMAPClient, "multiappend", counting)
    assert bot.cycle().send.sent == 5
    assert calls == [5]
    assert sent_ids(dovecot) == sorted(row.message_id for row in rows(bot))
    assert all(row.status == "sent" and row.in_sent for row in rows(bot))
    copies = dict(dovecot.list_messages("Sent"))
    assert sorted(copies.values()) == sorted(row.raw.replace(b"\n", b"\r\n") for row in rows(bot))


def test_copies_that_could_not_be_made_are_made_by_the_next_run_and_nothing_is_resent(
        make_bot, dovecot, smtp_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    deliver(dovecot, 3)
    with monkeypatch.context() as patch:
        patch.setattr(SentFolder, "append_many", lambda self, copies: Filed([], reachable=False))
        assert bot.cycle().send.sent == 3
    assert all(row.status == "sent" and not row.in_sent for row in rows(bot)) and sent_ids(dovecot) == []
    stats = bot.cycle()
    assert (stats.send.sent, stats.send.reconciled) == (0, 0) and len(smtp_sink.messages) == 3
    assert_each_reply_in_sent_once(bot, dovecot)


def test_a_copy_made_just_before_a_crash_is_not_made_twice(make_bot, dovecot, smtp_sink) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot()
    deliver(dovecot, 2)
    bot.cycle()
    with bot.db.session() as session:  # as a crash between the APPEND and its flag would leave them
        session.execute(update(OutboxMessage).values(in_sent=False))
    bot.outbox.send_pending(bot.clock)
    assert_each_reply_in_sent_once(bot, dovecot)


def test_without_multiappend_each_copy_is_appended_on_its_own(make_bot, dovecot, smtp_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    original = ImapConnection.__init__

    def without_multiappend(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        self.capabilities.discard("MULTIAPPEND")

    def refuse(self, folder, msgs):  # type: ignore[no-untyped-def]
        raise AssertionError("MULTIAPPEND used without the capability")

    monkeypatch.setattr(ImapConnection, "__init__", without_multiappend)
    monkeypatch.setattr(IMAPClient, "multiappend", refuse)
    bot = make_bot()
    deliver(dovecot, 3)
    assert bot.cycle().send.sent == 3
    assert_each_reply_in_sent_once(bot, dovecot)


def test_a_refused_batch_is_copied_one_by_one(make_bot, dovecot, smtp_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(self, folder, msgs):  # type: ignore[no-untyped-def]
        raise imaplib.IMAP4.error("APPEND command error: BAD [b'too many']")

    monkeypatch.setattr(IMAPClient, "multiappend", refuse)
    bot = make_bot()
    deliver(dovecot, 3)
    assert bot.cycle().send.sent == 3
    assert_each_reply_in_sent_once(bot, dovecot)


def test_an_unreachable_sent_folder_is_tried_once_per_run_and_sending_carries_on(
        make_bot, dovecot, smtp_sink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import mailbot.runners.send as outbox_module
    import mailbot.runners.sent_copies as copies_module

    monkeypatch.setattr(outbox_module, "CLAIM_BATCH", 2)
    monkeypatch.setattr(copies_module, "MULTIAPPEND_MESSAGES", 2)  # a batch of copies after every two sends
    attempts: list[int] = []

    def down(self, folder, msgs):  # type: ignore[no-untyped-def]
        attempts.append(len(msgs))
        raise ConnectionResetError("Sent went away")

    monkeypatch.setattr(IMAPClient, "multiappend", down)
    bot = make_bot()
    deliver(dovecot, 5)
    assert bot.cycle().send.sent == 5 and len(smtp_sink.messages) == 5
    assert attempts == [2]  # the first failure stops the copies for this run; the next run makes them
    assert all(row.status == "sent" and not row.in_sent for row in rows(bot))
    monkeypatch.undo()
    bot.cycle()
    assert sent_ids(dovecot) == sorted(row.message_id for row in rows(bot)) and len(smtp_sink.messages) == 5
