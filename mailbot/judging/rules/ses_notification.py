"""Amazon SES event notifications, as JSON in the body (sent through SNS or an SES configuration set).

SES reports bounces, complaints and deliveries of somebody's own sending as JSON (`"notificationType": "Bounce"`,
`"eventType": "Complaint"`), often wrapped in an SNS envelope (`"Type" : "Notification"`, `"TopicArn"`). Only a
misconfigured subscription sends them to an FOI mailbox; nobody wrote them and nobody will read a reply.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "ses-notification"
DESCRIPTION = "An Amazon SES complaint, delivery or other notification (JSON, often inside an SNS envelope)."
ROBOT = True

_SES = re.compile(r"\\?\"(notificationType|eventType)\\?\"\s*:\s*\\?\"(Bounce|Complaint|Delivery|Send|Reject|"
                  r"DeliveryDelay|Received)\\?\"")
_SNS = re.compile(r"\"Type\"\s*:\s*\"Notification\"[\s\S]{0,400}?\"TopicArn\"\s*:\s*\"arn:aws:sns:")


FAILURES = frozenset({"Bounce", "Reject", "DeliveryDelay"})  # a message not delivered: rule ses-bounce


def read_event(facts: Facts) -> tuple[str, str] | None:
    """The notification's field and event ("notificationType", "Bounce"), ("Type", "Notification") for a bare SNS
    envelope, or None."""
    text = facts.msg.text[:20000]
    found = _SES.search(text)
    if found:
        return found.group(1), found.group(2)
    return ("Type", "Notification") if _SNS.search(text) else None


def check(facts: Facts) -> str | None:
    event = read_event(facts)
    if event is None or event[1] in FAILURES:
        return None
    if event[0] == "Type":
        return "an Amazon SNS notification (\"Type\": \"Notification\" from an SNS topic)"
    return f"an Amazon SES notification (\"{event[0]}\": \"{event[1]}\")"
