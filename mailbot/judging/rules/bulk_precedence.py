"""Precedence: bulk, junk or list."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "bulk-precedence"
DESCRIPTION = "Precedence: bulk, junk or list."
ROBOT = True


def check(facts: Facts) -> str | None:
    value = (facts.msg.header("precedence") or "").strip().lower()
    return f"Precedence: {value}" if value in {"bulk", "junk", "list"} else None
