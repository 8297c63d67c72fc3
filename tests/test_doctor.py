"""`mailbot doctor` against real servers: one line per check, ✔ / ✘ with the fix / – skipped, exit 0 only when
nothing failed; it logs in as the bot does (OAuth included) and sends nothing unless --send-test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from servers import DovecotAccount, SmtpSink

from mailbot.testing.bots import write_config
from mailbot.testing.commands import mailbot
from mailbot.testing.identity_provider import CLIENT_ID, TENANT, IdentityProvider
from mailbot.testing.keys import key_pair

NO_SECRETS: dict[str, str | None] = {f"MAILBOT_{name}{suffix}": None for name in (
    "IMAP_PASSWORD", "SMTP_PASSWORD", "OAUTH2_CLIENT_SECRET", "OAUTH2_CERTIFICATE", "OAUTH2_SERVICE_ACCOUNT")
    for suffix in ("", "_FILE")}


def marks(output: str) -> dict[str, str]:
    """Check name -> its mark, for the lines of the report."""
    found = {}
    for line in output.splitlines():
        if line[:2] in ("✔ ", "✘ ", "– "):
            found.setdefault(line[2:].split(":")[0], line[0])
    return found


def test_a_password_mailbox_passes_every_check_and_a_test_message_is_sent_only_when_asked(
        dovecot: DovecotAccount, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    config = write_config(tmp_path / "m.toml", dovecot, smtp_sink, f"sqlite:///{tmp_path}/m.db")
    config.chmod(0o600)
    env = {**NO_SECRETS, "MAILBOT_IMAP_PASSWORD": dovecot.password}
    result = mailbot("--config", str(config), "doctor", env=env)
    assert result.exit_code == 0, result.stdout
    assert marks(result.stdout) == {name: "✔" for name in (
        "configuration", "secrets", "database", "templates", "calendar", "IMAP login", "SMTP login", "state")}
    assert f"✔ IMAP login: {dovecot.host}:{dovecot.port} (none) as {dovecot.user} by LOGIN" in result.stdout
    # a first check on a new install makes the database, as run would, and says so (a mistyped path shows here)
    assert f"✔ database: sqlite:///{tmp_path}/m.db; there was none: created here at schema" in result.stdout
    assert not smtp_sink.messages  # nothing sent by a plain check
    sent = mailbot("--config", str(config), "doctor", "--send-test", "it@council.example", env=env)
    assert sent.exit_code == 0 and "a test message went to it@council.example" in sent.stdout
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["it@council.example"]]


def test_a_wrong_password_and_a_missing_secret_are_failed_checks_with_their_fix(
        dovecot: DovecotAccount, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    config = write_config(tmp_path / "m.toml", dovecot, smtp_sink, f"sqlite:///{tmp_path}/m.db")
    config.chmod(0o600)
    wrong = mailbot("--config", str(config), "doctor", env={**NO_SECRETS, "MAILBOT_IMAP_PASSWORD": "wrong"})
    assert wrong.exit_code == 1
    assert (f"✘ IMAP login: {dovecot.host}:{dovecot.port} (none) as {dovecot.user}: IMAP login refused by "
            f"{dovecot.host}:{dovecot.port} for user {dovecot.user}") in wrong.stdout
    missing = mailbot("--config", str(config), "doctor", "--offline", env=NO_SECRETS)
    assert missing.exit_code == 1
    assert "✘ secrets: MAILBOT_IMAP_PASSWORD (or MAILBOT_IMAP_PASSWORD_FILE) is not set — fix:" in missing.stdout
    assert marks(missing.stdout)["IMAP login"] == "–" and "– SMTP login: skipped: --offline" in missing.stdout


def test_oauth_mailbox_checks_the_token_both_logins_and_warns_of_a_certificate_expiring_within_30_days(
        dovecot_oauth: DovecotAccount, smtp_sink_factory: Any, idp: IdentityProvider, tmp_path: Path) -> None:
    certificate = key_pair("mailbot", days=20, loopback=False)
    idp.register(CLIENT_ID, dovecot_oauth.user, certificate=certificate)
    sink = smtp_sink_factory(oauth=idp.accepts, auth_required=True)
    pem = tmp_path / "mailbot.pem"
    pem.write_text(certificate.combined_pem)
    pem.chmod(0o600)
    config = write_config(tmp_path / "m.toml", dovecot_oauth, sink, f"sqlite:///{tmp_path}/m.db", {
        "mailbox": {"address": dovecot_oauth.user},
        "imap": {"auth": "oauth2"}, "smtp": {"auth": "oauth2"},
        "oauth2": {"tenant_id": TENANT, "client_id": CLIENT_ID, "authority": idp.authority,
                   "ca_file": str(idp.cafile)}})
    config.chmod(0o600)
    result = mailbot("--config", str(config), "doctor", env={**NO_SECRETS, "MAILBOT_OAUTH2_CERTIFICATE_FILE": str(pem)})
    found = marks(result.stdout)
    assert found["OAuth token"] == found["IMAP login"] == found["SMTP login"] == "✔", result.stdout
    assert "by XOAUTH2" in result.stdout and sink.auth_attempts == [(dovecot_oauth.user, True)]
    assert result.exit_code == 1  # the certificate is the one thing to fix:
    assert (f"✘ credential expiry: the certificate expires on {certificate.not_after:%d %B %Y}, in "
            in result.stdout) and "MAILBOT_OAUTH2_CERTIFICATE" in result.stdout


@pytest.mark.parametrize("offline", [True, False])
def test_a_token_refused_for_an_expired_secret_is_one_failed_line_with_advice(
        dovecot_oauth: DovecotAccount, smtp_sink: SmtpSink, idp: IdentityProvider, tmp_path: Path,
        offline: bool) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret="s")
    idp.refuse_next(401, "invalid_client", "AADSTS7000222: The provided client secret keys are expired.", [7000222])
    config = write_config(tmp_path / "m.toml", dovecot_oauth, smtp_sink, f"sqlite:///{tmp_path}/m.db", {
        "imap": {"auth": "oauth2"},
        "oauth2": {"tenant_id": TENANT, "client_id": CLIENT_ID, "authority": idp.authority,
                   "ca_file": str(idp.cafile), "client_secret_expires": "2026-01-31"}})
    config.chmod(0o600)
    args = ["--config", str(config), "doctor", *(["--offline"] if offline else [])]
    result = mailbot(*args, env={**NO_SECRETS, "MAILBOT_OAUTH2_CLIENT_SECRET": "s"})
    assert result.exit_code == 1
    assert "✘ credential expiry: the client secret expired on 31 January 2026" in result.stdout
    if not offline:
        assert "✘ OAuth token: OAuth token refused by" in result.stdout
        assert "AADSTS7000222: the client secret has expired" in result.stdout


def test_oauth2_without_its_settings_or_credential_names_each_once_where_it_belongs(tmp_path: Path) -> None:
    """The [oauth2] keys under configuration, all at once; under secrets the variables to set, not the same keys."""
    config = tmp_path / "m.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[mailbox]\naddress = "foi@council.example"\norganisation = "C"\n'
                      '[imap]\nhost = "imap.example"\nauth = "oauth2"\n[smtp]\nhost = "smtp.example"\n')
    config.chmod(0o600)
    result = mailbot("--config", str(config), "doctor", "--offline", env=NO_SECRETS)
    assert result.exit_code == 1
    lines = {line[2:].split(":")[0]: line for line in result.stdout.splitlines() if line[:2] in ("✔ ", "✘ ", "– ")}
    assert "oauth2.client_id: missing" in lines["configuration"] and "oauth2.tenant_id: missing" in lines[
        "configuration"] and f"add them to {config}" in lines["configuration"]
    assert "MAILBOT_OAUTH2_CLIENT_SECRET" in lines["secrets"] and "MAILBOT_OAUTH2_CERTIFICATE" in lines["secrets"]
    assert "client_id" not in lines["secrets"]
