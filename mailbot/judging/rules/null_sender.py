"""Return-Path <>: the envelope says nobody is to be answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "null-sender"
DESCRIPTION = "Return-Path <>: the envelope says nobody is to be answered."
ROBOT = True


def check(facts: Facts) -> str | None:
    return "empty envelope sender (Return-Path: <>)" if facts.msg.return_path == "" else None
