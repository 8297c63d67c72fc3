"""The author's own words only acknowledge receipt: another system's acknowledgement, or a bare thank-you to ours."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.receipts import acknowledges_receipt, only_thanks
from mailbot.judging.values import CaseStatus

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "acknowledges-receipt"
DESCRIPTION = ("The author's own words only acknowledge receipt (an automatic acknowledgement from another "
               "organisation's system, with or without robot headers, or a bare thank-you to our mail): answering "
               "it would start a loop of acknowledgements.")
ROBOT = True


def check(facts: Facts) -> str | None:
    if facts.form is not None or facts.forward is not None:
        return None  # a relayed form or a forwarded original carries someone's request, not an acknowledgement
    signs = acknowledges_receipt(facts.reading.own_text, facts.msg.subject)
    if signs:
        return f"only acknowledges receipt ({', '.join(signs)}): never answered, so two systems cannot loop"
    case = facts.case
    if (case is not None and case.status is not CaseStatus.HELD and not case.awaiting_clarification
            and only_thanks(facts.reading.own_text)):
        return "a bare thank-you in answer to our mail: recorded without another automatic reply"
    return None
