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


def test_turns_are_taken_in_arrival_order_and_are_reentrant() -> None:
    """SQLite writers of one process queue first come, first served: a thread that commits and begins again at once
    goes to the back, behind the one already waiting."""
    import threading
    import time

    from mailbot.store.db import TurnLock

    turns = TurnLock()
    order: list[str] = []
    first = turns.acquire()
    assert turns.acquire() == first  # the holder may take it again (a nested use in the same thread)
    turns.release(first)

    def worker(name: str) -> None:
        ticket = turns.acquire()
        order.append(name)
        turns.release(ticket)

    threads = []
    for name in ("a", "b", "c"):
        thread = threading.Thread(target=worker, args=(name,))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # queued one after another while the main thread still holds its turn
    order.append("main")
    turns.release(first)
    ticket = turns.acquire()  # the main thread asks again at once: it must wait for a, b and c
    order.append("main again")
    turns.release(ticket)
    for thread in threads:
        thread.join(5)
    assert order == ["main", "a", "b", "c", "main again"]


def test_a_turn_is_released_for_the_thread_that_took_it() -> None:
    """A connection returned by another thread (the garbage collector, say) still ends its owner's turn."""
    import threading

    from mailbot.store.db import TurnLock

    turns = TurnLock()
    ticket = turns.acquire()
    releaser = threading.Thread(target=turns.release, args=(ticket,))
    releaser.start()
    releaser.join(5)
    got: list[int] = []
    taker = threading.Thread(target=lambda: got.append(turns.acquire()))
    taker.start()
    taker.join(5)
    assert got and got[0] != ticket




def test_a_turn_never_given_back_is_an_error_not_a_hang() -> None:
    """Bounded like SQLite's busy timeout: the waiter gets an error, and the queue is not left blocked by it."""
    import threading

    from mailbot.store.db import TurnLock

    turns = TurnLock()
    stuck = turns.acquire()  # taken and (for now) not given back
    outcome: list[str] = []

    def waiter(timeout: float) -> None:
        try:
            turns.release(turns.acquire(timeout=timeout))
            outcome.append("got it")
        except TimeoutError:
            outcome.append("timed out")

    first = threading.Thread(target=waiter, args=(0.2,))
    first.start()
    first.join(5)
    assert outcome == ["timed out"]
    turns.release(stuck)
    second = threading.Thread(target=waiter, args=(5,))
    second.start()
    second.join(10)
    assert outcome == ["timed out", "got it"]
