"""EIR need no name; subject access is not an FOIA s8 request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.values import Regime

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "name-not-required"
DESCRIPTION = "EIR need no name; subject access is not an FOIA s8 request."
ROBOT = False


def check(facts: Facts) -> str | None:
    if (facts.name and facts.name.full) or facts.regime not in (Regime.EIR, Regime.SAR):
        return None
    why = "the EIR require none" if facts.regime == Regime.EIR else "subject access is not an FOIA s8 request"
    return f"no full name, but {why}"
