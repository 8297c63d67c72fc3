"""MAILER-DAEMON or postmaster, or a delivery-failure subject from the null sender."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "bounce-sender"
DESCRIPTION = "MAILER-DAEMON or postmaster, or a delivery-failure subject from the null sender."
ROBOT = True


BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliver(able|ed)|mail delivery (failed|failure|subsystem)|delivery status notification"
    r"|returned mail|failure notice|delivery failure|non-delivery)",
    re.I,
)


FAILURE_TEXT = re.compile(
    r"failed recipients|could not be delivered|delivery (has )?failed|permanent (error|failure)|"
    r"undeliverable|delivery to the following recipients? failed|user unknown|mailbox unavailable",
    re.I,
)


def check(facts: Facts) -> str | None:
    local = (facts.msg.sender or "").rsplit("@", 1)[0].lower()
    if local in {"mailer-daemon", "postmaster"}:
        return f"bounce from {local}"
    if BOUNCE_SUBJECT.search(facts.msg.subject):
        if facts.msg.return_path == "":
            return "delivery-failure subject from the null sender"
        if FAILURE_TEXT.search(facts.msg.text):
            return "delivery-failure subject and a failure report in the body"
    return None
