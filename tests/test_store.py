"""Storage on real SQLite and PostgreSQL: migrations match the models; references never collide."""

from __future__ import annotations

import threading

from alembic import command
from sqlalchemy import select

from mailbot.store.db import Database, alembic_config
from mailbot.store.models import ReferenceCounter
from mailbot.store.queries import allocate_reference


def test_migrations_match_the_models(db_url: str) -> None:
    db = Database(db_url)
    try:
        command.check(alembic_config(db.engine))  # raises when a model change has no migration
    finally:
        db.dispose()


def test_upgrade_is_idempotent(db_url: str) -> None:
    Database(db_url).dispose()
    db = Database(db_url)  # a second start finds the schema at head and changes nothing
    db.dispose()


def test_concurrent_allocation_is_unique_and_gapless(db_url: str) -> None:
    db = Database(db_url)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        worker_db = Database(db_url, migrate=False)
        try:
            for _ in range(15):
                with worker_db.session() as session:
                    _, reference = allocate_reference(session, "foi@x", 2022, fmt="{seq}/{year}",
                                                      first_next=13931, reset_yearly=True)
                with lock:
                    results.append(reference)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            worker_db.dispose()

    # The counter row exists before the race, as it does after a bot's first enquiry.
    with db.session() as session:
        allocate_reference(session, "foi@x", 2022, fmt="{seq}/{year}", first_next=13931, reset_yearly=True)
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results, key=lambda r: int(r.split("/")[0])) == [f"{n}/2022" for n in range(13932, 13992)]
    db.dispose()


def test_numbering_restarts_each_year_after_the_first(db_url: str) -> None:
    db = Database(db_url)
    with db.session() as session:
        first = allocate_reference(session, "foi@x", 2022, fmt="{seq}/{year}", first_next=13931, reset_yearly=True)
        second = allocate_reference(session, "foi@x", 2023, fmt="{seq}/{year}", first_next=13931, reset_yearly=True)
        other_mailbox = allocate_reference(session, "dp@x", 2023, fmt="DP-{seq}", first_next=500, reset_yearly=True)
        assert session.scalars(select(ReferenceCounter)).all()
    assert (first[1], second[1], other_mailbox[1]) == ("13931/2022", "1/2023", "DP-500")
    db.dispose()
