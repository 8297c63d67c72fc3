"""Asks for no information at all (FOIA s8(1)(c)); a vague request is still valid."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "missing-description"
DESCRIPTION = "Asks for no information at all (FOIA s8(1)(c)); a vague request is still valid."
ROBOT = False


def check(facts: Facts) -> str | None:
    return None if facts.described else "asks for no information at all (FOIA s8(1)(c))"


def described_reason(facts: Facts) -> str | None:
    return "describes the information wanted (FOIA s8(1)(c))" if facts.described else None
