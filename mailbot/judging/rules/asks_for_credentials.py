"""Phishing that asks the reader to sign in with their own mail account, or give a password, to see something.

Phishing now dresses as the mail an FOI mailbox expects ("Please see attached FOI document", "A Freedom of
Information request has been submitted… verify your email account by signing in"), so its words also read as a
request and the plain phishing rule yields to them. No person asking the authority for recorded information asks
the reader for their credentials; that ask, in the author's own words (not a forward or a quote), is enough for the
chain to record the mail as spam, never answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.unsolicited import credentials_asked

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "asks-for-credentials"
DESCRIPTION = "Asks the reader to sign in with their own account or give a password: phishing, whatever else it says."
ROBOT = True


def check(facts: Facts) -> str | None:
    phrase = credentials_asked(f"{facts.reading.subject}\n{facts.body}")
    return f"asks the reader for their own sign-in (\"{phrase}\"): phishing, never answered" if phrase else None
