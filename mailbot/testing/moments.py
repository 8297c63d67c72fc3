"""The moments tests stand on: one named constant each, so a test says which day it means by its name."""

from __future__ import annotations

from datetime import UTC, datetime

#: "Now" for a test that only needs some ordinary moment: Monday 4 March 2024, 10:00 UTC, a working day morning
#: far from bank holidays and the clock change, so no due date moves for a calendar reason.
WHEN = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)

#: Ten minutes before midnight on the same Monday: a message received then is received on Monday in London.
LATE_EVENING = WHEN.replace(hour=23, minute=50)

#: A Friday afternoon before Christmas: the bank holidays lie ahead, so working days and calendar days differ.
BEFORE_CHRISTMAS = datetime(2024, 12, 20, 16, 0, tzinfo=UTC)
