"""Sign-in with Microsoft (OpenID Connect) against a real OpenID provider on loopback (mailbot/testing/oidc.py).

The app's leg runs in Starlette's test client; it talks to the provider (discovery, keys, code exchange) over real
HTTP, and the browser's leg at the provider is real HTTP too. Accounts are bound by tid + oid: each refusal here is
first shown to be a token the provider really issued and that would otherwise have been taken.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx2
import pytest
from click.testing import CliRunner
from sqlalchemy import select
from starlette.testclient import TestClient

from mailbot.cli import main
from mailbot.config import ConfigError, Settings
from mailbot.config.load import settings_from_mapping
from mailbot.store.db import Database
from mailbot.store.models import StaffAction, User
from mailbot.testing.oidc import OTHER_TENANT, TENANT, Provider, oidc_provider
from mailbot.testing.web import HASHER, PASSWORD, add_account, web_settings
from mailbot.web.app import create_app

ALICE_OID = "5b1f0a9e-3c2d-4e8f-9a7b-1c2d3e4f5a6b"
MALLORY_OID = "7c3e2b1a-4d5f-4a6b-8c9d-0e1f2a3b4c5d"
CALLBACK = "http://testserver/signin/oidc/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with oidc_provider() as running:
        yield running


def sso_settings(tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Settings:
    client_id, secret = provider.register(CALLBACK)
    monkeypatch.setenv("MAILBOT_WEB_OIDC_SECRET", secret)
    return web_settings(tmp_path, oidc_tenant_id=TENANT, oidc_client_id=client_id,
                        oidc_metadata_url=provider.metadata_url)


@pytest.fixture
def site(tmp_path: Path, db_url: str, provider: Provider,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Database]]:
    db = Database(db_url)
    add_account(db, "alice")
    add_account(db, "root", "admin")
    link_alice(db)
    app = create_app(sso_settings(tmp_path, provider, monkeypatch), db, password_hasher=HASHER, secret_key="k")
    with TestClient(app, base_url="http://testserver") as client:
        yield client, db
    db.dispose()


def link_alice(db: Database, oid: str = ALICE_OID) -> None:
    with db.session() as session:
        alice = session.scalars(select(User).where(User.name == "alice")).one()
        alice.oidc_tid, alice.oidc_oid = TENANT, oid


def start(client: TestClient, provider: Provider, next_page: str = "/todo") -> str:
    answer = client.get(f"/signin/oidc?next={next_page}", follow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    location = answer.headers["location"]
    assert location.startswith(provider.url + "/oauth2/authorize?")
    return location


def sign_in_as(client: TestClient, provider: Provider, sub: str, next_page: str = "/todo") -> httpx2.Response:
    back = provider.approve(start(client, provider, next_page), sub)
    assert back.startswith(CALLBACK + "?")
    return client.get(back, follow_redirects=False)


def signed_in(client: TestClient) -> bool:
    return client.get("/requests", follow_redirects=False).status_code == 200


def audit(db: Database, action: str) -> list[StaffAction]:
    with db.session() as session:
        return list(session.scalars(select(StaffAction).where(StaffAction.action == action)))


def test_the_sign_in_page_offers_microsoft_only_when_configured(
        site: tuple[TestClient, Database], tmp_path: Path, sqlite_url: str) -> None:
    client, _ = site
    assert "Sign in with Microsoft" in client.get("/signin").text
    plain = create_app(web_settings(tmp_path), Database(sqlite_url), password_hasher=HASHER, secret_key="k")
    with TestClient(plain) as other:
        assert "Sign in with Microsoft" not in other.get("/signin").text
        assert other.get("/signin/oidc", follow_redirects=False).status_code == 404


def test_a_linked_account_signs_in_with_pkce_state_and_nonce(
        site: tuple[TestClient, Database], provider: Provider) -> None:
    client, db = site
    provider.person("alice-sub", tid=TENANT, oid=ALICE_OID, email="alice@council.example",
                    preferred_username="alice@council.example")
    location = start(client, provider)
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["redirect_uri"] == [CALLBACK]
    assert "email" not in query["scope"][0].split()
    answer = client.get(provider.approve(location, "alice-sub"), follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/todo"
    assert signed_in(client)
    page = client.get("/requests").text
    assert "alice" in page
    [login] = audit(db, "login")
    assert login.actor == "alice" and login.detail["method"] == "oidc"
    # The CSRF token is new and works: sign out with it.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token and client.post("/signout", data={"csrf_token": token.group(1)},
                                 follow_redirects=False).status_code == 303
    assert not signed_in(client)


def test_a_token_from_another_tenant_is_refused_even_with_a_linked_oid(
        site: tuple[TestClient, Database], provider: Provider) -> None:
    client, db = site
    provider.person("outsider", tid=OTHER_TENANT, oid=ALICE_OID, email="alice@council.example")
    answer = sign_in_as(client, provider, "outsider")
    assert answer.status_code == 403 and "another organisation" in answer.text
    assert not signed_in(client)
    [failed] = audit(db, "login_failed")
    assert failed.detail["reason"] == "other_tenant" and failed.detail["method"] == "oidc"


def test_an_unlinked_person_is_refused_told_to_ask_an_administrator_and_audited(
        site: tuple[TestClient, Database], provider: Provider) -> None:
    client, db = site
    provider.person("newcomer", tid=TENANT, oid=MALLORY_OID, preferred_username="new@council.example")
    answer = sign_in_as(client, provider, "newcomer")
    assert answer.status_code == 403
    assert "ask an administrator to link your account" in answer.text and MALLORY_OID in answer.text
    assert not signed_in(client)
    [failed] = audit(db, "login_failed")
    assert failed.actor == "-" and failed.detail["reason"] == "not_linked"
    assert (failed.detail["tid"], failed.detail["oid"]) == (TENANT, MALLORY_OID)
    assert audit(db, "login") == []


def test_the_same_email_with_another_oid_is_refused(site: tuple[TestClient, Database], provider: Provider) -> None:
    client, db = site
    # Mallory, in the same tenant, sets her mail and user name to Alice's: only the oid differs.
    provider.person("mallory", tid=TENANT, oid=MALLORY_OID, email="alice@council.example",
                    preferred_username="alice", name="alice")
    answer = sign_in_as(client, provider, "mallory")
    assert answer.status_code == 403 and not signed_in(client)
    assert audit(db, "login") == [] and audit(db, "login_failed")[0].detail["reason"] == "not_linked"


def test_a_deactivated_account_is_refused(site: tuple[TestClient, Database], provider: Provider) -> None:
    client, db = site
    provider.person("alice-sub", tid=TENANT, oid=ALICE_OID)
    with db.session() as session:
        session.scalars(select(User).where(User.name == "alice")).one().active = False
    answer = sign_in_as(client, provider, "alice-sub")
    assert answer.status_code == 403 and "deactivated" in answer.text and not signed_in(client)
    [failed] = audit(db, "login_failed")
    assert failed.actor == "alice" and failed.detail["reason"] == "deactivated"


def test_a_callback_with_another_state_or_from_another_browser_is_refused(
        site: tuple[TestClient, Database], provider: Provider) -> None:
    client, db = site
    provider.person("alice-sub", tid=TENANT, oid=ALICE_OID)
    back = provider.approve(start(client, provider), "alice-sub")
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    forged = urlunsplit(parts._replace(query=urlencode({**query, "state": "not-the-state-we-sent"})))
    answer = client.get(forged, follow_redirects=False)
    assert answer.status_code == 400 and "did not start here" in answer.text and not signed_in(client)
    # Login CSRF: Alice's genuine callback replayed into another person's browser (no state in its session).
    with TestClient(client.app, base_url="http://testserver") as victim:
        answer = victim.get(back, follow_redirects=False)
        assert answer.status_code == 400 and not signed_in(victim)
    assert [row.detail["reason"] for row in audit(db, "login_failed")] == ["state", "state"]
    assert audit(db, "login") == []


def test_next_never_leaves_the_site(site: tuple[TestClient, Database], provider: Provider) -> None:
    client, _ = site
    provider.person("alice-sub", tid=TENANT, oid=ALICE_OID)
    answer = sign_in_as(client, provider, "alice-sub", next_page="//evil.example/")
    assert answer.status_code == 303 and answer.headers["location"] == "/requests"


def test_an_administrator_links_an_account_on_the_users_page(
        site: tuple[TestClient, Database], provider: Provider) -> None:
    client, db = site
    add_account(db, "bob")
    provider.person("bob-sub", tid=TENANT, oid=MALLORY_OID)
    assert sign_in_as(client, provider, "bob-sub").status_code == 403
    client.post("/signin", data={"name": "root", "password": PASSWORD, "next": "/admin/users",
                                 "csrf_token": _token(client, "/signin")})
    with db.session() as session:
        bob_id = session.scalars(select(User).where(User.name == "bob")).one().id
    bad = client.post(f"/admin/users/{bob_id}", data={"what": "link", "tid": TENANT, "oid": ALICE_OID,
                                                     "csrf_token": _token(client, "/admin/users")})
    assert bad.status_code == 400 and "already linked to &#39;alice&#39;" in bad.text
    done = client.post(f"/admin/users/{bob_id}", data={"what": "link", "tid": TENANT, "oid": MALLORY_OID.upper(),
                                                      "csrf_token": _token(client, "/admin/users")},
                       follow_redirects=False)
    assert done.status_code == 303
    assert audit(db, "user_linked")[0].detail["oid"] == MALLORY_OID
    client.cookies.clear()
    assert sign_in_as(client, provider, "bob-sub").status_code == 303
    assert "bob" in client.get("/requests").text


def _token(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def test_users_link_at_the_command_line_lets_the_person_sign_in(
        tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "mailbot.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[mailbox]\naddress = "foi@council.example"\n')
    monkeypatch.setenv("MAILBOT_CONFIG", str(config))
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0  # users add never creates the database
    assert CliRunner().invoke(main, ["users", "add", "carol", "--role", "staff"]).exit_code == 0
    wrong = CliRunner().invoke(main, ["users", "link", "carol", "--tid", "common", "--oid", MALLORY_OID])
    assert wrong.exit_code == 1 and "GUID" in wrong.output
    result = CliRunner().invoke(main, ["users", "link", "carol", "--tid", TENANT, "--oid", MALLORY_OID,
                                       "--as", "setup"])
    assert result.exit_code == 0, result.output
    db = Database(f"sqlite:///{tmp_path / 'mailbot.db'}")
    provider.person("carol-sub", tid=TENANT, oid=MALLORY_OID)
    app = create_app(sso_settings(tmp_path, provider, monkeypatch), db, password_hasher=HASHER, secret_key="k")
    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in_as(client, provider, "carol-sub").status_code == 303 and signed_in(client)
    unlinked = CliRunner().invoke(main, ["users", "unlink", "carol"])
    assert unlinked.exit_code == 0
    with TestClient(app, base_url="http://testserver") as client:
        assert sign_in_as(client, provider, "carol-sub").status_code == 403
    db.dispose()


@pytest.mark.parametrize(("web", "expected"), [
    ({"oidc_tenant_id": "common", "oidc_client_id": TENANT}, "GUID"),
    ({"oidc_client_id": TENANT}, "needs both oidc_tenant_id and oidc_client_id"),
    ({"oidc_tenant_id": TENANT, "oidc_client_id": TENANT, "oidc_metadata_url": "http://idp.example/x"},
     "https://"),
])
def test_incomplete_or_unsafe_single_sign_on_settings_are_refused(web: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        settings_from_mapping({"web": web})


def test_the_client_secret_comes_only_from_the_environment(
        tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="MAILBOT_WEB_OIDC_SECRET"):
        settings_from_mapping({"web": {"oidc_tenant_id": TENANT, "oidc_client_id": TENANT,
                                       "oidc_secret": "in-the-file"}})
    monkeypatch.delenv("MAILBOT_WEB_OIDC_SECRET", raising=False)
    settings = web_settings(tmp_path, oidc_tenant_id=TENANT, oidc_client_id=TENANT)
    assert settings.web.oidc_metadata == (
        f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration")
    with pytest.raises(ConfigError, match="MAILBOT_WEB_OIDC_SECRET"):
        create_app(settings, Database(sqlite_url), password_hasher=HASHER, secret_key="k")


def test_an_unreachable_provider_gives_a_page_not_a_crash(
        tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("MAILBOT_WEB_OIDC_SECRET", "s3cret-value")
    settings = web_settings(tmp_path, oidc_tenant_id=TENANT, oidc_client_id=TENANT,
                            oidc_metadata_url=f"http://127.0.0.1:{port}/.well-known/openid-configuration")
    app = create_app(settings, Database(sqlite_url), password_hasher=HASHER, secret_key="k")
    with TestClient(app) as client:
        answer = client.get("/signin/oidc", follow_redirects=False)
    assert answer.status_code == 502 and "cannot be reached" in answer.text
    assert "s3cret-value" not in answer.text


@pytest.mark.parametrize("pinned_here", [True, False])
def test_a_token_from_another_issuer_than_the_configured_one_is_refused(
        tmp_path: Path, sqlite_url: str, provider: Provider, monkeypatch: pytest.MonkeyPatch,
        pinned_here: bool) -> None:
    db = Database(sqlite_url)
    add_account(db, "alice")
    link_alice(db)
    provider.person("alice-sub", tid=TENANT, oid=ALICE_OID)
    pinned = sso_settings(tmp_path, provider, monkeypatch).model_copy(deep=True)
    issuer = provider.url if pinned_here else f"https://login.microsoftonline.com/{TENANT}/v2.0"
    web = pinned.web.model_copy(update={"oidc_issuer": issuer})
    pinned = pinned.model_copy(update={"web": web})
    app = create_app(pinned, db, password_hasher=HASHER, secret_key="k")
    with TestClient(app, base_url="http://testserver") as client:
        answer = sign_in_as(client, provider, "alice-sub")  # the provider's iss is its loopback address
        assert answer.status_code == (303 if pinned_here else 401) and signed_in(client) == pinned_here
    if not pinned_here:
        [failed] = audit(db, "login_failed")
        assert failed.detail["reason"].startswith("token:")
    db.dispose()
