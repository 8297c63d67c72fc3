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
DESCRIPTION = "An Amazon SES bounce, complaint or delivery notification (JSON, often inside an SNS envelope)."
ROBOT = True

_SES = re.compile(r"\\?\"(notificationType|eventType)\\?\"\s*:\s*\\?\"(Bounce|Complaint|Delivery|Send|Reject|"
                  r"DeliveryDelay|Received)\\?\"")
_SNS = re.compile(r"\"Type\"\s*:\s*\"Notification\"[\s\S]{0,400}?\"TopicArn\"\s*:\s*\"arn:aws:sns:")


def check(facts: Facts) -> str | None:
    text = facts.msg.text[:20000]
    found = _SES.search(text)
    if found:
        return f"an Amazon SES notification (\"{found.group(1)}\": \"{found.group(2)}\")"
    if _SNS.search(text):
        return "an Amazon SNS notification (\"Type\": \"Notification\" from an SNS topic)"
    return None
