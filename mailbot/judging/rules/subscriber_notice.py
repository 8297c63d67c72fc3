"""A mailing's words to its subscribers: "You are receiving this because you signed up", "To stop receiving these
emails…". Newsletters and members' bulletins sent from an ordinary mail service often carry no List-* header and no
Precedence, and their copy asks questions ("Want to know how many trees we planted? Just reply to this email!") or
asks the reader for answers, which read like a request. Only a mailing speaks to its reader as a subscriber: a
person asking the authority for information never tells it that it signed up for the message. With this, the chain
records the mail as bulk, never answered. A bare "Unsubscribe" line is weaker (a campaign tool's request carries one
too) and is not read here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "subscriber-notice"
DESCRIPTION = "A mailing tells its reader it is a subscriber ('you are receiving this because you signed up'): bulk."
ROBOT = True

_SUBSCRIBER = re.compile(
    r"\byou(?:'re|\s+are)\s+(?:receiving|getting)\s+this\s+(?:\w+\s+)?(?:because|as)\s+you(?:'ve|\s+have)?\s+"
    r"(?:signed\s+up|subscribed|registered|opted\s+in|joined|are\s+(?:a\s+)?(?:member|subscriber))"
    r"|\bto\s+(?:stop\s+receiving|no\s+longer\s+receive|unsubscribe\s+from)\s+(?:these|this|our)\s+"
    r"(?:e-?mails?|messages|newsletters?|bulletins?|updates|mailings?)\b"
    r"|\byou\s+(?:signed\s+up|subscribed)\s+to\s+(?:this|our)\s+(?:newsletter|bulletin|mailing\s+list|updates)\b"
    # Welsh: "you are receiving this e-mail because you registered / you are a member"
    r"|\brydych\s+(?:chi\s+)?yn\s+derbyn\s+(?:yr?\s+)?(?:e-?bost|neges|cylchlythyr)\s+(?:hwn|hon)\s+oherwydd\b",
    re.I)


def check(facts: Facts) -> str | None:
    found = _SUBSCRIBER.search(facts.body.replace("\u2019", "'"))
    if not found:
        return None
    return f"a mailing speaks to its subscriber (\"{' '.join(found.group(0).split())}\"): bulk mail, never answered"
