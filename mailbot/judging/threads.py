"""How a message finds the case it belongs to, and the little the judge may ask of storage to find it.

Strongest signal first (docs/robot-mail.md): the Message-ID chain (including the copy a bounce returns), then an
enquiry reference, then the same sender with the same subject stem. Storage is reached only through ThreadIndex,
so `mailbot check` threads against an index that knows nothing and the runner against the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mailbot.judging.decision import CaseRef
from mailbot.judging.readers.references import ReferenceKey, find_bare_keys
from mailbot.mail.message import InboundMessage

_QUOTED_ID = re.compile(r"^\s*message-id:\s*(<[^<>\s]+>)", re.I | re.M)


class ThreadIndex(Protocol):
    """What the judge may ask of storage."""

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None: ...

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None: ...

    def by_sender_subject(self, sender: str, subject_stem: str) -> list[CaseRef]: ...

    def replies_today(self, address: str) -> int: ...  # address: a mailbox_key

    # Automatic replies from this mailbox in the last hour, counted up to `up_to` (the cap): never more work than that.
    def replies_this_hour(self, up_to: int) -> int: ...

    def our_templates(self, message_ids: Sequence[str]) -> tuple[str, ...]: ...


class EmptyIndex:
    """The index of a bot that has stored nothing: used by `mailbot check`."""

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None:
        return None

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None:
        return None

    def by_sender_subject(self, sender: str, subject_stem: str) -> list[CaseRef]:
        return []

    def replies_today(self, address: str) -> int:
        return 0

    def replies_this_hour(self, up_to: int) -> int:
        return 0

    def our_templates(self, message_ids: Sequence[str]) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Thread:
    """The case a message threads to (None: a new conversation), by which signal, and why, for the reasons."""

    case: CaseRef | None = None
    signal: str | None = None  # message-id | reference | sender-subject
    note: str | None = None


def returned_ids(msg: InboundMessage) -> tuple[str, ...]:
    """Message-IDs of our mail that this one carries back: attached (a bounce's original) or quoted as a header."""
    return tuple(dict.fromkeys(msg.attached_message_ids + tuple(_QUOTED_ID.findall(msg.text))))


def find_thread(msg: InboundMessage, body: str, keys: tuple[ReferenceKey, ...], returned: tuple[str, ...],
                address: str | None, subject_stem: str, index: ThreadIndex) -> Thread:
    """Strongest signal first (docs/robot-mail.md): Message-ID chain, then a reference, then sender + subject stem."""
    chain = list(msg.in_reply_to) + [m for m in reversed(msg.references) if m not in msg.in_reply_to]
    chain += [m for m in returned if m not in chain]
    if chain:
        case = index.by_message_ids(chain)
        if case:
            return Thread(case, "message-id",
                          "names a message of this case (In-Reply-To/References or a returned copy)")
    if keys:
        case = index.by_reference(keys)
        if case:
            return Thread(case, "reference", f"quotes enquiry reference {case.reference}")
    bare = [k for k in find_bare_keys(msg.subject) + find_bare_keys(body) if k.year is not None]
    if bare:
        case = index.by_reference(bare)
        if case:
            return Thread(case, "reference", f"quotes enquiry reference {case.reference}")
    if address:
        candidates = index.by_sender_subject(address.lower(), subject_stem)
        if len(candidates) == 1:
            return Thread(candidates[0], "sender-subject", "same sender and subject as an open case")
        if len(candidates) > 1:
            return Thread(note=f"same sender and subject as {len(candidates)} open cases: ambiguous")
    return Thread()
