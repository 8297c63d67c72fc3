"""What mail says, made storable: the one place a text value from a message becomes something every database keeps.

Anyone can send a Message-ID of 2,000 characters, a Subject with a NUL in it, or a header of undecodable bytes.
SQLite stores all of that; PostgreSQL refuses a value longer than its column (`varchar(998)`) and any NUL, and no
driver can encode a lone surrogate. One such value used to fail a whole transaction — an ingest batch, a decision —
again at every poll. So every column that holds text from mail is typed here, and the value is made storable as it
is bound, on both databases alike and the same way for a lookup as for a write:

- prose (a subject, a name, an error): NULs and lone surrogates become U+FFFD, and a value longer than its column is
  cut and marked `…[cut: N chars]`;
- keys (a Message-ID, an address, an alert key, a subject stem looked up by equality): any value that had to change
  is cut and given a digest of the whole original, so two different values never become one — two requests whose
  Message-IDs share their first 998 characters stay two requests, and looking either up finds its own row.

The raw bytes of every message are stored as well (`inbound_messages.raw`), so nothing cut here is lost.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["MESSAGE_ID_LENGTH", "MailKey", "MailText", "storable_key", "storable_text"]

# RFC 5322 2.1.1: a header line is at most 998 octets, so no Message-ID written on one line is longer.
MESSAGE_ID_LENGTH = 998

# NUL: PostgreSQL's text types cannot hold it. Lone surrogates (what surrogateescape makes of undecodable bytes):
# UTF-8 cannot encode them, so neither psycopg nor sqlite3 can send them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"
_DIGEST_CHARS = 24  # 96 bits of SHA-256: no two Message-IDs in any real mailbox collide


def _clean(value: str) -> str:
    return _UNSTORABLE.sub(REPLACEMENT, value)


def storable_text(value: str, limit: int | None = None) -> str:
    """Prose: unstorable characters replaced, and cut to `limit` characters with a mark saying how long it was."""
    clean = _clean(value)
    if limit is None or len(clean) <= limit:
        return clean
    mark = f"…[cut: {len(value)} chars]"
    return clean[: max(limit - len(mark), 0)] + mark[:limit]


def storable_key(value: str, limit: int) -> str:
    """A key: returned unchanged when it can be stored as it is; otherwise cut, with a digest of the original.

    Idempotent (a stored key given again is returned unchanged), so `mailbot requeue '<what staff were shown>'` finds
    the row, and a lookup by the original value finds it too.
    """
    if len(value) <= limit and not _UNSTORABLE.search(value):
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_CHARS]
    close = ">" if value.startswith("<") and value.endswith(">") else ""  # a Message-ID keeps its brackets
    tail = f"…#{digest}{close}"
    body = _clean(value[: len(value) - len(close)])
    return body[: max(limit - len(tail), 0)] + tail


class _MailString(TypeDecorator[str]):
    """VARCHAR(length), or TEXT without one: the same DDL as before (no migration), a storable value on the wire."""

    impl: TypeEngine[Any] | type[TypeEngine[Any]] = String
    cache_ok = True

    def __init__(self, length: int | None = None) -> None:
        super().__init__(length)
        self.length = length  # what SQLAlchemy's cache key reads (cache_ok)
        if length is None:
            self.impl = Text()  # what the column always was (Alembic compares this)

    def _storable(self, value: str) -> str:
        raise NotImplementedError

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self._storable(value)

    @property
    def python_type(self) -> type[str]:
        return str


class MailText(_MailString):
    """Prose that came from mail (or quotes it): cut and marked when too long."""

    cache_ok = True  # SQLAlchemy asks each subclass: the state is the length alone

    def _storable(self, value: str) -> str:
        return storable_text(value, self.length)


class MailKey(_MailString):
    """An identifier that came from mail and is looked up by equality: kept distinct when it has to be cut."""

    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.key_length = length

    def _storable(self, value: str) -> str:
        return storable_key(value, self.key_length)
