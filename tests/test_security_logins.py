"""A refused login is a configuration fault: tried once, not every poll (account lockout), told to staff once by
mail, recorded for /healthz, the digest and `mailbot doctor`, and tried again at once with a changed password."""

from __future__ import annotations

from pathlib import Path

import pytest
from imapclient import IMAPClient
from servers import DovecotAccount, SmtpSink
from sqlalchemy import select

from mailbot.config import settings_from_mapping
from mailbot.runners.outages import open_outages
from mailbot.service import Bot
from mailbot.store.db import Database
from mailbot.store.models import OutboxMessage
from mailbot.testing.commands import mailbot
from mailbot.testing.messages import request
from mailbot.testing.moments import WHEN

STAFF = "ir-team@council.example"


@pytest.fixture
def login_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every LOGIN sent to the (real) server: a spy on the client, the server answers for itself."""
    seen: list[str] = []
    original = IMAPClient.login

    def counting(self: IMAPClient, username: str, password: str) -> object:
        seen.append(username)
        return original(self, username, password)

    monkeypatch.setattr(IMAPClient, "login", counting)
    return seen


def _bot(dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str, secret_file: Path) -> Bot:
    settings = settings_from_mapping({
        "mailbox": {"address": "foi@council.example"},
        "imap": {"host": dovecot.host, "port": dovecot.port, "username": dovecot.user, "idle": False},
        "smtp": {"host": smtp_sink.host, "port": smtp_sink.port},
        "staff": {"recipients": [STAFF]},
    })
    return Bot(settings, db=Database(db_url), smtp_password="")  # the IMAP password from MAILBOT_IMAP_PASSWORD_FILE


def test_a_refused_login_is_tried_once_told_once_and_a_new_password_works_at_once(
        dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, login_attempts: list[str]) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text("not the password\n")
    monkeypatch.delenv("MAILBOT_IMAP_PASSWORD", raising=False)
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD_FILE", str(secret))
    dovecot.append(request(1), WHEN)
    login_attempts.clear()  # the fixture's own login to deliver the message
    bot = _bot(dovecot, smtp_sink, db_url, secret)
    errors = [bot.cycle().imap_error for _ in range(3)]
    assert len(login_attempts) == 1  # before: one (or two) failed logins every poll, for ever
    assert errors[0] is not None and errors[0].startswith(
        f"IMAP login refused by {dovecot.host}:{dovecot.port} for user {dovecot.user}")
    assert all("not tried again" in e for e in errors[1:] if e)
    told = [m for m in smtp_sink.messages if m.rcpt_tos == [STAFF]]
    assert len(told) == 1 and "login is refused" in str(told[0].message["Subject"])
    with bot.db.session() as session:
        (outage,) = open_outages(session, "foi@council.example")
        assert outage.detail.startswith("IMAP login refused since") and dovecot.user in outage.detail
    secret.write_text(dovecot.password + "\n")  # the secret is rotated: used at the next poll, no restart
    stats = bot.cycle()
    # One login to poll, one to file the replies (and the earlier staff notice) in Sent.
    assert stats.imap_error is None and stats.ingest.stored == 1 and len(login_attempts) == 3
    with bot.db.session() as session:
        assert open_outages(session, "foi@council.example") == []
        replies = session.scalars(select(OutboxMessage).where(OutboxMessage.inbound_id.is_not(None))).all()
        assert [r.recipient for r in replies] == ["person1@example.org"]
    bot.close()


def test_run_once_exits_non_zero_with_one_line_naming_server_and_user(
        dovecot: DovecotAccount, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    config = tmp_path / "mailbot.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[mailbox]\naddress = "foi@council.example"\n'
                      'organisation = "Test Council"\n'
                      f'[imap]\nhost = "{dovecot.host}"\nport = {dovecot.port}\nusername = "{dovecot.user}"\n'
                      f'idle = false\n[smtp]\nhost = "{smtp_sink.host}"\nport = {smtp_sink.port}\n')
    result = mailbot("--config", str(config), "run", "--once", env={"MAILBOT_IMAP_PASSWORD": "wrong"})
    assert result.exit_code == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("mailbot: ")]
    assert lines == [f"mailbot: foi@council.example: IMAP login refused by {dovecot.host}:{dovecot.port} for user "
                     f"{dovecot.user} ([AUTHENTICATIONFAILED] Authentication failed.): check the password "
                     "(MAILBOT_IMAP_PASSWORD or its _FILE) and that the account may use IMAP"]
    assert "Traceback" not in result.stderr
