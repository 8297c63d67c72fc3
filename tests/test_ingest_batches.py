"""Ingest stores a fetched batch with one lookup and one INSERT; these hold the cases that the batch must still get
right one message at a time (SQLite and PostgreSQL, real Dovecot)."""

from __future__ import annotations

import pytest
from servers import DovecotAccount, SmtpSink
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mailbot.runners.ingest import Ingest, IngestStats
from mailbot.store.models import InboundMessage
from mailbot.testing.bots import BotFactory
from mailbot.testing.messages import request
from mailbot.testing.moments import WHEN


def test_a_message_another_instance_stores_meanwhile_is_a_duplicate_and_the_rest_are_stored(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = make_bot()
    for n in range(4):
        dovecot.append(request(n, tag="batch"), WHEN)
    original = Ingest._insert

    def racing(self: Ingest, session: Session, rows: dict[int, InboundMessage],
               stats: IngestStats) -> tuple[set[InboundMessage], set[int]]:
        # Between our lookup and our INSERT, "another instance" stores (and moves) the third message.
        racer = list(rows.values())[2]
        session.execute(insert(InboundMessage).values(
            mailbox=racer.mailbox, message_id=racer.message_id, folder=racer.folder, uidvalidity=racer.uidvalidity,
            uid=racer.uid, moved=True, received_at=racer.received_at, received_date=racer.received_date,
            raw=racer.raw, size=racer.size, status="new"))
        return original(self, session, rows, stats)

    monkeypatch.setattr(Ingest, "_insert", racing)
    stats = bot.poll()
    assert (stats.fetched, stats.stored, stats.duplicates, stats.moved) == (4, 3, 1, 4)
    with bot.db.session() as session:
        rows = session.scalars(select(InboundMessage).order_by(InboundMessage.message_id)).all()
        assert [row.message_id for row in rows] == [f"<batch-{n}@example.org>" for n in range(4)]
        assert all(row.moved for row in rows)
    assert dovecot.list_messages("INBOX") == []
    monkeypatch.undo()
    assert bot.cycle().process.decided == 4 and len(smtp_sink.messages) == 4


def test_the_same_message_twice_in_one_batch_is_stored_once_under_its_last_uid(
        make_bot: BotFactory, dovecot: DovecotAccount) -> None:
    bot = make_bot()
    dovecot.append(request(1, tag="batch"), WHEN)
    dovecot.append(request(2, tag="batch"), WHEN)
    dovecot.append(request(1, tag="batch"), WHEN)
    stats = bot.poll()
    assert (stats.stored, stats.duplicates, stats.moved) == (2, 1, 3)
    with bot.db.session() as session:
        rows = session.scalars(select(InboundMessage).order_by(InboundMessage.message_id)).all()
        assert [(row.message_id, row.uid, row.moved) for row in rows] == [
            ("<batch-1@example.org>", 3, True), ("<batch-2@example.org>", 2, True)]
    assert dovecot.list_messages("INBOX") == []
