"""RFC 3834 Auto-Submitted with any value but 'no' ('no' means a person) or 'auto-forwarded'.

'auto-forwarded' marks a person's mail that a forwarding rule passed on: the forwarded-by-rule rule's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "auto-submitted"
DESCRIPTION = "RFC 3834 Auto-Submitted with any value but 'no' ('no' means a person) or 'auto-forwarded'."
ROBOT = True


def value(facts: Facts) -> str | None:
    header = facts.msg.header("auto-submitted")
    if header is None:
        return None
    token = header.split(";")[0].strip().lower()
    return None if token == "no" else token


def check(facts: Facts) -> str | None:
    token = value(facts)
    return f"Auto-Submitted: {token}" if token and token != "auto-forwarded" else None
