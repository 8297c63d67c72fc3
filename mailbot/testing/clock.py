"""A clock the test moves by hand: the bot asks it for "now", the test sets or advances `now` between steps."""

from __future__ import annotations

from datetime import datetime, timedelta

from mailbot.testing.moments import WHEN


class ManualClock:
    """Callable like `utc_now`; time passes only when the test says so, which makes waits and retries exact."""

    def __init__(self, now: datetime = WHEN) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move on by `delta` or by `timedelta(**parts)` (`advance(minutes=5)`); returns the new now."""
        self.now += delta if delta is not None else timedelta(**parts)
        return self.now
