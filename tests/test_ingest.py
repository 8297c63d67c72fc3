"""Ingest on a real Dovecot: store-then-move, crashes in between, UIDVALIDITY changes, duplicates, batches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from servers import DovecotAccount, SmtpSink
from sqlalchemy import func, select

from mailbot.mailserver.imap import ImapConnection
from mailbot.service import Bot
from mailbot.store.models import Decision, FolderState, InboundMessage
from mailbot.testing.bots import BotFactory
from mailbot.testing.messages import request
from mailbot.testing.moments import LATE_EVENING


def count(bot: Bot, model: type) -> int:
    with bot.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_receipt_date_is_internaldate_in_london(make_bot: BotFactory, dovecot: DovecotAccount) -> None:
    bot = make_bot()
    dovecot.append(request(1), LATE_EVENING)  # 23:50 UTC on 4 March = 23:50 GMT: still 4 March
    dovecot.append(request(2), datetime(2024, 6, 4, 23, 50, tzinfo=UTC))  # 00:50 BST on 5 June
    bot.cycle()
    with bot.db.session() as session:
        dates = [r.received_date.isoformat() for r in session.scalars(select(InboundMessage).order_by(InboundMessage.uid))]
    assert dates == ["2024-03-04", "2024-06-05"]


def test_batches_fetch_everything_and_leave_the_inbox_empty(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot({"imap": {"batch_size": 2}})
    for n in range(7):
        dovecot.append(request(n), LATE_EVENING)
    stats = bot.cycle()
    assert (stats.ingest.fetched, stats.ingest.stored, stats.process.decided, stats.send.sent) == (7, 7, 7, 7)
    assert dovecot.list_messages("INBOX") == []
    assert len(dovecot.list_messages("Processed")) == 7
    assert {m.rcpt_tos[0] for m in smtp_sink.messages} == {f"person{n}@example.org" for n in range(7)}


def test_crash_between_store_and_move_loses_and_doubles_nothing(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = make_bot()
    dovecot.append(request(1), LATE_EVENING)

    def connection_drops(self, uids, folder):  # type: ignore[no-untyped-def]
        raise ConnectionResetError("connection dropped before MOVE")

    with monkeypatch.context() as patch:
        patch.setattr(ImapConnection, "move", connection_drops)
        first = bot.cycle()
    assert first.imap_error and "ConnectionResetError" in first.imap_error
    # Stored and committed before the server was touched: it is decided and answered anyway.
    assert count(bot, InboundMessage) == 1 and first.process.decided == 1 and first.send.sent == 1
    assert len(dovecot.list_messages("INBOX")) == 1
    second = bot.cycle()
    assert second.ingest.moved == 1 and second.ingest.stored == 0 and second.process.decided == 0
    assert dovecot.list_messages("INBOX") == []
    assert count(bot, Decision) == 1 and len(smtp_sink.messages) == 1


def test_duplicate_message_id_is_stored_and_answered_once(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot()
    dovecot.append(request(1), LATE_EVENING)
    dovecot.append(request(1), LATE_EVENING)  # delivered twice (Cc'd to two of our addresses, say)
    stats = bot.cycle()
    assert (stats.ingest.stored, stats.ingest.duplicates) == (1, 1)
    assert len(smtp_sink.messages) == 1 and dovecot.list_messages("INBOX") == []


def test_uidvalidity_change_rescans_without_doubling(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot({"imap": {"inbox": "Requests"}})
    with dovecot.client() as client:
        client.create_folder("Requests")
    dovecot.append(request(1), LATE_EVENING, folder="Requests")
    bot.cycle()
    with bot.db.session() as session:
        before = session.scalars(select(FolderState)).one().uidvalidity
    # The folder is rebuilt (a server migration, say): new UIDVALIDITY, and an old message comes back with a new one.
    with dovecot.client() as client:
        client.delete_folder("Requests")
        client.create_folder("Requests")
    dovecot.append(request(1), LATE_EVENING, folder="Requests")
    dovecot.append(request(2), LATE_EVENING, folder="Requests")
    stats = bot.cycle()
    with bot.db.session() as session:
        after = session.scalars(select(FolderState)).one().uidvalidity
    assert after != before and stats.ingest.rescanned
    assert (stats.ingest.stored, stats.ingest.duplicates) == (1, 1)
    assert count(bot, Decision) == 2 and len(smtp_sink.messages) == 2
    assert dovecot.list_messages("Requests") == []


def test_processed_folder_is_created_and_configurable(make_bot: BotFactory, dovecot: DovecotAccount) -> None:
    bot = make_bot({"imap": {"processed_folder": "Done/FOI"}})
    dovecot.append(request(1), LATE_EVENING)
    bot.cycle()
    assert len(dovecot.list_messages("Done/FOI")) == 1


def test_imap_outage_is_reported_and_the_next_poll_recovers(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot()
    dovecot.append(request(1), LATE_EVENING)
    dovecot.server.stop()
    try:
        stats = bot.cycle()
        assert stats.imap_error is not None and stats.process.decided == 0
    finally:
        dovecot.server.start()
    stats = bot.cycle()
    assert stats.imap_error is None and stats.process.decided == 1 and len(smtp_sink.messages) == 1


def test_connection_dropped_mid_backlog_skips_and_doubles_nothing(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = make_bot({"imap": {"batch_size": 2}})
    for n in range(6):
        dovecot.append(request(n), LATE_EVENING)
    real_fetch = ImapConnection.fetch
    calls = {"n": 0}

    def drops_on_the_second_batch(self, uids):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            self.client.shutdown()  # the connection really goes away under the client
        return real_fetch(self, uids)

    with monkeypatch.context() as patch:
        patch.setattr(ImapConnection, "fetch", drops_on_the_second_batch)
        first = bot.cycle()
    assert first.imap_error is not None
    assert first.process.decided == 2  # the first batch was stored before the drop and is handled
    second = bot.cycle()
    assert second.imap_error is None
    assert count(bot, InboundMessage) == 6 and count(bot, Decision) == 6
    assert len(smtp_sink.messages) == 6 and dovecot.list_messages("INBOX") == []


def test_missing_inbox_folder_is_an_error_then_recovers(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot({"imap": {"inbox": "Requests"}})
    stats = bot.cycle()
    assert stats.imap_error is not None and "Requests" in stats.imap_error
    with dovecot.client() as client:
        client.create_folder("Requests")
    dovecot.append(request(1), LATE_EVENING, folder="Requests")
    stats = bot.cycle()
    assert stats.imap_error is None and stats.process.decided == 1 and len(smtp_sink.messages) == 1


def test_capabilities_are_read_as_text(dovecot: DovecotAccount) -> None:
    from mailbot.config import Secret, settings_from_mapping

    settings = settings_from_mapping({"imap": {"host": dovecot.host, "port": dovecot.port}})
    with ImapConnection(settings.imap, dovecot.user, Secret(dovecot.password)) as conn:
        assert {"IDLE", "MOVE", "UIDPLUS"} <= conn.capabilities
