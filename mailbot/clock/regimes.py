"""The laws a request can fall under. The clock counts differently for each; the judge decides which applies.

The values are what the database, `mailbot check --json` and the templates have always used, so a member can be
stored, printed or compared with a plain string and nothing visible changes.
"""

from __future__ import annotations

from enum import StrEnum


class Regime(StrEnum):
    FOI = "foi"  # Freedom of Information Act 2000
    EIR = "eir"  # Environmental Information Regulations 2004
    SAR = "sar"  # UK GDPR Art 15 subject access
    INTERNAL_REVIEW = "internal_review"  # a review of an FOI/EIR answer: counted like FOI


REGIMES: tuple[Regime, ...] = tuple(Regime)
