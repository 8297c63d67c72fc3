"""The authority's own receiving server could not authenticate the From address: possibly forged, never answered
automatically (an acknowledgement would go to whoever the forger named, with the forger's words: backscatter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "fails-authentication"
DESCRIPTION = ("The authority's own receiving server (rules.trusted_authserv_ids) reports DMARC failing for the From "
               "address, or, without a DMARC result, neither SPF nor DKIM passing for it: possibly forged, so no "
               "automatic reply; staff read it.")
ROBOT = True


def check(facts: Facts) -> str | None:
    verdict = facts.authentication
    if verdict is None or verdict.passed is not False:
        return None
    return f"the From address is not authenticated by {verdict.server}: {verdict.reason}"
