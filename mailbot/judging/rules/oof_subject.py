"""Out-of-office subjects, even without headers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "oof-subject"
DESCRIPTION = "Out-of-office subjects, even without headers."
ROBOT = True


OOF_SUBJECT = re.compile(
    r"^\s*(out of office( autoreply)?\s*:|automatic reply\s*:|auto\s*:|autoreply|auto-reply|auto response)"
    r"|^\s*(out of office|out of office reply|automatic response)\s*$"
    r"|is out of the office\.?\s*$",
    re.I,
)


def check(facts: Facts) -> str | None:
    return "out-of-office subject" if OOF_SUBJECT.search(facts.msg.subject) else None
