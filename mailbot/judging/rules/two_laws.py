"""A subject access request that also asks for facts about the authority at large: two requests under two laws.

The writer's own data is UK GDPR's (Art 15, one month; exempt from FOIA by s40(1)); statistics and policies are
FOIA's (s1, 20 working days). One automatic acknowledgement would state one regime and one due date for both, so
staff split the message (readers/public_part.py finds the sentence). A dead relative's records asked for beside the
writer's own ("My mother died in August. I would like her council tax account history, and all you hold about me")
are the same: the dead have no UK GDPR rights, so that part is FOIA's (readers/data_subject.py, `dead_records`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.values import Regime

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "asks-under-two-laws"
DESCRIPTION = "Subject access and a question of fact at large in one message: two laws, two clocks; staff split it."
ROBOT = False


def check(facts: Facts) -> str | None:
    if facts.regime is not Regime.SAR or not facts.other_law:
        return None
    return (f"asks for the writer's own data (UK GDPR Art 15) and also for information FOIA covers (facts at large, "
            f"or a dead person's records: \"{facts.other_law}\"): two requests with two due dates")
