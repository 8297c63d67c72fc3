"""X-Autoreply, X-Autorespond, X-Auto-Generated, Apple's X-Apple-Action: VACATION, X-POST-MessageClass
Autoresponder, Precedence: auto_reply.

Exchange's X-MS-Exchange-Inbox-Rules-Loop is not here: it marks mail an inbox rule forwarded, which is a person's
(forwarded-by-rule); Exchange's own out-of-office replies also say Auto-Submitted or carry an auto-reply subject.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "autoreply-headers"
DESCRIPTION = (
    "X-Autoreply, X-Autorespond, X-Auto-Generated, X-Apple-Action: VACATION, X-POST-MessageClass Autoresponder, "
    "Precedence: auto_reply."
)
ROBOT = True


HEADERS = ("x-autoreply", "x-autorespond", "x-auto-generated")


def check(facts: Facts) -> str | None:
    msg = facts.msg
    for name in HEADERS:
        if msg.has_header(name):
            return f"header {name} present"
    if (msg.header("x-apple-action") or "").strip().upper() == "VACATION":
        return "X-Apple-Action: VACATION (an iCloud vacation reply)"
    if "autoresponder" in (msg.header("x-post-messageclass") or "").lower():
        return "X-POST-MessageClass: Autoresponder"
    if (msg.header("precedence") or "").strip().lower() == "auto_reply":
        return "Precedence: auto_reply"
    return None
