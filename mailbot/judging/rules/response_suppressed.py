"""X-Auto-Response-Suppress asks robots not to answer; it is a request, not proof of a robot (noted for staff only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "response-suppressed"
DESCRIPTION = (
    "X-Auto-Response-Suppress asks robots not to answer; it is a request, not proof of a robot (noted for staff "
    "only)."
)
ROBOT = True


def check(facts: Facts) -> str | None:
    value = facts.msg.header("x-auto-response-suppress")
    if value and any(v.strip().lower() in {"all", "autoreply", "oof"} for v in value.split(",")):
        return f"X-Auto-Response-Suppress: {value} (not treated as a robot)"
    return None
