"""Listings cost the same few statements however many requests and messages are stored, and never read raw mail:
`requests list`, `messages list` and `digest --preview` against 60 and 300 requests (and four messages each)
issue the same number of statements, and none selects a raw column (statements counted as the database sees them)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from mailbot.store.db import Database
from mailbot.testing.commands import mailbot
from mailbot.testing.scale import MAILBOX, TODAY, fill

COMMANDS = (("requests", "list", "--json"), ("messages", "list", "--json"),
            ("digest", "--preview", "--at", TODAY.isoformat()))
RAW = re.compile(r"\b(inbound_messages|outbox)\.raw\b")


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    yield seen
    event.remove(Engine, "before_cursor_execute", note)


def run(tmp_path: Path, db_url: str, cases: int, statements: list[str]) -> dict[str, tuple[int, list[str], int]]:
    db = Database(db_url)
    try:
        fill(db, cases, stale=0.5)
    finally:
        db.dispose()
    config = tmp_path / f"m{cases}.toml"
    config.write_text(f'[mailbox]\naddress = "{MAILBOX}"\norganisation = "Test Council"\n'
                      f'[database]\nurl = "{db_url}"\n')
    seen: dict[str, tuple[int, list[str], int]] = {}
    for args in COMMANDS:
        statements.clear()
        result = mailbot("--config", str(config), *args)
        assert result.exit_code == 0, result.stderr
        listed = [s for s in statements if not s.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE"))
                  and "alembic_version" not in s]
        seen[" ".join(args[:2])] = (len(listed), [s for s in listed if RAW.search(s)], len(result.stdout))
    return seen


def test_listings_do_not_grow_in_statements_or_read_raw_mail(tmp_path: Path, db_url: str,
                                                             statements: list[str]) -> None:
    small = run(tmp_path, db_url, 60, statements)
    assert small["requests list"][2] and small["messages list"][2]  # they listed something
    if db_url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        engine = create_engine(db_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        large_url = db_url
    else:
        large_url = f"sqlite:///{tmp_path}/large.db"
    large = run(tmp_path, large_url, 300, statements)
    for name, (count, raw, _) in large.items():
        assert raw == [], f"{name} read raw mail"
        assert count == small[name][0], f"{name}: {small[name][0]} statements for 60 requests, {count} for 300"
        assert large[name][2] > small[name][2]  # the larger store was listed
