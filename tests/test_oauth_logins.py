"""OAuth 2.0 mailbox logins against real servers: Dovecot's oauth2 password database asking a token-introspection
server on loopback (mailbot/testing/identity_provider.py), msal, google-auth and the generic client each fetching
their tokens from it over HTTPS, and what a person reads when something is refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from servers import DovecotAccount

from mailbot.config import Settings, settings_from_mapping
from mailbot.config.settings import merge_tables
from mailbot.mailserver import logins
from mailbot.mailserver.imap import ImapConnection
from mailbot.mailserver.oauth import TokenRefused, TokenUnavailable, token_source
from mailbot.runners.faults import IMAP_LOGIN, IMAP_TOKEN_DOWN, Component, classify
from mailbot.testing.identity_provider import CLIENT_ID, TENANT, IdentityProvider
from mailbot.testing.keys import key_pair, service_account_key

SECRET = "s3cr3t~value"


def oauth_settings(account: DovecotAccount, idp: IdentityProvider, **oauth2: Any) -> Settings:
    return settings_from_mapping(merge_tables({
        "mailbox": {"address": account.user, "organisation": "Test Council"},
        "imap": {"host": account.host, "port": account.port, "auth": "oauth2", "idle": False},
        "smtp": {"auth": "oauth2"},
        "oauth2": {"provider": "microsoft", "tenant_id": TENANT, "client_id": CLIENT_ID, "authority": idp.authority,
                   "ca_file": str(idp.cafile)},
    }, {"oauth2": oauth2}))


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("CLIENT_SECRET", "CERTIFICATE", "SERVICE_ACCOUNT"):
        monkeypatch.delenv(f"MAILBOT_OAUTH2_{name}", raising=False)
        monkeypatch.delenv(f"MAILBOT_OAUTH2_{name}_FILE", raising=False)
    monkeypatch.setenv("MAILBOT_OAUTH2_CLIENT_SECRET", SECRET)
    return monkeypatch


def token_requests(idp: IdentityProvider) -> int:
    return sum(path.endswith("/token") for path in idp.requests)


def test_msal_token_logs_in_by_xoauth2_then_oauthbearer_and_is_cached(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret=SECRET)
    settings = oauth_settings(dovecot_oauth, idp)
    source = token_source(settings)
    with ImapConnection(settings.imap, dovecot_oauth.user, source) as conn:
        assert conn.mechanism == "XOAUTH2"
        assert conn.select("INBOX") > 0
    with ImapConnection(settings.imap, dovecot_oauth.user, source) as conn:
        conn.select("INBOX")
    assert source.fetched == 1 and token_requests(idp) == 1  # the second login used the cached token
    assert any(path.endswith("openid-configuration") for path in idp.requests)  # msal's own discovery ran
    bearer = oauth_settings(dovecot_oauth, idp, imap_mechanism="oauthbearer")
    with ImapConnection(bearer.imap, dovecot_oauth.user, token_source(bearer)) as conn:
        assert conn.mechanism == "OAUTHBEARER"
        conn.select("INBOX")


def test_a_certificate_logs_in_and_its_expiry_is_read_from_it(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    certificate = key_pair("mailbot", days=20, loopback=False)
    idp.register(CLIENT_ID, dovecot_oauth.user, certificate=certificate)
    secret_env.delenv("MAILBOT_OAUTH2_CLIENT_SECRET")
    pem = tmp_path / "mailbot.pem"
    pem.write_text(certificate.combined_pem)
    secret_env.setenv("MAILBOT_OAUTH2_CERTIFICATE_FILE", str(pem))
    settings = oauth_settings(dovecot_oauth, idp)
    source = token_source(settings)
    assert source.credential_expires() == certificate.not_after.date()
    with ImapConnection(settings.imap, dovecot_oauth.user, source) as conn:
        assert conn.mechanism == "XOAUTH2"


@pytest.mark.parametrize("spoil", ["expire_all", "revoke_all"])
def test_an_expired_or_revoked_token_is_replaced_once_and_the_login_succeeds(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch, spoil: str) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret=SECRET)
    settings = oauth_settings(dovecot_oauth, idp)
    source = token_source(settings)
    with ImapConnection(settings.imap, dovecot_oauth.user, source):
        pass
    getattr(idp, spoil)()  # the server no longer takes the token the bot still holds
    with ImapConnection(settings.imap, dovecot_oauth.user, source) as conn:
        conn.select("INBOX")
    assert source.fetched == 2


def test_a_token_for_another_mailbox_is_refused_with_advice_and_not_tried_again(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, "someone-else@police.example.uk", secret=SECRET)  # no Add-MailboxPermission for ours
    settings = oauth_settings(dovecot_oauth, idp)
    source = token_source(settings)
    with pytest.raises(logins.LoginRefused) as refused:
        ImapConnection(settings.imap, dovecot_oauth.user, source)
    message = str(refused.value)
    assert message.startswith(f"IMAP login refused by {dovecot_oauth.host}:{dovecot_oauth.port} for user "
                              f"{dovecot_oauth.user} ([AUTHENTICATIONFAILED]")
    assert "Add-MailboxPermission" in message and "IMAP.AccessAsApp" in message
    assert source.fetched == 2  # the cached token, then one fresh one: no more
    assert classify(refused.value, during=Component.IMAP) is IMAP_LOGIN
    with pytest.raises(logins.LoginSuspended):
        ImapConnection(settings.imap, dovecot_oauth.user, source)
    assert source.fetched == 2


def test_an_expired_client_secret_is_named_with_what_to_do_and_the_endpoint_is_not_asked_again(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret=SECRET)
    idp.refuse_next(401, "invalid_client", f"AADSTS7000222: The provided client secret keys for app '{CLIENT_ID}' "
                    "are expired.", [7000222])
    settings = oauth_settings(dovecot_oauth, idp)
    source = token_source(settings)
    with pytest.raises(TokenRefused) as refused:
        ImapConnection(settings.imap, dovecot_oauth.user, source)
    message = str(refused.value)
    assert f"OAuth token refused by {idp.authority} for client {CLIENT_ID}" in message
    assert "AADSTS7000222: the client secret has expired" in message and "MAILBOT_OAUTH2_CLIENT_SECRET" in message
    asked = token_requests(idp)
    with pytest.raises(logins.LoginSuspended):
        ImapConnection(settings.imap, dovecot_oauth.user, source)
    assert token_requests(idp) == asked  # a refused secret is not sent again (and again) to Entra
    secret_env.setenv("MAILBOT_OAUTH2_CLIENT_SECRET", "the-new-secret")  # rotated: tried at once
    idp.clients[CLIENT_ID].secret = "the-new-secret"
    with ImapConnection(settings.imap, dovecot_oauth.user, token_source(settings)) as conn:
        assert conn.mechanism == "XOAUTH2"


def test_a_wrong_secret_and_a_wrong_tenant_say_so(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret="another")
    settings = oauth_settings(dovecot_oauth, idp)
    with pytest.raises(TokenRefused, match="AADSTS7000215: the client secret is wrong: copy the secret's Value"):
        token_source(settings).token()
    wrong_tenant = oauth_settings(dovecot_oauth, idp, authority=idp.https_base + "/not-our-tenant")
    with pytest.raises(TokenRefused, match="AADSTS90002: no such tenant"):
        token_source(wrong_tenant).token()


def test_an_unreachable_token_endpoint_is_a_passing_fault_retried(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret=SECRET)
    settings = oauth_settings(dovecot_oauth, idp)
    source = token_source(settings)
    source.token()  # msal's discovery done; now the token endpoint fails
    idp.down = True
    with pytest.raises(TokenUnavailable, match="will retry") as down:
        source.token(fresh=True)
    assert classify(down.value, during=Component.IMAP) is IMAP_TOKEN_DOWN
    idp.down = False
    assert source.token(fresh=True).value  # not suspended: the next try goes ahead


def test_google_service_account_with_delegation(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch) -> None:
    key, pair = service_account_key(idp.google_token_url)
    client = idp.register("mailbot@council-mail.iam.gserviceaccount.com", dovecot_oauth.user,
                          public_key=pair.public_key())
    secret_env.delenv("MAILBOT_OAUTH2_CLIENT_SECRET")
    secret_env.setenv("MAILBOT_OAUTH2_SERVICE_ACCOUNT", key)
    settings = oauth_settings(dovecot_oauth, idp, provider="google", tenant_id="", client_id="", authority="")
    with ImapConnection(settings.imap, dovecot_oauth.user, token_source(settings)) as conn:
        assert conn.mechanism == "XOAUTH2"
    client.delegated = False
    with pytest.raises(TokenRefused, match="domain-wide delegation is not set up") as refused:
        token_source(settings).token(fresh=True)
    assert "service account mailbot@council-mail.iam.gserviceaccount.com" in str(refused.value)


def test_a_generic_token_endpoint(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch) -> None:
    idp.register("mailbot", dovecot_oauth.user, secret=SECRET)
    settings = oauth_settings(dovecot_oauth, idp, provider="generic", tenant_id="", client_id="mailbot",
                              authority="", token_url=idp.token_url, scope="mail")
    with ImapConnection(settings.imap, dovecot_oauth.user, token_source(settings)) as conn:
        assert conn.mechanism == "XOAUTH2"
    secret_env.setenv("MAILBOT_OAUTH2_CLIENT_SECRET", "wrong")
    with pytest.raises(TokenRefused, match="invalid_client"):
        token_source(settings).token()


def test_settings_say_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from mailbot.config import ConfigError, require_for_run

    for name in ("CLIENT_SECRET", "CERTIFICATE", "SERVICE_ACCOUNT"):
        monkeypatch.delenv(f"MAILBOT_OAUTH2_{name}", raising=False)
        monkeypatch.delenv(f"MAILBOT_OAUTH2_{name}_FILE", raising=False)
    base = {"mailbox": {"address": "foi@council.example", "organisation": "Council"},
            "imap": {"host": "imap.example", "auth": "oauth2"}, "smtp": {"host": "smtp.example"}}
    with pytest.raises(ConfigError, match=re.escape("oauth2.client_id: missing")):
        require_for_run(settings_from_mapping(base))
    complete = merge_tables(base, {"oauth2": {"tenant_id": TENANT, "client_id": CLIENT_ID}})
    with pytest.raises(ConfigError, match=re.escape("MAILBOT_OAUTH2_CLIENT_SECRET (or "
                                                    "MAILBOT_OAUTH2_CLIENT_SECRET_FILE) or MAILBOT_OAUTH2_CERTIFICATE")):
        token_source(settings_from_mapping(complete))
    with pytest.raises(ConfigError, match=re.escape("oauth2.client_secret: passwords are never read from "
                                                    "the config file; set MAILBOT_OAUTH2_CLIENT_SECRET")):
        settings_from_mapping(merge_tables(complete, {"oauth2": {"client_secret": "x"}}))
    with pytest.raises(ConfigError, match=re.escape("oauth2.authority: must be an https://")):
        settings_from_mapping(merge_tables(complete, {"oauth2": {"authority": "http://login.example/tenant"}}))


@pytest.mark.parametrize(("lifetime", "asked"), [(3600, 1), (200, 2)])
def test_a_token_is_renewed_once_it_has_less_than_five_minutes_left(
        dovecot_oauth: DovecotAccount, idp: IdentityProvider, secret_env: pytest.MonkeyPatch, lifetime: int,
        asked: int) -> None:
    idp.register(CLIENT_ID, dovecot_oauth.user, secret=SECRET)
    idp.lifetime = lifetime
    source = token_source(oauth_settings(dovecot_oauth, idp))
    first, second = source.token(), source.token()
    assert source.fetched == asked and token_requests(idp) == asked
    assert (first.value == second.value) is (asked == 1) and second.from_cache is (asked == 1)
