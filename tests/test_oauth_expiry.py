"""The OAuth credential's expiry reaches staff in the digest from 30 days before (a client secret's configured
date, a certificate's own notAfter), every digest until it is renewed; before that window, nothing is said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailbot.testing.commands import mailbot
from mailbot.testing.identity_provider import CLIENT_ID, TENANT
from mailbot.testing.keys import key_pair

NO_SECRETS: dict[str, str | None] = {f"MAILBOT_OAUTH2_{name}{suffix}": None for name in (
    "CLIENT_SECRET", "CERTIFICATE", "SERVICE_ACCOUNT") for suffix in ("", "_FILE")}


def config(tmp_path: Path, expires: str | None = None) -> str:
    path = tmp_path / "m.toml"
    line = f"client_secret_expires = {expires}\n" if expires else ""
    path.write_text(f'[mailbox]\naddress = "foi@council.example"\norganisation = "Test Council"\n'
                    f'[imap]\nhost = "outlook.office365.com"\nauth = "oauth2"\n'
                    f'[oauth2]\ntenant_id = "{TENANT}"\nclient_id = "{CLIENT_ID}"\n{line}'
                    f'[database]\nurl = "sqlite:///{tmp_path}/m.db"\n')
    path.chmod(0o600)
    created = mailbot("--config", str(path), "db", "upgrade")  # the digest reads a database; it creates none
    assert created.exit_code == 0, created.stderr
    return str(path)


def digest(config_path: str, at: datetime, env: dict[str, str | None]) -> str:
    result = mailbot("--config", config_path, "digest", "--preview", "--at", f"{at:%Y-%m-%d %H:%M}", env=env)
    assert result.exit_code == 0, result.stderr
    return " ".join(result.stdout.split())


@pytest.mark.parametrize(("days_left", "warned"), [(45, False), (30, True), (3, True), (-2, True)])
def test_a_client_secret_is_warned_of_from_30_days_before_it_expires(
        tmp_path: Path, days_left: int, warned: bool) -> None:
    at = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)  # a Tuesday
    expires = (at + timedelta(days=days_left)).date()
    text = digest(config(tmp_path, expires.isoformat()), at, {**NO_SECRETS, "MAILBOT_OAUTH2_CLIENT_SECRET": "s"})
    said = "The OAuth client secret that mailbot logs in to foi@council.example with"
    assert (said in text) is warned
    if warned and days_left >= 0:
        assert f"expires on {expires:%d %B %Y}, in {days_left} days" in text and "docs/microsoft365.md" in text
    if days_left < 0:
        assert f"expired on {expires:%d %B %Y}: mailbot cannot read or send mail" in text


def test_a_certificate_is_warned_of_by_its_own_expiry(tmp_path: Path) -> None:
    certificate = key_pair("mailbot", days=20, loopback=False)
    pem = tmp_path / "mailbot.pem"
    pem.write_text(certificate.combined_pem)
    pem.chmod(0o600)
    env = {**NO_SECRETS, "MAILBOT_OAUTH2_CERTIFICATE_FILE": str(pem)}
    now = datetime.now(UTC)
    text = digest(config(tmp_path), now, env)
    assert (f"The OAuth certificate that mailbot logs in to foi@council.example with expires on "
            f"{certificate.not_after:%d %B %Y}") in text
    assert "The OAuth" not in digest(config(tmp_path), now - timedelta(days=15), env)  # 35 days before: quiet
