"""Which words point to which law, and how a keyword is found in running text.

The lists are only defaults: every mailbox may set its own (`rules.eir_keywords`, `sar_keywords`,
`review_keywords`), so the judge reads them from its settings, never from here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

DEFAULT_EIR_KEYWORDS = (
    "environmental information", "environmental information regulations", "eir", "air quality", "air pollution",
    "pollution", "emissions", "carbon dioxide", "climate change", "net zero", "waste", "recycling", "landfill",
    "fly-tipping", "fly tipping", "noise", "contaminated land", "contamination", "flooding", "flood", "biodiversity",
    "wildlife", "trees", "planning application", "planning permission", "land use", "water quality", "sewage",
    "pesticide", "energy consumption", "energy efficiency", "traffic emissions", "asbestos", "radiation",
)
DEFAULT_SAR_KEYWORDS = (
    "subject access request", "subject access", "right of access", "my personal data", "my personal information",
    "data you hold about me", "information you hold about me", "data held about me", "information held about me",
    "article 15", "all the information you hold on me", "information you hold on me", "data you hold on me",
)
DEFAULT_REVIEW_KEYWORDS = ("internal review",)


@lru_cache(maxsize=32)
def _keyword_patterns(keywords: tuple[str, ...]) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """Each keyword, lower-cased, with its whole-word pattern: compiled once per keyword list, not per message."""
    return tuple((k, k.lower(), re.compile(rf"(?<!\w){re.escape(k.lower())}(?:s|es)?(?!\w)")) for k in keywords)


def keyword_hits(text: str, keywords: Sequence[str]) -> tuple[str, ...]:
    lowered = text.lower()
    # The substring test only skips the regex where it could not match (most keywords, most messages).
    return tuple(k for k, word, pattern in _keyword_patterns(tuple(keywords))
                 if word in lowered and pattern.search(lowered))
