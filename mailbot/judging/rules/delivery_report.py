"""RFC 3464 delivery reports and Exim's X-Failed-Recipients: a bounce."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "delivery-report"
DESCRIPTION = "RFC 3464 delivery reports and Exim's X-Failed-Recipients: a bounce."
ROBOT = True


def check(facts: Facts) -> str | None:
    msg = facts.msg
    if msg.delivery_status:
        statuses = ", ".join(f"{d.status or d.action or '?'}" for d in msg.delivery_status)
        permanence = "permanent" if any(d.permanent for d in msg.delivery_status) else "temporary"
        return f"delivery report ({permanence}: {statuses})"
    if "report-type=delivery-status" in (msg.header("content-type") or "").lower().replace(" ", ""):
        return "Content-Type multipart/report; report-type=delivery-status"
    return None
