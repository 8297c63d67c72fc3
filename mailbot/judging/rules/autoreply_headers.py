"""X-Autoreply, X-Autorespond, X-Auto-Generated, Exchange rule loops, X-POST-MessageClass Autoresponder, Precedence:
auto_reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "autoreply-headers"
DESCRIPTION = (
    "X-Autoreply, X-Autorespond, X-Auto-Generated, Exchange rule loops, X-POST-MessageClass Autoresponder, "
    "Precedence: auto_reply."
)
ROBOT = True


HEADERS = ("x-autoreply", "x-autorespond", "x-auto-generated", "x-ms-exchange-inbox-rules-loop")


def check(facts: Facts) -> str | None:
    msg = facts.msg
    for name in HEADERS:
        if msg.has_header(name):
            return f"header {name} present"
    if "autoresponder" in (msg.header("x-post-messageclass") or "").lower():
        return "X-POST-MessageClass: Autoresponder"
    if (msg.header("precedence") or "").strip().lower() == "auto_reply":
        return "Precedence: auto_reply"
    return None
