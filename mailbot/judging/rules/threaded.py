"""The message belongs to a request we hold (Message-ID chain, reference, or sender and subject)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "threaded"
DESCRIPTION = "The message belongs to a request we hold (Message-ID chain, reference, or sender and subject)."
ROBOT = True


def check(facts: Facts) -> str | None:
    case = facts.case
    if case is None:
        return None
    label = f"enquiry {case.reference}" if case.reference else f"held request #{case.case_id}"
    return f"threads to {label} by {facts.thread_signal}: {facts.thread_note}"
