"""The web list's pages and its CSV agree with the filter they show: the total carried by a page's ids is the count of
everything that matches, pages cover every match once and in order, a page past the end is the last page, and the
export lists the same requests in the same order (read in batches by id, not by OFFSET)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mailbot.store.db import Database
from mailbot.store.listing import RequestFilter, page_of_requests, request_ids, requests_by_id
from mailbot.store.models import Case
from mailbot.testing.scale import TODAY, fill

SOON = TODAY + timedelta(days=7)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    fill(database, 240, stale=0.5)
    yield database
    database.dispose()


@pytest.mark.parametrize("wanted", [RequestFilter(), RequestFilter(state="overdue"), RequestFilter(regime="eir"),
                                    RequestFilter(search="budget"), RequestFilter(state="open", search="/20")])
def test_pages_cover_every_match_once_in_the_lists_order(db: Database, wanted: RequestFilter) -> None:
    with db.session() as session:
        everything = request_ids(session, wanted, today=TODAY, soon=SOON)
        first = page_of_requests(session, wanted, today=TODAY, soon=SOON, number=1, size=25)
        paged = [case.id for n in range(1, first.pages + 1)
                 for case in page_of_requests(session, wanted, today=TODAY, soon=SOON, number=n, size=25).cases]
    assert everything, "the filter matches something in the filled store"
    assert first.total == len(everything)
    assert first.pages == -(-len(everything) // 25)
    assert paged == everything


def test_the_order_is_open_by_due_date_then_held_then_the_rest(db: Database) -> None:
    with db.session() as session:
        cases = requests_by_id(session, request_ids(session, RequestFilter(), today=TODAY, soon=SOON))
    rank = {"open": 0, "held": 1}
    ranks = [rank.get(case.status, 2) for case in cases]
    assert ranks == sorted(ranks) and set(ranks) == {0, 1, 2}
    open_dues = [case.due for case in cases if case.status == "open" and case.due is not None]
    assert open_dues == sorted(open_dues)


def test_a_page_past_the_end_is_the_last_page_and_no_match_is_an_empty_first_page(db: Database) -> None:
    with db.session() as session:
        total = int(session.scalar(select(func.count(Case.id))) or 0)
        last = page_of_requests(session, RequestFilter(), today=TODAY, soon=SOON, number=10_000, size=50)
        none = page_of_requests(session, RequestFilter(search="no such words anywhere"), today=TODAY, soon=SOON,
                                number=3, size=50)
    assert last.total == total and last.number == last.pages == -(-total // 50)
    assert len(last.cases) == total - (last.pages - 1) * 50
    assert (none.total, none.number, none.pages, none.cases) == (0, 1, 1, [])


def test_rows_are_read_by_id_in_the_order_asked_leaving_out_ids_no_longer_there(db: Database) -> None:
    with db.session() as session:
        ids = request_ids(session, RequestFilter(), today=TODAY, soon=SOON)[:5]
        cases = requests_by_id(session, [ids[3], 999_999, ids[0], ids[4]])
    assert [case.id for case in cases] == [ids[3], ids[0], ids[4]]
