"""A whole bot on OAuth for both IMAP and SMTP: the seed exchange played through Dovecot's oauth2 password database
and an aiosmtpd relay taking AUTH XOAUTH2, with tokens from msal against the loopback identity provider; and what
happens when the relay refuses the login (told once, by the route that still works, and not tried again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from servers import DovecotAccount, SmtpSink
from sqlalchemy import select
from test_seed_scenario import SCENARIO, SCENARIO_DIR, play, seed_settings

from mailbot.config import settings_from_mapping
from mailbot.config.settings import merge_tables
from mailbot.mailserver import logins
from mailbot.runners.outages import open_outages
from mailbot.service import Bot
from mailbot.store.db import Database
from mailbot.store.models import OutboxMessage
from mailbot.testing.bots import write_config
from mailbot.testing.commands import mailbot
from mailbot.testing.identity_provider import CLIENT_ID, TENANT, IdentityProvider
from mailbot.testing.messages import request
from mailbot.testing.moments import WHEN

SECRET = "s3cr3t~value"


@pytest.fixture
def oauth_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("CLIENT_SECRET", "CERTIFICATE", "SERVICE_ACCOUNT"):
        monkeypatch.delenv(f"MAILBOT_OAUTH2_{name}_FILE", raising=False)
        monkeypatch.delenv(f"MAILBOT_OAUTH2_{name}", raising=False)
    monkeypatch.delenv("MAILBOT_IMAP_PASSWORD", raising=False)
    monkeypatch.setenv("MAILBOT_OAUTH2_CLIENT_SECRET", SECRET)
    return monkeypatch


@pytest.fixture
def xoauth2_sink(smtp_sink_factory: Any, idp: IdentityProvider) -> SmtpSink:
    """A relay that takes AUTH XOAUTH2 and asks the identity provider about each token, as Exchange Online does."""
    sink: SmtpSink = smtp_sink_factory(oauth=idp.accepts, auth_required=True)
    return sink


def oauth_config(account: DovecotAccount, sink: SmtpSink, idp: IdentityProvider) -> dict[str, Any]:
    return {
        "imap": {"host": account.host, "port": account.port, "username": account.user, "auth": "oauth2",
                 "idle": False},
        "smtp": {"host": sink.host, "port": sink.port, "username": account.user, "auth": "oauth2"},
        "oauth2": {"tenant_id": TENANT, "client_id": CLIENT_ID, "authority": idp.authority,
                   "ca_file": str(idp.cafile)},
    }


def test_the_seed_exchange_through_oauth_on_imap_and_smtp(
        dovecot_oauth: DovecotAccount, xoauth2_sink: SmtpSink, idp: IdentityProvider, db_url: str,
        oauth_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret=SECRET)
    settings = settings_from_mapping(merge_tables(seed_settings(), oauth_config(dovecot_oauth, xoauth2_sink, idp)))
    bot = Bot(settings, db=Database(db_url))  # every credential from the environment, as `mailbot run` has them
    try:
        steps = SCENARIO["steps"]
        raws = [(SCENARIO_DIR / s["deliver"]).read_bytes() for s in steps[:2]]
        play(bot, dovecot_oauth, xoauth2_sink, steps[:2], raws)
        idp.revoke_all()  # as a provider ends a session at the token's expiry: the next logins need a fresh one
        play(bot, dovecot_oauth, xoauth2_sink, steps[2:], [(SCENARIO_DIR / steps[2]["deliver"]).read_bytes()])
        assert {m.auth_login for m in xoauth2_sink.messages} == {dovecot_oauth.user}  # every reply went by XOAUTH2
        assert bot.tokens is not None and bot.tokens.fetched == 2  # one token shared by IMAP and SMTP, then one more
        assert len(dovecot_oauth.list_messages("Sent")) == 3  # the Sent copies logged in by OAuth too
    finally:
        bot.close()


def test_a_relay_refusing_the_oauth_login_is_told_once_and_not_retried(
        dovecot_oauth: DovecotAccount, xoauth2_sink: SmtpSink, idp: IdentityProvider, sqlite_url: str,
        oauth_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, "someone-else@police.example.uk", secret=SECRET)  # SMTP.SendAsApp for another mailbox
    config = merge_tables(oauth_config(dovecot_oauth, xoauth2_sink, idp), {
        "mailbox": {"address": "foi@council.example", "organisation": "Test Council"},
        "imap": {"auth": "password"}, "staff": {"recipients": ["ir-team@council.example"]}})
    bot = Bot(settings_from_mapping(config), db=Database(sqlite_url), imap_password=dovecot_oauth.password)
    try:
        dovecot_oauth.append(request(1), WHEN)
        stats = bot.cycle()
        assert stats.imap_error is None and stats.process.replies_queued == 1 and stats.send.sent == 0
        error = stats.smtp_error
        assert error is not None and error.startswith(
            f"SMTP login refused by {xoauth2_sink.host}:{xoauth2_sink.port} for user {dovecot_oauth.user} (535")
        assert "SMTP.SendAsApp" in error and "Add-MailboxPermission" in error
        tries = len(xoauth2_sink.auth_attempts)
        assert tries == 2  # the cached token, then one fresh one
        with bot.db.session() as session:
            (outage,) = open_outages(session, "foi@council.example")
            assert outage.detail.startswith("SMTP login refused since") and dovecot_oauth.user in outage.detail
            reply = session.scalars(select(OutboxMessage).where(OutboxMessage.inbound_id.is_not(None))).one()
            assert reply.status == "queued"  # waiting, not failed: nothing is lost
        filed = dovecot_oauth.list_messages("Quarantine")  # the relay is what is broken: told over IMAP
        assert len(filed) == 1 and b"refuses mailbot's login" in filed[0][1]
        again = bot.cycle()
        assert again.smtp_error is not None and len(xoauth2_sink.auth_attempts) == tries  # no lockout risk
        assert len(dovecot_oauth.list_messages("Quarantine")) == 1  # told once
        idp.clients[CLIENT_ID].mailbox = dovecot_oauth.user  # the admin adds the mailbox permission ...
        logins.forget()  # ... and smtp.login_retry_minutes pass
        with bot.db.session() as session:
            session.execute(OutboxMessage.__table__.update().values(next_attempt_at=WHEN))
        fixed = bot.cycle()
        assert fixed.smtp_error is None and fixed.send.sent >= 1
        with bot.db.session() as session:
            assert open_outages(session, "foi@council.example") == []
    finally:
        bot.close()


def test_run_once_exits_non_zero_naming_the_relay_that_refused_the_login(
        dovecot_oauth: DovecotAccount, xoauth2_sink: SmtpSink, idp: IdentityProvider, tmp_path: Path,
        oauth_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, "someone-else@police.example.uk", secret=SECRET)
    dovecot_oauth.append(request(1), WHEN)
    config = write_config(tmp_path / "mailbot.toml", dovecot_oauth, xoauth2_sink, f"sqlite:///{tmp_path}/m.db",
                          merge_tables(oauth_config(dovecot_oauth, xoauth2_sink, idp),
                                       {"imap": {"auth": "password"}, "data_dir": str(tmp_path)}))
    result = mailbot("--config", str(config), "run", "--once", env={"MAILBOT_IMAP_PASSWORD": dovecot_oauth.password})
    assert result.exit_code == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("mailbot: ")]
    assert len(lines) == 1 and lines[0].startswith(
        f"mailbot: foi@council.example: SMTP login refused by {xoauth2_sink.host}:{xoauth2_sink.port} for user "
        f"{dovecot_oauth.user} (535 5.7.8")
    assert "Traceback" not in result.stderr


def test_an_expired_client_secret_stops_both_logins_with_one_line_and_is_recorded(
        dovecot_oauth: DovecotAccount, xoauth2_sink: SmtpSink, idp: IdentityProvider, tmp_path: Path,
        oauth_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret=SECRET)
    idp.refuse_next(401, "invalid_client", f"AADSTS7000222: The provided client secret keys for app '{CLIENT_ID}' "
                    "are expired.", [7000222])
    database = f"sqlite:///{tmp_path}/m.db"
    config = write_config(tmp_path / "mailbot.toml", dovecot_oauth, xoauth2_sink, database,
                          merge_tables(oauth_config(dovecot_oauth, xoauth2_sink, idp), {"data_dir": str(tmp_path)}))
    result = mailbot("--config", str(config), "run", "--once")
    assert result.exit_code == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("mailbot: ")]
    assert len(lines) == 1 and f"OAuth token refused by {idp.authority} for client {CLIENT_ID}" in lines[0]
    assert "AADSTS7000222: the client secret has expired" in lines[0]
    assert sum(path.endswith("/token") for path in idp.requests) == 1  # SMTP did not ask again
    db = Database(database)
    try:
        with db.session() as session:
            details = [row.detail for row in open_outages(session, "foi@council.example")]
        assert details and details[0].startswith("IMAP login refused since") and "AADSTS7000222" in details[0]
    finally:
        db.dispose()


def test_digest_send_goes_through_the_oauth_relay_and_its_copy_to_sent_by_oauth_imap(
        dovecot_oauth: DovecotAccount, xoauth2_sink: SmtpSink, idp: IdentityProvider, tmp_path: Path,
        oauth_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret=SECRET)
    config = write_config(tmp_path / "mailbot.toml", dovecot_oauth, xoauth2_sink, f"sqlite:///{tmp_path}/m.db",
                          merge_tables(oauth_config(dovecot_oauth, xoauth2_sink, idp), {
                              "data_dir": str(tmp_path), "staff": {"recipients": ["ir-team@council.example"]}}))
    assert mailbot("--config", str(config), "db", "upgrade").exit_code == 0  # the digest creates no database
    result = mailbot("--config", str(config), "digest", "--send")
    assert result.exit_code == 0, result.stderr
    assert "sent 1" in result.stdout
    assert [m.rcpt_tos for m in xoauth2_sink.messages] == [["ir-team@council.example"]]
    assert xoauth2_sink.messages[0].auth_login == dovecot_oauth.user
    assert len(dovecot_oauth.list_messages("Sent")) == 1


def test_a_rotated_client_secret_file_is_used_at_the_next_cycle_without_a_restart(
        dovecot_oauth: DovecotAccount, xoauth2_sink: SmtpSink, idp: IdentityProvider, sqlite_url: str,
        tmp_path: Path, oauth_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret="the-new-one")
    secret_file = tmp_path / "oauth2-client-secret"
    secret_file.write_text("the-old-one\n")
    oauth_env.delenv("MAILBOT_OAUTH2_CLIENT_SECRET")
    oauth_env.setenv("MAILBOT_OAUTH2_CLIENT_SECRET_FILE", str(secret_file))
    config = merge_tables(oauth_config(dovecot_oauth, xoauth2_sink, idp),
                          {"mailbox": {"address": "foi@council.example", "organisation": "Test Council"}})
    bot = Bot(settings_from_mapping(config), db=Database(sqlite_url))
    try:
        dovecot_oauth.append(request(1), WHEN)
        refused = bot.cycle()
        assert refused.imap_error is not None and "AADSTS7000215: the client secret is wrong" in refused.imap_error
        asked = len(idp.requests)
        assert bot.cycle().imap_error is not None and len(idp.requests) == asked  # the same secret: not sent again
        secret_file.write_text("the-new-one\n")  # the admin puts the right secret in the file
        stats = bot.cycle()
        assert stats.imap_error is None and stats.smtp_error is None
        assert stats.ingest.stored == 1 and stats.send.sent == 1
    finally:
        bot.close()
