"""An Amazon SES notification that a message was not delivered (Bounce, Reject, DeliveryDelay), as JSON.

The JSON is read by ses_notification.py; this rule only names the failures, which the chain records as bounces
(the other events are reports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.rules.ses_notification import FAILURES, read_event

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "ses-bounce"
DESCRIPTION = "An Amazon SES notification that a message was not delivered (Bounce, Reject, DeliveryDelay)."
ROBOT = True


def check(facts: Facts) -> str | None:
    event = read_event(facts)
    if event is None or event[1] not in FAILURES:
        return None
    return f"an Amazon SES notification of a failed delivery (\"{event[0]}\": \"{event[1]}\")"
