"""Another system's X-Loop header: a ticketing system, list manager or responder marked its own mail.

X-Loop is what RT, OTRS, procmail/formail recipes, SmartList and many responders put on what they send, so that
they recognise it when it comes back. Ours is the loop-token rule's (our own mail returning); any other value
means a machine sent this, and answering it is how two machines start writing to each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "foreign-loop"
DESCRIPTION = "An X-Loop header that is not ours: another system's automatic mail."
ROBOT = True


def check(facts: Facts) -> str | None:
    values = [value.strip() for value in facts.msg.header_all("x-loop")]
    token = (facts.settings.loop_token or "").lower()
    others = [value for value in values if not (token and token in value.lower())]
    if not others:
        return None
    return f"X-Loop: {others[0][:60] or '(empty)'}: another system's automatic mail"
