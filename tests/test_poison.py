"""Poison mail: a message that makes a step fail is retried a bounded number of times, then quarantined with its
raw bytes kept, while the rest of the batch carries on; `mailbot requeue` puts it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from servers import DovecotAccount, SmtpSink
from sqlalchemy import select

from mailbot.judging.judge import judge as real_judge
from mailbot.runners import decide
from mailbot.store.models import InboundMessage
from mailbot.testing.bots import BotFactory
from mailbot.testing.commands import mailbot
from mailbot.testing.messages import request
from mailbot.testing.moments import WHEN


def test_poison_is_quarantined_the_rest_carries_on_and_requeue_recovers(
        tmp_path: Path, make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink,
        monkeypatch: pytest.MonkeyPatch) -> None:
    bot = make_bot({"processing": {"max_attempts": 3}, "staff": {"recipients": ["ir-team@council.example"]}})
    for n in range(3):
        dovecot.append(request(n, sender=f"jo{n}@example.org", subject=f"Budget {n}",
                               body="Please send the 2023 gritting budget.", tag="poison"), WHEN)

    def judge_that_chokes(msg, index=None, settings=None):  # type: ignore[no-untyped-def]
        if msg.message_id == "<poison-1@example.org>":
            raise RuntimeError("a step that fails on this message")
        return real_judge(msg, index, settings)

    monkeypatch.setattr(decide, "judge", judge_that_chokes)
    first = bot.cycle()
    assert (first.process.decided, first.process.failed, first.send.sent) == (2, 1, 2)
    bot.cycle()
    third = bot.cycle()
    assert third.process.quarantined == 1
    assert bot.cycle().process.failed == 0  # quarantined: no longer retried
    bot.cycle()
    (copy,) = dovecot.list_messages("Quarantine")  # a copy where staff look, and one notice for them
    assert b"Message-ID: <poison-1@example.org>" in copy[1]
    notices = [m for m in smtp_sink.messages if m.rcpt_tos == ["ir-team@council.example"]]
    assert len(notices) == 1 and "quarantined" in notices[0].message["Subject"]
    assert notices[0].message["Auto-Submitted"] == "auto-generated"
    with bot.db.session() as session:
        row = session.scalars(select(InboundMessage).where(
            InboundMessage.message_id == "<poison-1@example.org>")).one()
        assert (row.status, row.attempts) == ("quarantined", 3)
        assert b"Message-ID: <poison-1@example.org>" in row.raw  # the raw message is kept
        assert "RuntimeError" in row.last_error
    monkeypatch.undo()

    config = tmp_path / "m.toml"
    config.write_text(f'[mailbox]\naddress = "foi@council.example"\n[database]\nurl = "{bot.db.url}"\n')
    listed = mailbot("--config", str(config), "messages", "list", "--unanswered")
    assert "quarantined" in listed.stdout and "<poison-1@example.org>" in listed.stdout
    result = mailbot("--config", str(config), "requeue", "<poison-1@example.org>")
    assert result.exit_code == 0 and "1 message requeued" in result.stdout
    after = bot.cycle()
    assert (after.process.decided, after.send.sent) == (1, 1)
    assert len([m for m in smtp_sink.messages if m.rcpt_tos != ["ir-team@council.example"]]) == 3
