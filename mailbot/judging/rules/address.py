"""The address for correspondence: Reply-To, else the sender, or a relayed form's e-mail."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "address"
DESCRIPTION = "The address for correspondence: Reply-To, else the sender, or a relayed form's e-mail."
ROBOT = False


def check(facts: Facts) -> str | None:
    return f"address for correspondence: the {facts.address_source} address" if facts.address else None
