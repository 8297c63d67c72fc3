"""At most N automatic replies to one address per day, whatever the headers say."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "daily-cap"
DESCRIPTION = "At most N automatic replies to one address per day, whatever the headers say."
ROBOT = False


def check(facts: Facts) -> str | None:
    cap = facts.settings.daily_reply_cap
    if facts.address and facts.replies_today >= cap:
        return f"{facts.replies_today} automatic replies to this address today: the daily cap is {cap}"
    return None
