"""Which law applies: subject access, EIR or FOI (keyword lists are settings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "regime"
DESCRIPTION = "Which law applies: subject access, EIR or FOI (keyword lists are settings)."
ROBOT = False


def check(facts: Facts) -> str | None:
    return facts.regime_note
