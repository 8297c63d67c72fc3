"""Phishing: asks the reader to confirm a password or "verify" a mailbox. Spam: recorded, never answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.unsolicited import phishing

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "phishing"
DESCRIPTION = "Phishing: asks the reader to confirm a password or \"verify\" a mailbox. Spam: recorded, never answered."
ROBOT = True


def check(facts: Facts) -> str | None:
    phrase = phishing(f"{facts.reading.subject}\n{facts.body}")
    return f"looks like phishing (\"{phrase}\"): never answered, never followed" if phrase else None
