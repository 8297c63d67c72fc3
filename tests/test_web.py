"""The staff web app through Starlette's test client, on a real SQLite (and PostgreSQL) database."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from starlette.testclient import TestClient

from mailbot.cli import main
from mailbot.replies.editing import shipped_text
from mailbot.runners.faults import Component, Fault
from mailbot.runners.outages import note_outage
from mailbot.store.accounts import record_action
from mailbot.store.casework import record_event
from mailbot.store.db import Database
from mailbot.store.models import (
    Case,
    Decision,
    InboundMessage,
    OutboxMessage,
    Review,
    StaffAction,
    TemplateVersion,
    User,
)
from mailbot.store.statistics import monthly
from mailbot.testing.client_mime import with_attachment
from mailbot.testing.web import (
    HASHER,
    PASSWORD,
    SEED_AT,
    add_account,
    add_cases,
    seed_requests,
    store_and_decide,
    web_settings,
)
from mailbot.web.app import create_app

TODAY = "2022-05-20"


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[tuple[TestClient, Database]]:
    settings = web_settings(tmp_path, page_size=10)
    db = Database(db_url)
    seed_requests(db, settings)
    add_account(db, "alice")
    add_account(db, "root", "admin")
    app = create_app(settings, db, password_hasher=HASHER, secret_key="test-secret")
    with TestClient(app, base_url="http://testserver") as client:
        yield client, db
    db.dispose()


def token(client: TestClient, path: str = "/signin") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client: TestClient, name: str = "alice", password: str = PASSWORD) -> object:
    return client.post("/signin", data={"name": name, "password": password, "csrf_token": token(client),
                                        "next": "/requests"}, follow_redirects=False)


def test_health_answers_without_signing_in(site: tuple[TestClient, Database]) -> None:
    client, _ = site
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["version"] and "foi@council.example" in body["mailboxes"]


def test_health_says_degraded_while_the_bot_records_an_outage(site: tuple[TestClient, Database]) -> None:
    client, db = site
    note_outage(db, "foi@council.example", Fault(Component.SMTP, "mail relay unreachable"), "ConnectionRefused",
                datetime.now(UTC))
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["mailboxes"]["foi@council.example"]["outages"][0].startswith("mail relay unreachable since")


def test_pages_need_a_signed_in_person(site: tuple[TestClient, Database]) -> None:
    client, _ = site
    for path in ("/requests", "/requests.csv", "/requests/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/signin?next=/requests")


def test_sign_in_and_see_the_requests_the_bot_decided(site: tuple[TestClient, Database]) -> None:
    client, db = site
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/requests"
    page = client.get(f"/requests?today={TODAY}").text
    with db.session() as session:
        references = [c.reference for c in session.scalars(select(Case)) if c.reference]
    assert len(references) == 2  # Jo Bloggs and Sam Smith; Fred's is held
    for reference in references:
        assert reference in page
    assert "held #" in page and "first name only" not in page  # held rows say what is missing, not why
    assert "working days left" in page
    with db.session() as session:
        assert session.scalars(select(StaffAction).where(StaffAction.action == "login")).one().actor == "alice"


def test_a_form_without_its_csrf_token_is_refused(site: tuple[TestClient, Database]) -> None:
    client, _ = site
    response = client.post("/signin", data={"name": "alice", "password": PASSWORD, "next": "/requests"})
    assert response.status_code == 403
    sign_in(client)
    assert client.post("/signout", data={}).status_code == 403
    assert client.post("/signout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/requests", follow_redirects=False).status_code == 200  # still signed in


def test_a_form_from_another_site_is_refused(site: tuple[TestClient, Database]) -> None:
    client, _ = site
    sign_in(client)
    good = token(client, "/requests")
    response = client.post("/signout", data={"csrf_token": good}, headers={"origin": "https://evil.example"})
    assert response.status_code == 403
    response = client.post("/signout", data={"csrf_token": good}, headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403
    assert client.post("/signout", data={"csrf_token": good}, follow_redirects=False).status_code == 303


def test_wrong_passwords_are_refused_recorded_and_throttled(site: tuple[TestClient, Database]) -> None:
    client, db = site
    for _ in range(5):
        assert sign_in(client, password="wrong").status_code == 401
    assert sign_in(client).status_code == 429  # the right password too, until the window passes
    assert sign_in(client, "nobody", "whatever").status_code == 401  # an unknown name reads the same
    with db.session() as session:
        actions = [a.action for a in session.scalars(select(StaffAction).order_by(StaffAction.id))]
    assert actions.count("login_failed") == 6 and "login_throttled" in actions and "login" not in actions


def test_a_one_time_password_must_be_changed_first(site: tuple[TestClient, Database]) -> None:
    client, db = site
    add_account(db, "bob", must_change=True)
    response = sign_in(client, "bob")
    assert response.headers["location"] == "/account/password"
    form = {"csrf_token": token(client, "/account/password"), "current": PASSWORD, "new": "short", "again": "short"}
    assert client.post("/account/password", data=form).status_code == 400
    form.update(new="a much longer passphrase", again="a much longer passphrase")
    assert client.post("/account/password", data=form, follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert sign_in(client, "bob", "a much longer passphrase").headers["location"] == "/requests"


def test_a_deactivated_account_loses_access_at_once(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    assert client.get("/requests", follow_redirects=False).status_code == 200
    with db.session() as session:
        session.scalars(select(User).where(User.name == "alice")).one().active = False
    assert client.get("/requests", follow_redirects=False).status_code == 303


def test_filters_search_and_pages(site: tuple[TestClient, Database], tmp_path: Path) -> None:
    client, db = site
    settings = web_settings(tmp_path)
    add_cases(db, settings, 23, received=date(2022, 4, 1), subject="Overdue item")  # due 2022-05-04 (Easter)
    add_cases(db, settings, 3, received=date(2022, 1, 10), regime="eir", status="answered", subject="Answered")
    sign_in(client)
    page = client.get(f"/requests?today={TODAY}&state=overdue").text
    assert "23 requests, page 1 of 3." in page and "overdue: 12 working days late" in page
    assert "Gritting" not in page
    last = client.get(f"/requests?today={TODAY}&state=overdue&page=3").text
    assert last.count('<tr class="overdue">') == 3
    held = client.get(f"/requests?today={TODAY}&state=held").text
    assert "1 request." in held and "Facial recognition" in held
    assert "1 request." in client.get("/requests?q=GRITTING").text
    assert "3 requests." in client.get("/requests?regime=eir").text
    assert "3 requests." in client.get("/requests?state=answered&from=2022-01-01&to=2022-01-31").text
    assert "0 requests." in client.get("/requests?q=%25").text  # LIKE wildcards are searched for, not expanded
    assert client.get("/requests?from=yesterday").status_code == 400


def test_csv_honours_the_filter(site: tuple[TestClient, Database], tmp_path: Path) -> None:
    client, db = site
    add_cases(db, web_settings(tmp_path), 2, received=date(2022, 1, 10), regime="eir", subject="=HYPERLINK(1)")
    sign_in(client)
    response = client.get("/requests.csv?regime=eir")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    header = response.text.splitlines()[0]
    assert header.startswith("reference,status,regime,applicant_name,") and ",received,due," in header
    assert len(rows) == 2 and {r["regime"] for r in rows} == {"eir"}
    assert all(r["subject"].startswith("'=") for r in rows)  # a spreadsheet shows it, never runs it
    everything = list(csv.DictReader(io.StringIO(client.get("/requests.csv").text)))
    assert len(everything) == 5


def test_a_request_page_shows_mail_as_text_never_as_markup(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.applicant_name == "Sam Smith")).one()
        case_id, reference = case.id, case.reference
    page = client.get(f"/requests/{case_id}").text
    assert reference in page and "Why this date" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "The bot decided: acknowledge" in page and "Reply queued: acknowledgement foi" in page
    assert "Dear Sam Smith" in page  # the reply's own text


def test_every_response_carries_the_security_headers(site: tuple[TestClient, Database]) -> None:
    client, _ = site
    response = client.get("/signin")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_cookies_are_secure_behind_https(tmp_path: Path, sqlite_url: str) -> None:
    db = Database(sqlite_url)
    app = create_app(web_settings(tmp_path, base_url="https://foi.example.gov.uk/"), db, password_hasher=HASHER,
                     secret_key="k")
    with TestClient(app) as client:
        assert "secure" in client.get("/signin").headers["set-cookie"].lower()


def test_a_person_sees_only_their_mailboxes(site: tuple[TestClient, Database], tmp_path: Path) -> None:
    client, db = site
    add_cases(db, web_settings(tmp_path), 1, received=date(2022, 5, 3), mailbox="dp@council.example",
              subject="Other team")
    add_account(db, "dora", mailboxes=("dp@council.example",))
    sign_in(client, "dora")
    page = client.get("/requests").text
    assert "1 request." in page and "Other team" in page
    with db.session() as session:
        foi_case = session.scalars(select(Case).where(Case.mailbox == "foi@council.example")).first()
        assert foi_case is not None
    assert client.get(f"/requests/{foi_case.id}").status_code == 404
    assert "Gritting" not in client.get("/requests.csv").text


def test_open_redirects_are_refused(site: tuple[TestClient, Database]) -> None:
    client, _ = site
    response = client.post("/signin", data={"name": "alice", "password": PASSWORD, "csrf_token": token(client),
                                            "next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/requests"


def test_users_add_prints_a_one_time_password_that_signs_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "mailbot.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[mailbox]\naddress = "foi@council.example"\n')
    monkeypatch.setenv("MAILBOT_CONFIG", str(config))
    # `users add` never creates the database (only run, db upgrade and the demo do): it says how to.
    missing = CliRunner().invoke(main, ["users", "add", "carol", "--role", "admin", "--as", "setup"])
    assert missing.exit_code == 1 and "`mailbot db upgrade`" in missing.output
    assert not (tmp_path / "mailbot.db").exists()
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(main, ["users", "add", "carol", "--role", "admin", "--as", "setup"])
    assert result.exit_code == 0, result.output
    password = result.output.rsplit(": ", 1)[1].strip()
    again = CliRunner().invoke(main, ["users", "add", "Carol", "--role", "staff"])
    assert again.exit_code == 1 and "already exists" in again.output
    db = Database(f"sqlite:///{tmp_path / 'mailbot.db'}")
    with db.session() as session:
        user = session.scalars(select(User)).one()
        assert user.role == "admin" and user.must_change_password and password not in (user.password_hash or "")
        added = session.scalars(select(StaffAction)).one()
        assert (added.actor, added.via, added.action) == ("setup", "cli", "user_added")
    app = create_app(web_settings(tmp_path), db, secret_key="k")
    with TestClient(app) as client:
        assert sign_in(client, "carol", password).headers["location"] == "/account/password"
    db.dispose()


def _case_id(db: Database, name: str) -> int:
    with db.session() as session:
        return session.scalars(select(Case).where(Case.applicant_name == name)).one().id


def test_an_extension_shows_the_new_due_date_before_it_is_saved(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    case_id = _case_id(db, "Jo Bloggs")  # received 12 May 2022, due 13 June 2022
    form = {"csrf_token": token(client, f"/requests/{case_id}"), "kind": "extended", "on": "2022-06-01"}
    shown = client.post(f"/requests/{case_id}/events/preview", data=form)
    assert shown.status_code == 200
    assert "The new due date would be <strong>Mon 11 Jul 2022</strong> (now Mon 13 Jun 2022)" in shown.text
    with db.session() as session:
        assert session.get(Case, case_id).due == date(2022, 6, 13)  # nothing saved by a preview
    saved = client.post(f"/requests/{case_id}/events", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "Saved: Extended" in page and "Recorded by alice" in page
    with db.session() as session:
        case = session.get(Case, case_id)
        assert case.due == date(2022, 7, 11)
        action = session.scalars(select(StaffAction).where(StaffAction.action == "clock_event")).one()
        assert (action.actor, action.case_id, action.detail["kind"]) == ("alice", case_id, "extended")


def test_an_answer_needs_its_outcome_and_keeps_the_exemptions(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    case_id = _case_id(db, "Jo Bloggs")
    form = {"csrf_token": token(client, f"/requests/{case_id}"), "kind": "answered", "on": "2022-06-10",
            "outcome": "refused", "exemptions": ""}
    refused = client.post(f"/requests/{case_id}/events/preview", data=form)
    assert refused.status_code == 400 and "name the exemptions" in refused.text
    assert 'value="refused" selected' in refused.text  # what was typed is kept
    form["exemptions"] = "s40(2), s 31(1)(a)"
    assert "citing s40(2), s31(1)(a)" in client.post(f"/requests/{case_id}/events/preview", data=form).text
    client.post(f"/requests/{case_id}/events", data=form)
    with db.session() as session:
        case = session.get(Case, case_id)
        assert (case.status, case.outcome, case.exemptions) == ("answered", "refused", ["s40(2)", "s31(1)(a)"])
    page = client.get(f"/requests/{case_id}").text  # its status said once, not "answered — answered"
    assert re.search(r"<dt>Status</dt><dd><span class=\"badge [^\"]*\">answered</span></dd>", page)


def test_a_request_answered_in_error_is_reopened_with_its_statutory_due_date(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    case_id = _case_id(db, "Jo Bloggs")  # due 13 June 2022
    form = {"csrf_token": token(client, f"/requests/{case_id}"), "kind": "reopened", "on": "2022-05-20"}
    refused = client.post(f"/requests/{case_id}/events/preview", data=form)
    assert refused.status_code == 400 and "can be reopened (this one is open)" in refused.text
    client.post(f"/requests/{case_id}/events", data={**form, "kind": "closed", "on": "2022-05-16"})
    shown = client.post(f"/requests/{case_id}/events/preview", data=form)
    assert "The new due date would be <strong>Mon 13 Jun 2022</strong>" in shown.text
    client.post(f"/requests/{case_id}/events", data=form)
    with db.session() as session:
        case = session.get(Case, case_id)
        assert (case.status, case.due) == ("open", date(2022, 6, 13))
    early = client.post(f"/requests/{case_id}/events", data={**form, "kind": "answered", "on": "2022-05-19",
                                                              "outcome": "granted_in_full"})
    assert early.status_code == 400 and "reopened on 2022-05-20: date this after that" in early.text


def test_an_event_the_clock_cannot_take_is_explained_not_saved(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    case_id = _case_id(db, "Jo Bloggs")
    form = {"csrf_token": token(client, f"/requests/{case_id}"), "kind": "extended", "on": "2022-01-01"}
    response = client.post(f"/requests/{case_id}/events", data=form)
    assert response.status_code == 400 and "before the request was received" in response.text
    held = _case_id(db, "Fred")
    form = {"csrf_token": token(client, f"/requests/{held}"), "kind": "extended", "on": "2022-06-01"}
    assert "has no clock yet" in client.post(f"/requests/{held}/events/preview", data=form).text
    assert client.post(f"/requests/{case_id}/events", data={**form, "csrf_token": "x"}).status_code == 403
    with db.session() as session:
        assert session.scalars(select(StaffAction).where(StaffAction.action == "clock_event")).all() == []


def _left_to_staff(db: Database) -> int:
    with db.session() as session:
        return session.scalars(select(Decision.inbound_id).where(Decision.action == "staff_review")).one()


def test_triage_opens_a_request_from_mail_the_bot_left(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    todo = client.get("/todo").text
    message_id = _left_to_staff(db)
    assert f'href="/messages/{message_id}"' in todo and "FOI: due Mon 13 Jun 2022" in todo
    page = client.get(f"/messages/{message_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    form = {"csrf_token": token(client, f"/messages/{message_id}"), "verdict": "request", "regime": "foi",
            "name": "Pat Jones", "address": "person4@example.org", "acknowledge": "yes"}
    opened = client.post(f"/messages/{message_id}/triage", data=form, follow_redirects=False)
    assert opened.status_code == 303
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.applicant_name == "Pat Jones")).one()
        assert (case.status, case.received, case.due) == ("open", date(2022, 5, 12), date(2022, 6, 13))
        assert case.reference and opened.headers["location"] == f"/requests/{case.id}"
        reply = session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).one()
        assert (reply.recipient, reply.status, reply.template) == ("person4@example.org", "queued",
                                                                   "acknowledgement_foi")
        verdict = session.scalars(select(StaffAction).where(StaffAction.action == "triage")).one()
        assert (verdict.actor, verdict.inbound_id, verdict.detail["verdict"], verdict.detail["bot_action"]) == (
            "alice", message_id, "request", "staff_review")
    assert f'href="/messages/{message_id}"' not in client.get("/todo").text
    again = client.post(f"/messages/{message_id}/triage", data=form)
    assert again.status_code == 400 and "already decided" in again.text
    assert case.reference in client.get(f"/requests/{case.id}").text


def test_triage_without_an_acknowledgement_and_the_other_verdicts(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    message_id = _left_to_staff(db)
    csrf = token(client, f"/messages/{message_id}")
    bad = client.post(f"/messages/{message_id}/triage", data={"csrf_token": csrf, "verdict": "attached",
                                                              "reference": "99/1999"})
    assert bad.status_code == 400 and "no request" in bad.text
    with db.session() as session:
        reference = session.scalars(select(Case.reference).where(Case.applicant_name == "Jo Bloggs")).one()
    attached = client.post(f"/messages/{message_id}/triage", data={"csrf_token": csrf, "verdict": "attached",
                                                                   "reference": reference},
                           follow_redirects=False)
    assert attached.status_code == 303
    page = client.get(attached.headers["location"]).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the message is on that request's timeline now
    with db.session() as session:
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.inbound_id == message_id)).all() == []


def test_triage_opens_an_internal_review_of_an_answered_request(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    case_id = _case_id(db, "Jo Bloggs")
    message_id = _left_to_staff(db)
    with db.session() as session:
        reference = session.get(Case, case_id).reference
    form = {"csrf_token": token(client, f"/messages/{message_id}"), "verdict": "review", "reference": reference,
            "acknowledge": "yes"}
    early = client.post(f"/messages/{message_id}/triage", data=form)
    assert early.status_code == 400 and "has not been answered yet" in early.text
    client.post(f"/requests/{case_id}/events", data={"csrf_token": form["csrf_token"], "kind": "answered",
                                                     "on": "2022-05-13", "outcome": "granted_in_full"})
    opened = client.post(f"/messages/{message_id}/triage", data=form, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/requests/{case_id}"
    with db.session() as session:
        review = session.scalars(select(Review).where(Review.case_id == case_id)).one()
        # received Thursday 12 May 2022: 20 working days, 2 and 3 June not counted, so Monday 13 June
        assert (review.inbound_id, review.received, review.due, review.status) == (
            message_id, date(2022, 5, 12), date(2022, 6, 13), "open")
        reply = session.scalars(select(OutboxMessage).where(OutboxMessage.inbound_id == message_id)).one()
        assert (reply.template, reply.recipient, reply.case_id) == (
            "acknowledgement_review", "person1@example.org", case_id)
        verdict = session.scalars(select(StaffAction).where(StaffAction.action == "triage")).one()
        assert (verdict.actor, verdict.detail["verdict"], verdict.detail["reference"]) == ("alice", "review",
                                                                                        reference)


def test_not_a_request_is_recorded_with_its_reason(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    message_id = _left_to_staff(db)
    csrf = token(client, f"/messages/{message_id}")
    assert client.post(f"/messages/{message_id}/triage", data={"csrf_token": csrf, "verdict": "not_request",
                                                               "reason": ""}).status_code == 400
    done = client.post(f"/messages/{message_id}/triage", data={"csrf_token": csrf, "verdict": "not_request",
                                                               "reason": "spam", "note": "phishing"},
                       follow_redirects=False)
    assert done.headers["location"] == "/todo"
    with db.session() as session:
        verdict = session.scalars(select(StaffAction).where(StaffAction.action == "triage")).one()
        assert (verdict.detail["verdict"], verdict.detail["reason"]) == ("not_request", "spam")
    assert "Decided by alice" in client.get(f"/messages/{message_id}").text


def test_quarantined_messages_and_failed_replies_go_back_in_the_queue(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    with db.session() as session:
        row = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).first()
        row.status, row.attempts, row.last_error = "quarantined", 3, "ValueError: broken"
        reply = session.scalars(select(OutboxMessage)).first()
        reply.status, reply.last_error = "failed", "550 no such user"
        row_id, reply_id = row.id, reply.id
    todo = client.get("/todo").text
    assert "ValueError: broken" in todo and "550 no such user" in todo
    csrf = token(client, "/todo")
    assert client.post(f"/messages/{row_id}/requeue", data={"csrf_token": csrf}).status_code == 200
    assert client.post(f"/replies/{reply_id}/retry", data={"csrf_token": csrf}).status_code == 200
    assert client.post(f"/replies/{reply_id}/retry", data={"csrf_token": csrf}).status_code == 409
    with db.session() as session:
        assert (session.get(InboundMessage, row_id).status, session.get(InboundMessage, row_id).attempts) == ("new", 0)
        assert session.get(OutboxMessage, reply_id).status == "queued"
        assert {a.action for a in session.scalars(select(StaffAction))} >= {"requeue", "retry_reply"}


def test_a_staff_member_is_refused_the_admin_pages_whatever_they_post(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    csrf = token(client, "/requests")
    for path in ("/admin/users", "/admin/audit"):
        assert client.get(path).status_code == 403
    assert client.post("/admin/users", data={"csrf_token": csrf, "name": "mallory", "role": "admin"}).status_code == 403
    with db.session() as session:
        alice = session.scalars(select(User).where(User.name == "alice")).one()
        assert session.scalars(select(User).where(User.name == "mallory")).all() == []
    assert client.post(f"/admin/users/{alice.id}", data={"csrf_token": csrf, "what": "role",
                                                         "role": "admin"}).status_code == 403
    assert "Users</a>" not in client.get("/requests").text  # not offered either


def test_an_admin_adds_changes_and_deactivates_users_and_it_is_audited(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client, "root")
    csrf = token(client, "/admin/users")
    added = client.post("/admin/users", data={"csrf_token": csrf, "name": "erin", "role": "staff",
                                              "display_name": "Erin Example"})
    password = re.search(r"One-time password for <strong>erin</strong>: <code>([^<]+)</code>", added.text)
    assert added.status_code == 200 and password
    assert client.post("/admin/users", data={"csrf_token": csrf, "name": "ERIN", "role": "staff"}).status_code == 400
    with db.session() as session:
        erin = session.scalars(select(User).where(User.name == "erin")).one()
        root = session.scalars(select(User).where(User.name == "root")).one()
    client.post(f"/admin/users/{erin.id}", data={"csrf_token": csrf, "what": "role", "role": "admin"})
    client.post(f"/admin/users/{erin.id}", data={"csrf_token": csrf, "what": "deactivate"})
    refused = client.post(f"/admin/users/{root.id}", data={"csrf_token": csrf, "what": "deactivate"})
    assert refused.status_code == 400 and "cannot deactivate yourself" in refused.text
    with db.session() as session:
        erin = session.get(User, erin.id)
        assert (erin.role, erin.active, erin.display_name) == ("admin", False, "Erin Example")
    audit = client.get("/admin/audit").text
    for action in ("user added", "user role", "user deactivated"):
        assert f"<td>{action}</td>" in audit
    other = TestClient(client.app)
    assert sign_in(other, "erin", password.group(1)).status_code == 401  # deactivated


def test_the_status_page_says_what_waits_and_what_failed(site: tuple[TestClient, Database]) -> None:
    client, db = site
    sign_in(client)
    with db.session() as session:
        session.scalars(select(OutboxMessage)).first().status = "failed"
    page = client.get("/status").text
    assert "foi@council.example" in page
    assert re.search(r"Replies waiting to be sent</dt><dd>2</dd>", page)
    assert re.search(r'Replies refused for good</dt><dd><a href="/todo#failed">1</a>', page)
    assert "Leader</dt>" in page


def test_staff_verdicts_become_a_regression_suite_for_the_judge(
        site: tuple[TestClient, Database], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    client, db = site
    sign_in(client)
    message_id = _left_to_staff(db)
    form = {"csrf_token": token(client, f"/messages/{message_id}"), "verdict": "request", "regime": "foi",
            "name": "Pat Jones", "address": "person4@example.org"}
    client.post(f"/messages/{message_id}/triage", data=form)
    with db.session() as session:  # a second label, one the judge agrees with: Jo's acknowledged request
        jo = session.scalars(select(Decision).where(Decision.action == "acknowledge")).first()
        record_action(session, "alice", "triage", inbound_id=jo.inbound_id, verdict="request")
    config = tmp_path / "mailbot.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[mailbox]\naddress = "foi@council.example"\n'
                      f'[database]\nurl = "{db_url}"\n')
    monkeypatch.setenv("MAILBOT_CONFIG", str(config))
    result = CliRunner().invoke(main, ["evaluate"])
    assert result.exit_code == 1, result.output  # the judge still leaves Pat's message to staff
    assert "staff (alice) said request; the judge says correspondence → staff_review" in result.output
    assert "1 of 2 staff verdicts agree with the current judge (50%)" in result.output


@pytest.fixture
def wording(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[TestClient, Path, Database]]:
    admin_dir = tmp_path / "wording"
    admin_dir.mkdir()
    db = Database(sqlite_url)
    add_account(db, "root", "admin")
    add_account(db, "alice")
    app = create_app(web_settings(tmp_path, templates_dir=admin_dir), db, password_hasher=HASHER, secret_key="k")
    with TestClient(app) as client:
        sign_in(client, "root")
        yield client, admin_dir, db
    db.dispose()


EDITED = "acknowledgement_foi/text.txt"


def _edit_form(client: TestClient, content: str, what: str) -> dict[str, str]:
    return {"csrf_token": token(client, f"/admin/templates/edit?path={EDITED}"), "path": EDITED,
            "content": content, "what": what}


def test_a_wording_edit_is_previewed_before_anything_is_saved(
        wording: tuple[TestClient, Path, Database]) -> None:
    client, admin_dir, _ = wording
    page = client.get(f"/admin/templates/edit?path={EDITED}").text
    assert "I acknowledge receipt of your request" in page and "The shipped wording is in use." in page
    shipped = shipped_text(EDITED)
    edited = shipped.replace("I acknowledge receipt of your request", "We have received your request")
    shown = client.post("/admin/templates/edit", data=_edit_form(client, edited, "preview")).text
    assert "We have received your request for information received by this office on" in shown
    assert not (admin_dir / EDITED).exists()


def test_a_broken_template_is_not_saved_and_its_line_is_shown(wording: tuple[TestClient, Path, Database]) -> None:
    client, admin_dir, _ = wording
    broken = shipped_text(EDITED) + "\n{% if %}\n"
    response = client.post("/admin/templates/edit", data=_edit_form(client, broken, "save"))
    line = broken.count("\n")
    assert response.status_code == 400 and f"templates.dir/{EDITED}:{line}: syntax error" in response.text
    assert not (admin_dir / EDITED).exists()


def test_a_template_that_would_hang_says_so_in_the_preview(wording: tuple[TestClient, Path, Database]) -> None:
    client, _, _ = wording
    hang = "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
    response = client.post("/admin/templates/edit", data=_edit_form(client, hang, "preview"))
    assert f"templates.dir/{EDITED}:1:" in response.text and "took over" in response.text


def test_saving_and_reverting_are_versioned_with_who_did_it(wording: tuple[TestClient, Path, Database]) -> None:
    client, admin_dir, db = wording
    edited = shipped_text(EDITED).replace("I acknowledge receipt", "We acknowledge receipt")
    saved = client.post("/admin/templates/edit", data=_edit_form(client, edited, "save"), follow_redirects=False)
    assert saved.status_code == 303
    assert (admin_dir / EDITED).read_text(encoding="utf-8") == edited
    page = client.get(saved.headers["location"]).text
    assert "Saved." in page and "An edited version is in use." in page and "saved by root" in page
    assert client.post("/admin/templates/edit", data=_edit_form(client, edited, "revert"),
                       follow_redirects=False).status_code == 303
    assert not (admin_dir / EDITED).exists()
    with db.session() as session:
        versions = [(v.actor, v.content is None) for v in session.scalars(select(TemplateVersion))]
        actions = [a.action for a in session.scalars(select(StaffAction).where(StaffAction.action.like("template%")))]
    assert versions == [("root", False), ("root", True)] and actions == ["template_saved", "template_reverted"]


def test_only_shipped_template_files_can_be_edited_and_only_by_admins(
        wording: tuple[TestClient, Path, Database]) -> None:
    client, admin_dir, _ = wording
    assert client.get("/admin/templates/edit?path=../../etc/passwd").status_code == 404
    form = {**_edit_form(client, "x", "save"), "path": "../outside.txt"}
    assert client.post("/admin/templates/edit", data=form).status_code == 404
    assert not (admin_dir.parent / "outside.txt").exists()
    staff = TestClient(client.app)
    sign_in(staff)
    assert staff.get("/admin/templates").status_code == 403


def test_the_overview_counts_received_answered_and_on_time_per_month(site: tuple[TestClient, Database],
                                                                      tmp_path: Path) -> None:
    client, db = site
    settings = web_settings(tmp_path)
    add_cases(db, settings, 3, received=date(2022, 3, 1), subject="March")
    policy = settings.clock_policy()
    with db.session() as session:
        march = list(session.scalars(select(Case).where(Case.subject.like("March%")).order_by(Case.id)))
        record_event(session, march[0], "answered", date(2022, 3, 10), policy, source="staff")  # on time
        record_event(session, march[1], "answered", date(2022, 5, 2), policy, source="staff")  # late (due 29 Mar)
    sign_in(client)
    page = client.get("/overview?today=2022-05-20").text
    assert "<th scope=\"row\">March 2022</th><td>3</td><td>1</td>\n    <td>1 (100%)</td>" in page
    assert "<th scope=\"row\">May 2022</th><td>3</td><td>1</td>\n    <td>0 (0%)</td>" in page  # the seed's 3 in May
    assert "2 requests answered, 1 on time (50%)." in page
    assert page.count("<rect ") == 24 and 'role="img"' in page
    with db.session() as session:
        months = monthly(session, date(2022, 5, 20), months=3)
    assert [(m.month, m.received, m.answered, m.on_time) for m in months] == [
        (date(2022, 3, 1), 3, 1, 1), (date(2022, 4, 1), 0, 0, 0), (date(2022, 5, 1), 3, 1, 0)]


def test_attachments_are_listed_and_served_only_as_downloads(site: tuple[TestClient, Database]) -> None:
    client, db = site
    raw = with_attachment("Kim Lee <kim@example.org>", "Budget request",
                          "Please send me the 2023 budget papers.\n\nYours faithfully,\nKim Lee",
                          "page\".html", "text/html")
    store_and_decide(db, web_settings(Path("/nonexistent")), [raw], SEED_AT)
    sign_in(client)
    with db.session() as session:
        row = session.scalars(select(InboundMessage).where(InboundMessage.raw == raw)).one()
        case_id = row.decision.case_id
    assert f'href="/messages/{row.id}/attachments/0"' in client.get(f"/requests/{case_id}").text
    response = client.get(f"/messages/{row.id}/attachments/0")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-1.4")
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith('attachment; filename="page_.html"')
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/messages/{row.id}/attachments/1").status_code == 404
    with db.session() as session:
        assert session.scalars(select(StaffAction).where(StaffAction.action == "attachment_downloaded")).one()
