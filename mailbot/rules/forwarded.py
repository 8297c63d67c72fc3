"""The person forwarded mail (their server may mark forwards as auto-generated)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.facts import Facts

NAME = "forwarded"
DESCRIPTION = "The person forwarded mail (their server may mark forwards as auto-generated)."


MARKERS = re.compile(r"^\s*(-{2,}\s*(forwarded|original) message|begin forwarded message:|from:\s.+)", re.I | re.M)


def check(facts: Facts) -> str | None:
    subject = facts.msg.subject.strip().lower()
    if subject.startswith(("fw:", "fwd:")) or MARKERS.search(facts.msg.text):
        return "a forwarded message"
    return None
