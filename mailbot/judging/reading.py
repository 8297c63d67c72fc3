"""What is read from a message once and used twice: by the judge, and by the act runner after it.

The author's own words (names, descriptions, the reply's request summary) and the cleaned subject (the stem the
judge threads by, the subject a new case stores) are computed here once per message and carried on the decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.judging.readers.subjects import clean_subject
from mailbot.mail.message import InboundMessage
from mailbot.mail.owntext import own_text


@dataclass(frozen=True)
class Reading:
    own_text: str  # the body without quoted replies, forwarded blocks or service footers
    subject: str  # without reply/forward prefixes or our reference tag

    @property
    def subject_stem(self) -> str:
        """The threading key: equal to subject_stem() of the raw subject, without cleaning it again."""
        return self.subject.lower()


def read_message(msg: InboundMessage) -> Reading:
    return Reading(own_text=own_text(msg.text), subject=clean_subject(msg.subject))
