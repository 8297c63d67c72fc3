"""A held request (Fred signed only "Fred": a Section 8 notice went out) handled from its page: the notice sent again
(once a day at most), released with the full name (reference, the clock from the day staff give, an
acknowledgement), or closed; each recorded with who did it, and never done twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from mailbot.store.db import Database
from mailbot.store.models import Case, ClockEventRow, OutboxMessage, StaffAction
from mailbot.testing.web import HASHER, PASSWORD, add_account, seed_requests, web_settings
from mailbot.web.app import create_app


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[tuple[TestClient, Database]]:
    settings = web_settings(tmp_path)
    db = Database(db_url)
    seed_requests(db, settings)
    add_account(db, "alice")
    app = create_app(settings, db, password_hasher=HASHER, secret_key="test-secret")
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/signin").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        client.post("/signin", data={"name": "alice", "password": PASSWORD, "csrf_token": csrf.group(1),
                                     "next": "/requests"})
        yield client, db
    db.dispose()


def held_case(db: Database) -> Case:
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.status == "held")).one()
        session.expunge(case)
        return case


def post(client: TestClient, case_id: int, action: str, **fields: str) -> object:
    page = client.get(f"/requests/{case_id}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    return client.post(f"/requests/{case_id}/held/{action}", data={"csrf_token": csrf.group(1), **fields},
                       follow_redirects=False)


def replies(db: Database, case_id: int) -> list[OutboxMessage]:
    with db.session() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                                    .order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def test_the_held_page_offers_its_three_actions(site: tuple[TestClient, Database]) -> None:
    client, db = site
    case = held_case(db)
    page = client.get(f"/requests/{case.id}").text
    assert "Held: waiting for" in page
    for action in ("remind", "release", "close"):
        assert f'action="/requests/{case.id}/held/{action}"' in page


def test_the_notice_goes_again_in_the_same_thread_once_a_day(site: tuple[TestClient, Database]) -> None:
    client, db = site
    case = held_case(db)
    [notice] = replies(db, case.id)
    assert notice.template == "section8_notice" and notice.inbound_id is not None
    sent = post(client, case.id, "remind")
    assert sent.status_code == 303  # type: ignore[attr-defined]
    first, again = replies(db, case.id)
    assert (again.template, again.recipient, again.in_reply_to, again.inbound_id) == (
        "section8_notice", first.recipient, first.in_reply_to, None)
    twice = post(client, case.id, "remind")
    assert twice.status_code == 400 and "less than a day ago" in twice.text  # type: ignore[attr-defined]
    assert len(replies(db, case.id)) == 2
    with db.session() as session:
        action = session.scalars(select(StaffAction).where(StaffAction.action == "held_reminded")).one()
        assert (action.actor, action.case_id) == ("alice", case.id)


def test_release_gives_the_reference_and_runs_the_clock_from_the_day_staff_give(
        site: tuple[TestClient, Database]) -> None:
    client, db = site
    case = held_case(db)
    # Fred's full name arrived by letter on Thursday 12 May 2022: due 20 working days after (13 June 2022).
    done = post(client, case.id, "release", name="Fred Wright", on="2022-05-12", acknowledge="yes")
    assert done.status_code == 303  # type: ignore[attr-defined]
    with db.session() as session:
        released = session.get(Case, case.id)
        assert released is not None
        assert (released.status, released.applicant_name, released.received, released.due) == (
            "open", "Fred Wright", date(2022, 5, 12), date(2022, 6, 13))
        assert released.reference and released.missing == []
        event = session.scalars(select(ClockEventRow).where(ClockEventRow.case_id == case.id)).one()
        assert (event.kind, event.occurred_on, event.actor) == ("completed", date(2022, 5, 12), "alice")
        reference = released.reference
    ack = replies(db, case.id)[-1]
    assert ack.template == "acknowledgement_foi" and ack.status == "queued"
    assert reference.encode() in ack.raw and b"Fred Wright" in ack.raw
    again = post(client, case.id, "release", name="Fred Wright", on="2022-05-12", acknowledge="yes")
    assert again.status_code == 400 and "no longer held" in again.text  # type: ignore[attr-defined]
    assert len(replies(db, case.id)) == 2


def test_release_refuses_a_date_before_the_first_message_or_an_foi_request_without_a_name(
        site: tuple[TestClient, Database]) -> None:
    client, db = site
    case = held_case(db)
    early = post(client, case.id, "release", name="Fred Wright", on="2022-01-01")
    assert early.status_code == 400 and "give a date in that range" in early.text  # type: ignore[attr-defined]
    future = post(client, case.id, "release", name="Fred Wright",
                  on=date(datetime.now(UTC).year + 1, 1, 1).isoformat())
    assert future.status_code == 400  # type: ignore[attr-defined]
    assert held_case(db).status == "held" and held_case(db).reference is None


def test_close_ends_the_held_request_without_mail(site: tuple[TestClient, Database]) -> None:
    client, db = site
    case = held_case(db)
    done = post(client, case.id, "close", note="no reply after two notices")
    assert done.status_code == 303  # type: ignore[attr-defined]
    with db.session() as session:
        closed = session.get(Case, case.id)
        assert closed is not None and (closed.status, closed.reference) == ("closed", None)
        event = session.scalars(select(ClockEventRow).where(ClockEventRow.case_id == case.id)).one()
        assert (event.kind, event.note, event.actor) == ("closed", "no reply after two notices", "alice")
    assert len(replies(db, case.id)) == 1  # the original notice only
    assert "held/remind" not in client.get(f"/requests/{case.id}").text


def test_the_completed_event_alone_is_refused_on_a_held_request(site: tuple[TestClient, Database]) -> None:
    client, db = site
    case = held_case(db)
    page = client.get(f"/requests/{case.id}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    shown = client.post(f"/requests/{case.id}/events/preview",
                        data={"csrf_token": csrf.group(1), "kind": "completed", "on": "2022-05-13"})
    assert shown.status_code == 400 and "Release the request" in shown.text


def test_actions_need_the_csrf_token(site: tuple[TestClient, Database]) -> None:
    client, db = site
    case = held_case(db)
    refused = client.post(f"/requests/{case.id}/held/remind", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert len(replies(db, case.id)) == 1


def test_release_takes_todays_date_in_london_after_midnight_bst(tmp_path: Path, db_url: str) -> None:
    # 23:30 UTC on 12 May 2022 is 00:30 on 13 May in London: 13 May is today, not a date in the future.
    from mailbot.replies.templates import Templates
    from mailbot.runners.held import HeldRequests

    settings = web_settings(tmp_path)
    db = Database(db_url)
    seed_requests(db, settings)
    held = HeldRequests(settings, Templates())
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.status == "held")).one()
        done = held.release(session, case.id, on=date(2022, 5, 13), applicant_name="Fred Wright", acknowledge=False,
                            actor="alice", now=datetime(2022, 5, 12, 23, 30, tzinfo=UTC))
        assert done.reference and case.received == date(2022, 5, 13)
    db.dispose()
