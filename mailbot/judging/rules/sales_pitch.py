"""A sales pitch: offers services and asks for a call or a demo. Spam: recorded, never answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.unsolicited import sales_pitch

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "sales-pitch"
DESCRIPTION = "A sales pitch: offers services and asks for a call or a demo. Spam: recorded, never answered."
ROBOT = True


def check(facts: Facts) -> str | None:
    phrase = sales_pitch(f"{facts.reading.subject}\n{facts.body}")
    return f"a sales pitch (\"{phrase}\"): asks for no information" if phrase else None
