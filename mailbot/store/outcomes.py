"""What an answered request's outcome was, and which exemptions or exceptions it cited.

The categories are those the Cabinet Office's FOI statistics and the s45 Code of Practice (2018) ask authorities
to publish; the provisions are FOIA Part II (s21–s44) and EIR regulations 12(3) (personal data, by way of
reg 13), 12(4), 12(5) and 13. An internal review's result is one of REVIEW_OUTCOMES; a withdrawal is recorded as
the outcome "withdrawn" by its clock event.
"""

from __future__ import annotations

import re

OUTCOMES = {
    "granted_in_full": "Granted in full",
    "granted_in_part": "Granted in part (some withheld)",
    "refused": "Refused in full",
    "not_held": "Information not held",
    "advice_given": "Advice and assistance given (s16 / reg 9)",
    "withdrawn": "Withdrawn by the requester",  # set by the `withdrawn` clock event (store/casework.py)
}
NEEDS_EXEMPTIONS = ("granted_in_part", "refused")
# An internal review's result, as the Cabinet Office's statistics count reviews.
REVIEW_OUTCOMES = {
    "upheld": "Original decision upheld in full",
    "partly_upheld": "Original decision upheld in part (more released)",
    "overturned": "Original decision overturned (released in full)",
}

# Part II exemptions, s21 (reasonably accessible) to s44 (prohibitions), and the two refusals that are not
# exemptions but are counted beside them: s12 (cost limit) and s14 (vexatious or repeated).
FOIA_SECTIONS = (12, 14, *range(21, 45))
_FOIA = re.compile(r"^s\s?(\d{2})(\(\d+\)(\([a-z]\))?)?$")
_EIR = re.compile(r"^(reg(ulation)?\s?)?(12\(3\)|12\(4\)\([a-e]\)|12\(5\)\([a-g]\)|13(\(\d\))?)$")


class OutcomeError(ValueError):
    """An outcome or an exemption that cannot be recorded as given; the message says why."""


def exemptions_from(text: str) -> list[str]:
    """'s40(2), s31(1)(a); reg 12(5)(b)' → ['s40(2)', 's31(1)(a)', 'reg 12(5)(b)'], each checked."""
    cited: list[str] = []
    for part in re.split(r"[,;]+", text):
        item = re.sub(r"\s+", " ", part.strip().lower().replace("section", "s").replace("§", "s"))
        if not item:
            continue
        foia = _FOIA.match(item.replace(" ", ""))
        if foia and int(foia.group(1)) in FOIA_SECTIONS:
            cited.append(item.replace(" ", ""))
            continue
        eir = _EIR.match(item)
        if eir:
            cited.append(f"reg {eir.group(3)}")
            continue
        raise OutcomeError(f"{part.strip()!r} is not a FOIA exemption (s21–s44, or s12, s14) or an EIR exception "
                           "(reg 12(3), 12(4)(a)–(e), 12(5)(a)–(g), 13)")
    return cited


def check_outcome(outcome: str, exemptions: list[str], *, review: bool = False) -> None:
    """An internal review's answer takes a review outcome (upheld, partly upheld, overturned)."""
    if review:
        if outcome not in REVIEW_OUTCOMES:
            raise OutcomeError(f"choose the review's result: {', '.join(REVIEW_OUTCOMES)}")
        return
    if outcome not in OUTCOMES:
        raise OutcomeError("choose what the answer was")
    if outcome in NEEDS_EXEMPTIONS and not exemptions:
        raise OutcomeError("information withheld: name the exemptions or exceptions relied on")


__all__ = ["NEEDS_EXEMPTIONS", "OUTCOMES", "REVIEW_OUTCOMES", "OutcomeError", "check_outcome", "exemptions_from"]
