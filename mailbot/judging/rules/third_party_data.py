"""Asks for another living person's personal data: never an automatic reply.

Whether it is subject access made for someone (a solicitor, a relative with consent: staff check the authority to
act) or an FOI request for a third party's data (answered with s40(2) in mind), a form letter would either confirm
that the person is on record or start the wrong clock. The regime reader says so (`third_party`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "third-party-data"
DESCRIPTION = "Asks for another living person's personal data (for them, or about them): staff, never a form letter."
ROBOT = False


def check(facts: Facts) -> str | None:
    if not facts.third_party:
        return None
    return "asks for another living person's personal data: staff check the authority to act, or s40(2)"
