"""A forwarded request that first went to one of the authority's own addresses: its date of receipt may be then.

FOIA s10(1) counts from the day the authority received the request, at any address of its own; mail sent to the
wrong mailbox a fortnight ago may already be half-way to its deadline. Staff settle the date, not a form letter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "sent-before"
DESCRIPTION = "Forwards mail that first went to one of the authority's own addresses: the date of receipt may be then."
ROBOT = False


def check(facts: Facts) -> str | None:
    if facts.sent_before is None or facts.case is not None:
        return None
    return f"forwards mail first sent to the authority ({facts.sent_before}): staff settle the date of receipt"
