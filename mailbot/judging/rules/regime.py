"""Which law applies: subject access, EIR or FOI, read from what is asked (`judging/regime_reading.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "regime"
DESCRIPTION = "Which law applies: subject access, EIR or FOI, read from what is asked (keyword lists are settings)."
ROBOT = False


def check(facts: Facts) -> str | None:
    return facts.regime_note
