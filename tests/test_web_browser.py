"""The staff web app in a real browser: Playwright driving Debian's Chromium, axe-core checking every page.

Chromium comes from Debian (`apt-get install chromium`; no browser download), axe-core from npm (`.ci/run`
installs it under .cache/). Where either is missing the tests skip, except on CI (MAILBOT_REQUIRE_SERVERS=1),
where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from servers import SmtpSink

from mailbot.config import Settings
from mailbot.runners.send import Outbox
from mailbot.store.db import Database
from mailbot.testing.web import HASHER, PASSWORD, add_account, add_cases, seed_requests, web_settings
from mailbot.web.app import create_app
from mailbot.web.serving import free_port, serve_in_thread

SITE: dict[str, Any] = {}  # the module's database and settings, for tests that look behind the pages
CHROMIUM = os.environ.get("MAILBOT_CHROMIUM", "/usr/bin/chromium")
AXE = Path(os.environ.get("MAILBOT_AXE_JS", Path(__file__).resolve().parent.parent / ".cache" / "node_modules"
                          / "axe-core" / "axe.min.js"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _required() -> bool:
    return os.environ.get("MAILBOT_REQUIRE_SERVERS", "") not in ("", "0", "false", "no")


def _missing() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return f"no axe-core at {AXE} (npm install --prefix .cache axe-core@4)"
    try:
        import playwright.sync_api  # noqa: F401 - only whether it imports
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = _missing()
    if reason:
        if _required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    data = tmp_path_factory.mktemp("web")
    (data / "wording").mkdir()
    settings = web_settings(data, page_size=10, templates_dir=data / "wording")
    db = Database(f"sqlite:///{data / 'mailbot.db'}")
    seed_requests(db, settings)
    SITE.update(db=db, settings=settings)
    add_cases(db, settings, 14, received=date(2022, 4, 1), subject="Overdue item")
    add_account(db, "alice")
    add_account(db, "newbie", must_change=True)
    add_account(db, "root", "admin")
    served = serve_in_thread(create_app(settings, db, password_hasher=HASHER, secret_key="browser-tests"))
    yield served.url
    served.stop()
    db.dispose()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                                              else shutil.which("chromium"))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # axe is injected as an inline script, which the app's CSP rightly forbids: these pages bypass the CSP; the
    # CSP itself is checked by test_pages_run_under_the_csp_without_violations.
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: tags})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def sign_in_by_keyboard(page: Any, server: str, name: str = "alice") -> None:
    page.goto(f"{server}/signin")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'name'")  # autofocus
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/signin" not in page.url, page.locator("main").inner_text()


def test_sign_in_filter_and_open_a_request_by_keyboard(page: Any, server: str) -> None:
    page.goto(f"{server}/signin")
    assert axe_violations(page) == []
    sign_in_by_keyboard(page, server)
    assert page.url.startswith(f"{server}/requests")
    assert axe_violations(page) == []
    page.select_option("#state", "overdue")
    page.fill("#q", "overdue item")
    page.press("#q", "Enter")
    page.wait_for_load_state()
    assert "state=overdue" in page.url
    assert page.locator("p.count").inner_text().startswith("14 requests, page 1 of 2.")
    first = page.locator("table.requests tbody th a").first
    reference = first.inner_text()
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith(reference)
    assert "Why this date" in page.content()
    assert axe_violations(page) == []


def test_the_request_page_of_a_real_decision_passes_axe(page: Any, server: str) -> None:
    sign_in_by_keyboard(page, server)
    page.goto(f"{server}/requests?q=sam+smith")
    page.locator("table.requests tbody th a").first.click()
    page.wait_for_load_state()
    assert page.locator("pre.mail").first.inner_text().count("<script>") == 1  # shown as text, not run
    assert axe_violations(page) == []


def test_a_held_request_passes_axe_and_is_released_from_its_page(page: Any, server: str) -> None:
    sign_in_by_keyboard(page, server)
    page.goto(f"{server}/requests?state=held")
    page.locator("table.requests tbody th a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Held request #")
    assert axe_violations(page) == []
    page.fill("#held-name", "Fred Wright")
    page.fill("#held-on", "2022-05-12")
    page.uncheck("#held-ack")
    page.get_by_role("button", name="Release the request").click()
    page.wait_for_load_state()
    assert re.fullmatch(r"\d+/2022", page.locator("h1").inner_text().split()[0])
    assert "Released: the request has its reference" in page.content()
    assert "alice: released the held request" in page.locator("ol.timeline").inner_text()
    assert "Mon 13 Jun 2022" in page.locator("dl.facts").inner_text()
    assert axe_violations(page) == []


def test_the_password_page_passes_axe(page: Any, server: str) -> None:
    sign_in_by_keyboard(page, server, "newbie")
    assert page.url.endswith("/account/password")
    assert axe_violations(page) == []


def test_pages_reflow_at_200_percent_zoom(browser: Any, server: str) -> None:
    """1280 CSS pixels at 200% zoom are 640: nothing but the data table may scroll sideways (WCAG 1.4.10)."""
    context = browser.new_context(viewport={"width": 640, "height": 800}, device_scale_factor=2)
    page = context.new_page()
    sign_in_by_keyboard(page, server)
    for path in ("/requests", "/requests?state=overdue"):
        page.goto(f"{server}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()


def test_an_admins_menu_wraps_on_a_phone_instead_of_running_off_the_screen(browser: Any, server: str) -> None:
    """320 CSS pixels (WCAG 1.4.10's width): every menu link, the admin's longer menu included, is on screen."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    sign_in_by_keyboard(page, server, "root")
    page.goto(f"{server}/requests")
    outside = page.evaluate("[...document.querySelectorAll('.top nav a')].filter(a => "
                            "a.getBoundingClientRect().right > document.documentElement.clientWidth).map(a => a.text)")
    assert outside == []
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    context.close()


def test_pages_run_under_the_csp_without_violations(browser: Any, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in_by_keyboard(page, server)
    page.goto(f"{server}/requests")
    page.goto(f"{server}/requests?q=sam+smith")
    assert [e for e in errors if "Content Security Policy" in e] == []
    assert errors == []  # nothing else either: the favicon a browser asks for of itself is there (it was a 404)
    assert page.evaluate("getComputedStyle(document.querySelector('.top')).display") == "flex"  # the CSS loaded
    context.close()


def test_record_an_extension_after_seeing_the_previewed_date(page: Any, server: str) -> None:
    sign_in_by_keyboard(page, server)
    page.goto(f"{server}/requests?q=jo+bloggs")
    page.locator("table.requests tbody th a").first.click()
    page.wait_for_load_state()
    page.select_option("#kind", "extended")
    page.fill("#on", "2022-06-01")
    page.get_by_role("button", name="Preview the new due date").click()
    page.wait_for_load_state()
    preview = page.locator(".preview").inner_text()
    assert "The new due date would be Mon 11 Jul 2022 (now Mon 13 Jun 2022)" in preview
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Saved: Extended" in page.locator(".notice").inner_text()
    assert "Mon 11 Jul 2022" in page.locator("dl.facts").inner_text()


def test_triage_a_message_into_a_request_whose_acknowledgement_reaches_the_smtp_server(
        page: Any, server: str, smtp_sink: SmtpSink) -> None:
    sign_in_by_keyboard(page, server)
    page.goto(f"{server}/todo")
    assert axe_violations(page) == []
    page.locator("#unanswered + .table-wrap tbody th a").first.click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    assert page.locator("#acknowledge").is_checked()
    page.fill("#name", "Pat Jones")
    page.get_by_role("button", name="Open the request").click()
    page.wait_for_load_state()
    reference = page.locator("h1").inner_text().split()[0]
    assert re.fullmatch(r"\d+/2022", reference), reference
    settings = Settings.model_validate({**SITE["settings"].model_dump(exclude_unset=True),
                                        "smtp": {"host": smtp_sink.host, "port": smtp_sink.port}})
    outbox = Outbox(settings, SITE["db"], password=None)
    # The bot's next cycle, in a thread of its own: Playwright's sync API keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        sent = pool.submit(outbox.send_pending, lambda: datetime.now(UTC)).result(60)
    assert sent.sent >= 1 and sent.failed == 0  # with the seed's replies, which nothing had sent yet
    [mail] = [m for m in smtp_sink.wait_for(sent.sent) if m.rcpt_tos == ["person4@example.org"]]
    assert reference in str(mail.message["Subject"])
    assert "Dear Pat Jones" in mail.message.get_body(("plain",)).get_content()


def test_a_staff_member_is_refused_an_admin_page(page: Any, server: str) -> None:
    sign_in_by_keyboard(page, server)
    response = page.goto(f"{server}/admin/users")
    assert response.status == 403 and page.locator("h1").inner_text() == "Not allowed"
    assert page.get_by_role("link", name="Users").count() == 0
    for path in ("/status", "/overview"):
        page.goto(f"{server}{path}")
        assert axe_violations(page) == [], path


def test_the_admin_pages_pass_axe(page: Any, server: str) -> None:
    sign_in_by_keyboard(page, server, "root")
    for path in ("/admin/users", "/admin/audit"):
        assert page.goto(f"{server}{path}").status == 200
        assert axe_violations(page) == [], path


def test_edit_a_template_see_the_preview_change_and_a_broken_one_refused_at_its_line(page: Any, server: str) -> None:
    sign_in_by_keyboard(page, server, "root")
    page.goto(f"{server}/admin/templates")
    assert axe_violations(page) == []
    page.get_by_role("link", name="acknowledgement_foi/text.txt", exact=True).click()
    page.wait_for_load_state()
    text = page.locator("#content").input_value()
    page.fill("#content", text.replace("I acknowledge receipt", "We gladly acknowledge receipt"))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert "We gladly acknowledge receipt of your request" in page.locator("#preview ~ pre.mail").first.inner_text()
    assert axe_violations(page) == []
    page.fill("#content", text + "\n{% if %}\n")
    page.get_by_role("button", name="Check and save").click()
    page.wait_for_load_state()
    assert re.search(r"templates\.dir/acknowledgement_foi/text\.txt:\d+: syntax error",
                     page.locator(".error").inner_text())
    assert not (SITE["settings"].templates.dir and
                (Path(SITE["settings"].templates.dir) / "acknowledgement_foi" / "text.txt").exists())


@pytest.fixture(scope="module")
def sso_server(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """A second app, with sign-in with Microsoft against a real OpenID provider on loopback (after `server`, so
    the module's one browser is already there when this starts)."""
    from sqlalchemy import select

    from mailbot.store.models import User
    from mailbot.testing.oidc import TENANT, oidc_provider

    data = tmp_path_factory.mktemp("sso")
    db = Database(f"sqlite:///{data / 'mailbot.db'}")
    add_account(db, "alice")
    with db.session() as session:
        alice = session.scalars(select(User).where(User.name == "alice")).one()
        alice.oidc_tid, alice.oidc_oid = TENANT, SSO_OID
    port = free_port()  # the callback address is registered with the provider before the app starts
    with oidc_provider() as provider, pytest.MonkeyPatch.context() as env:
        client_id, secret = provider.register(f"http://127.0.0.1:{port}/signin/oidc/callback")
        env.setenv("MAILBOT_WEB_OIDC_SECRET", secret)
        settings = web_settings(data, oidc_tenant_id=TENANT, oidc_client_id=client_id,
                                oidc_metadata_url=provider.metadata_url)
        served = serve_in_thread(create_app(settings, db, password_hasher=HASHER, secret_key="browser-sso"),
                                 port=port)
        yield served.url, provider
        served.stop()
    db.dispose()


SSO_OID = "5b1f0a9e-3c2d-4e8f-9a7b-1c2d3e4f5a6b"


def test_sign_in_with_microsoft_by_clicking_the_link(page: Any, sso_server: tuple[str, Any]) -> None:
    from mailbot.testing.oidc import TENANT

    url, provider = sso_server
    provider.person("alice-sso", tid=TENANT, oid=SSO_OID, email="alice@council.example")
    page.goto(f"{url}/signin?next=/todo")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in with Microsoft").click()
    assert page.url.startswith(provider.url + "/oauth2/authorize")
    page.fill("input[name=sub]", "alice-sso")
    with page.expect_navigation(url=re.compile(r"/todo$")):
        page.get_by_role("button", name="Authorize").click()
    assert "Signed in as alice" in page.content()
    # Someone else in the tenant, not linked: refused with what to do, on a page that passes axe.
    page.context.clear_cookies()
    provider.person("stranger", tid=TENANT, oid="7c3e2b1a-4d5f-4a6b-8c9d-0e1f2a3b4c5d")
    page.goto(f"{url}/signin")
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in with Microsoft").click()
    page.fill("input[name=sub]", "stranger")
    with page.expect_navigation(url=re.compile(r"/signin/oidc/callback")):
        page.get_by_role("button", name="Authorize").click()
    assert "ask an administrator to link your account" in page.locator("main").inner_text()
    assert axe_violations(page) == []
