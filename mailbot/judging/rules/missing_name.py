"""No full name where FOIA s8(1)(b) needs one (never for EIR, not for subject access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.values import Regime

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "missing-name"
DESCRIPTION = "No full name where FOIA s8(1)(b) needs one (never for EIR, not for subject access)."
ROBOT = False


def check(facts: Facts) -> str | None:
    if facts.name and facts.name.full:
        return None
    if facts.regime in (Regime.EIR, Regime.SAR):
        return None
    detail = facts.name.reason if facts.name else "none given"
    return f"no full name (FOIA s8(1)(b)): {detail}"
