"""The web app shows a quarter's FOI statistics on the overview (with the per-request CSV), and on a request's page
where it stands in the retention schedule, with the hold reason when something keeps it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mailbot.clock.deadlines import ClockPolicy
from mailbot.store.db import Database
from mailbot.testing import casebook
from mailbot.testing.web import HASHER, PASSWORD, add_account, web_settings
from mailbot.web.app import create_app

POLICY = ClockPolicy()


@pytest.fixture
def site(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[TestClient, Database]]:
    db = Database(sqlite_url)
    add_account(db, "alice")
    app = create_app(web_settings(tmp_path), db, password_hasher=HASHER, secret_key="test-secret")
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/signin").text
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post("/signin", data={"name": "alice", "password": PASSWORD, "csrf_token": csrf, "next": "/"})
        yield client, db
    db.dispose()


def test_the_overview_has_the_quarter_and_its_per_request_csv(site: tuple[TestClient, Database]) -> None:
    client, db = site
    with db.session() as s:
        casebook.case(s, POLICY, date(2026, 7, 1), [("answered", date(2026, 7, 15))], outcome="granted_in_full")
        casebook.case(s, POLICY, date(2026, 7, 6), [("answered", date(2026, 8, 20))], outcome="refused",
                      exemptions=["s40(2)"])
    page = client.get("/overview?today=2026-12-07").text  # the last quarter that has ended: 2026Q3
    assert "FOI and EIR statistics for 2026Q3" in page
    assert '<th scope="row">received</th><td>2</td>' in page
    assert '<th scope="row">answered late</th><td>1</td><td>1</td>' in page
    assert '<th scope="row">exemption cited: s40(2)</th><td>1</td><td>1</td>' in page
    other = client.get("/overview?today=2026-12-07&quarter=2026Q2").text
    assert "statistics for 2026Q2" in other and '<th scope="row">received</th><td>0</td>' in other
    exported = client.get("/overview/requests.csv?quarter=2026Q3")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["timeliness"] for r in rows] == ["within_20", "late"] and "@" not in exported.text
    typed = client.get("/overview?today=2026-12-07&quarter=Q3+2026").text  # by hand: said, not silently swapped
    assert "&#39;Q3 2026&#39; is not a quarter: write it as 2026Q3; these are the figures for 2026Q3" in typed
    assert "statistics for 2026Q3" in typed
    refused = client.get("/overview/requests.csv?quarter=Q3+2026")
    assert refused.status_code == 400 and not refused.headers["content-type"].startswith("text/csv")


def test_a_request_page_says_where_it_stands_in_the_schedule(site: tuple[TestClient, Database]) -> None:
    client, db = site
    with db.session() as s:
        kept = casebook.case(s, POLICY, date(2020, 3, 2), [("answered", date(2020, 3, 20))], outcome="not_held",
                             hold="litigation: claim 42")
        going = casebook.case(s, POLICY, date(2026, 3, 2), [("answered", date(2026, 3, 20))], outcome="not_held")
        ids = kept.id, going.id
    assert "Kept: legal hold: litigation: claim 42" in client.get(f"/requests/{ids[0]}").text
    assert "Legal hold: litigation: claim 42" in client.get("/requests?state=answered").text  # in the list too
    assert "To be anonymised on or after" in client.get(f"/requests/{ids[1]}").text


def test_an_admin_sets_and_releases_a_legal_hold_and_staff_cannot(site: tuple[TestClient, Database]) -> None:
    from sqlalchemy import select

    from mailbot.store.models import Case, StaffAction

    client, db = site
    add_account(db, "root", "admin")
    with db.session() as s:
        case_id = casebook.case(s, POLICY, date(2020, 3, 2), [("answered", date(2020, 3, 20))]).id
    page = client.get(f"/requests/{case_id}").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert "Set the legal hold" not in page  # staff see the standing, not the form
    assert client.post(f"/requests/{case_id}/hold", data={"csrf_token": csrf, "reason": "x"}).status_code == 403
    admin = TestClient(client.app, base_url="http://testserver")
    signin = admin.get("/signin").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    admin.post("/signin", data={"name": "root", "password": PASSWORD, "csrf_token": signin, "next": "/"})
    page = admin.get(f"/requests/{case_id}").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert "Set the legal hold" in page
    admin.post(f"/requests/{case_id}/hold", data={"csrf_token": csrf, "reason": "subject access dispute"})
    page = admin.get(f"/requests/{case_id}").text
    assert "Kept: legal hold: subject access dispute" in page and "Release the legal hold" in page
    admin.post(f"/requests/{case_id}/hold", data={"csrf_token": csrf})
    assert "To be anonymised on or after" in admin.get(f"/requests/{case_id}").text
    with db.session() as s:
        assert s.get(Case, case_id).hold_reason is None
        actions = [a.action for a in s.scalars(select(StaffAction).where(StaffAction.case_id == case_id))]
    assert actions == ["legal_hold", "legal_hold_released"]
