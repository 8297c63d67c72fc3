"""A form service's notice that someone submitted a response: "There is a new response to your form "FOI request
form"" (Microsoft Forms, Google Forms, Jotform, Typeform). It comes from the service's no-reply address, but a
person wrote what it announces, and it may be a request whose clock is running: never recorded as robot mail;
staff open the form and read it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "form-response"
DESCRIPTION = "A form service's notice of a person's submitted response: a person's words, held in the form."
ROBOT = False

FORM_RESPONSE = re.compile(
    r"\b(?:there\s+is\s+an?|you\s+have\s+an?|you've\s+got\s+an?)\s+new\s+(?:response|submission|entry)\s+"
    r"(?:to|for|on)\s+(?:your\s+)?(?:form|survey|quiz)\b"
    r"|\bnew\s+(?:response|submission|entry)\s+(?:to|for)\s+(?:your\s+form|the\s+form)\b", re.I)


def check(facts: Facts) -> str | None:
    found = FORM_RESPONSE.search(f"{facts.msg.subject}\n{facts.body}")
    if not found:
        return None
    return f"a form service announces a person's submission (\"{' '.join(found.group(0).split())}\"): staff open it"
