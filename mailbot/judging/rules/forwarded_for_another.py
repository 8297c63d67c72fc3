"""Someone forwarded another person's mail: the original's author is the applicant, and staff write to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "forwarded-for-another"
DESCRIPTION = ("Someone forwarded another person's mail (Fwd:, WG:, TR:, RV:, a forwarded header block): the "
               "original's author is the applicant, not the forwarder. Their address is only text in the forward, "
               "so staff confirm it and reply; the date of receipt is when the authority received the request.")
ROBOT = False


def check(facts: Facts) -> str | None:
    original = facts.forward
    if original is None:
        return None
    forwarder = facts.msg.sender or "an unknown sender"
    if original.author_address is None:
        who = f"{original.author_name} (no address given)" if original.author_name else "cannot be read"
        return (f"forwarded by {forwarder}; the original's author {who}: staff decide who the applicant is and "
                "where to write")
    dated = f", dated {original.date}" if original.date else ""
    name = f"{original.author_name} " if original.author_name else ""
    return (f"forwarded by {forwarder}; the applicant is the original's author {name}<{original.author_address}>"
            f"{dated}: staff confirm and write to the applicant, not the forwarder (the request was received when "
            f"it reached the authority: the original's date if it reached the authority then)")
