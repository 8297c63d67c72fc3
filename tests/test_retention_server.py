"""The copies on the mail server go with the records: a real bot on a real Dovecot answers requests and files
robot mail, then, years later under a fake clock, its daily retention job removes the disposed messages from the
Processed and Quarantine folders and their replies from the Sent folder, by Message-ID, and keeps what a legal hold
keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mailbot.store.casework import record_event
from mailbot.store.models import Case, Disposal, InboundMessage
from mailbot.testing import casebook
from mailbot.testing.clock import ManualClock
from mailbot.testing.messages import request

WHEN = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)


def message_ids(dovecot, folder: str) -> set[str]:  # type: ignore[no-untyped-def]
    found = set()
    for _uid, raw in dovecot.list_messages(folder):
        for line in raw.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                found.add(line.split(b":", 1)[1].strip().decode())
    return found


def test_the_daily_job_removes_the_server_copies_and_keeps_the_held(make_bot, dovecot) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(WHEN)
    bot = make_bot(clock=clock)
    dovecot.append(request(1, tag="gone"), WHEN)
    dovecot.append(request(2, tag="held"), WHEN)
    dovecot.append(request(3, tag="robot", headers={"Auto-Submitted": "auto-replied"}, subject="Out of office"),
                   WHEN)
    stats = bot.cycle()
    assert stats.imap_error is None and stats.ingest.stored == 3
    processed = message_ids(dovecot, "Processed")
    assert {"<gone-1@example.org>", "<held-2@example.org>", "<robot-3@example.org>"} <= processed
    replies = message_ids(dovecot, "Sent")
    assert len(replies) == 2  # two acknowledgements; the robot got none
    policy = bot.settings.clock_policy()
    with bot.db.session() as s:
        cases = {c.address: c for c in s.scalars(select(Case))}
        assert len(cases) == 2
        for case in cases.values():
            record_event(s, case, "answered", WHEN.date() + timedelta(days=10), policy, source="staff")
        cases["person2@example.org"].hold_reason = "litigation: claim 42"
        robot = s.scalars(select(InboundMessage).where(InboundMessage.message_id == "<robot-3@example.org>")).one()
        robot.status, robot.quarantine_copied = "quarantined", True  # as if it had failed: a copy in Quarantine
        casebook.triaged(s, robot.id, WHEN.date() + timedelta(days=1))  # and staff dealt with it
        robot_raw = robot.raw
    with dovecot.client() as client:
        client.create_folder("Quarantine")
    dovecot.append(robot_raw, WHEN, "Quarantine")
    assert message_ids(dovecot, "Quarantine") == {"<robot-3@example.org>"}

    clock.now = WHEN.replace(year=2028, month=3)  # three years after both closed
    first = bot.retention_job()
    assert first is not None and not first.disposed and "first disposal" in first.reason  # announced first
    assert message_ids(dovecot, "Processed") == processed
    clock.advance(days=31)
    outcome = bot.retention_job()
    assert outcome is not None and outcome.disposed == {"case": 1, "quarantined": 1}
    assert outcome.server_copies == 3  # the request, its acknowledgement and the robot mail
    assert message_ids(dovecot, "Processed") == {"<held-2@example.org>"}
    assert message_ids(dovecot, "Quarantine") == set()
    left = message_ids(dovecot, "Sent")
    assert len(left) == 1 and left < replies  # the held case's acknowledgement only
    with bot.db.session() as s:
        stored = {m.message_id: m for m in s.scalars(select(InboundMessage))}
        log = list(s.scalars(select(Disposal).where(Disposal.record == "server_copy")))
    assert "<held-2@example.org>" in stored and stored["<held-2@example.org>"].raw
    assert sum(1 for mid in stored if mid.startswith("disposed:")) == 2  # the Message-IDs too, once the copies went
    assert len(log) == 3 and all("@" not in row.detail for row in log)
    assert any("1 from Processed, 1 from Quarantine" in row.detail for row in log)
    assert any("1 from Sent" in row.detail for row in log)
    again = bot.retention_job()  # a second run finds nothing left to do
    assert again is not None and not again.disposed and again.server_copies == 0


def test_the_scheduler_runs_retention_daily_at_its_time(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot({"retention": {"time": "03:15"}})
    job = bot.build_scheduler().get_job("retention")
    assert job is not None and "hour='3'" in str(job.trigger) and "minute='15'" in str(job.trigger)
    assert "day_of_week" not in str(job.trigger)  # every day: storage limitation keeps no weekends


def test_an_oauth_mailboxs_disposal_logs_in_by_token_not_by_a_password_it_does_not_have(  # type: ignore[no-untyped-def]
        dovecot_oauth, smtp_sink, idp, tmp_path) -> None:
    from mailbot.store.db import Database
    from mailbot.testing.bots import write_config
    from mailbot.testing.commands import mailbot
    from mailbot.testing.identity_provider import CLIENT_ID, TENANT

    idp.register(CLIENT_ID, dovecot_oauth.user, secret="s3cret")
    url = f"sqlite:///{tmp_path}/m.db"
    Database(url).dispose()
    config = write_config(tmp_path / "m.toml", dovecot_oauth, smtp_sink, url, {
        "mailbox": {"address": dovecot_oauth.user}, "imap": {"auth": "oauth2"},
        "oauth2": {"tenant_id": TENANT, "client_id": CLIENT_ID, "authority": idp.authority,
                   "ca_file": str(idp.cafile)}})
    no_password = {"MAILBOT_IMAP_PASSWORD": None, "MAILBOT_IMAP_PASSWORD_FILE": None}
    done = mailbot("--config", str(config), "retention", "--dispose", "--as", "admin",
                   env={**no_password, "MAILBOT_OAUTH2_CLIENT_SECRET": "s3cret"})
    assert done.exit_code == 0, done.output
    assert "disposed of nothing" in done.output and "password" not in done.output
    refused = mailbot("--config", str(config), "retention", "--dispose", "--as", "admin",
                      env={**no_password, "MAILBOT_OAUTH2_CLIENT_SECRET": None})
    assert refused.exit_code == 2 and "MAILBOT_OAUTH2_CLIENT_SECRET" in refused.output
    assert "nothing disposed" in refused.output
