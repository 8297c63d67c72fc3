"""List-Id, List-Unsubscribe, List-Post…: mailing lists and newsletters."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "list-headers"
DESCRIPTION = "List-Id, List-Unsubscribe, List-Post…: mailing lists and newsletters."
ROBOT = True


def check(facts: Facts) -> str | None:
    for name, _ in facts.msg.headers:
        if name.startswith("list-"):
            return f"mailing-list header {name}"
    return None
