"""The engine and schema: SQLite by default (a file under the data directory), PostgreSQL by URL.

Migrations are Alembic's, shipped inside the package, and run by `mailbot db upgrade`, by `mailbot run` at every
start and by the demo, so a deployment can never run code against an older schema. Every other command opens the
database with `open_existing`, which creates and migrates nothing: a mistyped path or URL is named, not filled with
a new empty database that a listing would then show as "no requests".
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from mailbot.store.files import secure_sqlite

if TYPE_CHECKING:
    from alembic.config import Config

# How long a writer waits for another before giving up with an error (SQLite's busy timeout, and our own turns).
BUSY_TIMEOUT_SECONDS = 30.0


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (the driver we install), not SQLAlchemy's psycopg2 default."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class DriverMissing(Exception):
    """PostgreSQL was configured but psycopg is not installed (it is an extra): said in one line."""


def make_engine(url: str) -> Engine:
    """hide_parameters: a failed statement's error names the SQL, never the personal data bound into it."""
    url = normalise_url(url)
    if url.startswith("postgresql"):
        try:
            import psycopg  # noqa: F401 - only to say which extra is missing, before SQLAlchemy's own error
        except ImportError:
            raise DriverMissing("database.url is PostgreSQL but its driver is not installed: pip install "
                                "'mailbot[postgresql]' (psycopg over the system's libpq) or "
                                "'mailbot[postgresql-binary]'") from None
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            secure_sqlite(Path(database))
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # WAL lets `mailbot requests list` read while the runner writes; foreign keys are off by default.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives the process being killed (it is in the OS's hands), only a power cut
            # can lose the last commits; each commit is then a fraction of a millisecond.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            # Take the write lock at BEGIN so two processes cannot both read a counter and then write it.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        _disable_pysqlite_transactions(engine)
        _take_turns(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _disable_pysqlite_transactions(engine: Engine) -> None:
    """pysqlite's own BEGIN handling fights ours; hand transaction control to the events above (SQLAlchemy docs)."""

    @event.listens_for(engine, "connect", insert=True)
    def _no_autobegin(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None


class TurnLock:
    """First come, first served among this process's threads, and reentrant for the thread that holds it.

    SQLite has one writer at a time, and every transaction here is a write (BEGIN IMMEDIATE). Its busy handler makes
    a waiter sleep and retry, which is fine for an occasional CLI command in another process; but within `mailbot
    run`, several mailboxes sharing one database run their cycles in threads side by side, and a writer that writes
    all the time — a decision runner — begins again the instant it commits, so the sleeping one could lose for as
    long as the busy timeout lasts. Here they queue in arrival order instead.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[int] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float = BUSY_TIMEOUT_SECONDS) -> int:
        """Wait for this thread's turn; returns the ticket `release` takes.

        Waiting is bounded like SQLite's own busy timeout, so a turn never given back (a leaked connection) shows
        up as an error, as a locked database would, rather than as every thread hanging for ever.
        """
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return me
            self._queue.append(me)
            if not self._cond.wait_for(lambda: self._owner is None and self._queue[0] == me, timeout=timeout):
                self._queue.remove(me)
                self._cond.notify_all()  # whoever was behind us may be first now
                raise TimeoutError(f"waited {timeout:.0f} s for another thread's database transaction")
            self._queue.popleft()
            self._owner, self._depth = me, 1
        return me

    def release(self, ticket: int) -> None:
        """Ends the turn taken with `ticket`, from whichever thread returns the connection."""
        with self._cond:
            if self._owner != ticket:
                return
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._cond.notify_all()


def _take_turns(engine: Engine) -> None:
    """A connection is held from checkout to checkin, which brackets its whole transaction, commit included."""
    turns = TurnLock()

    @event.listens_for(engine, "checkout")
    def _wait_for_turn(_dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        record.info["mailbot_turn"] = turns.acquire()

    @event.listens_for(engine, "checkin")
    def _end_turn(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        ticket = record.info.pop("mailbot_turn", None)
        if ticket is not None:
            turns.release(ticket)


def alembic_config(engine: Engine | None) -> Config:
    from alembic.config import Config  # Alembic (0.2 s to import) only where migrations are read or run

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


class Database:
    """An engine and its sessions; `session()` commits on success and rolls back on any exception."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


class SchemaProblem(Exception):
    """The database a read-only command was pointed at is missing, empty or at another schema: said in one line."""


def _schema_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def head_revision() -> str:
    """The newest migration, read from the migration files themselves: the one no other migration follows. Cheaper
    than importing Alembic (0.2 s) for every read-only command; tests/test_cli_conventions.py checks it against
    Alembic's own answer."""
    revisions, followed = set(), set()
    for path in (Path(__file__).resolve().parent / "migrations" / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision:
            revisions.add(revision.group(1))
        if down:
            followed.add(down.group(1))
    heads = revisions - followed
    if len(heads) != 1:
        raise SchemaProblem(f"the migrations have {len(heads)} heads ({', '.join(sorted(heads))}); expected one")
    return heads.pop()


def open_existing(url: str) -> Database:
    """The database at `url` as it is: never created, never migrated. SchemaProblem if it is not there (a SQLite
    file that does not exist, a PostgreSQL database without mailbot's tables) or not at this version's schema."""
    parsed = make_url(normalise_url(url))
    shown = parsed.render_as_string(hide_password=True)
    on_disk = parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:")
    if on_disk and not Path(str(parsed.database)).exists():
        raise SchemaProblem(f"no database at {parsed.database}; `mailbot db upgrade` (or `mailbot run`) "
                                "creates it, or check data_dir / database.url")
    database = Database(url, migrate=False)
    revision = _schema_revision(database.engine)
    if revision is None:
        database.dispose()
        raise SchemaProblem(f"{shown} holds no mailbot tables; `mailbot db upgrade` (or `mailbot run`) creates "
                            "them, or check database.url")
    head = head_revision()
    if revision != head:
        database.dispose()
        raise SchemaProblem(f"{shown} is at schema {revision}, this mailbot needs {head}: run `mailbot db upgrade`")
    return database
