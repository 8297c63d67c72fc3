"""Which words point to which law, and how a keyword is found in running text.

The lists are only defaults: every mailbox may set its own (`rules.eir_keywords`, `sar_keywords`,
`review_keywords`), so the judge reads them from its settings, never from here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# Environmental information as EIR reg 2(1) defines it, (a) to (f). Words that are common outside the environment
# ("substance", "water", "land", "planning", "carbon") appear only in the combinations that make them environmental
# ("hazardous substance", "water quality", "contaminated land", "planning application", "carbon emissions").
DEFAULT_EIR_KEYWORDS = (
    "environmental information", "environmental information regulations", "eir", "environmental",
    # (a) the state of the elements: air, atmosphere, water, soil, land, landscape, natural sites, biodiversity, GMOs
    "air quality", "air pollution", "atmosphere", "atmospheric", "nitrogen dioxide", "particulate", "pm2.5", "pm10",
    "water quality", "bathing water", "drinking water", "groundwater", "watercourse", "river pollution", "reservoir",
    "flooding", "flood", "coastal erosion", "coastline", "marine", "wetland", "soil", "land use", "contaminated land",
    "land contamination", "green belt", "greenbelt", "green space", "open space", "landscape", "natural habitat",
    "habitat", "nature reserve", "site of special scientific interest", "sssi", "local wildlife site", "biodiversity",
    "wildlife", "protected species", "badger", "bats", "trees", "tree preservation order", "hedgerow", "woodland",
    "genetically modified", "gmo",
    # the same in everyday words: "is the land contaminated", "the tree survey", "the tube on the lamp post"
    "contaminated", "tree survey", "felled", "oak tree", "diffusion tube",
    "the air on", "the air in", "the air around",
    # (b) factors: substances, energy, noise, radiation, waste, emissions, discharges and other releases
    "pollution", "pollutant", "emissions", "carbon dioxide", "carbon emissions", "carbon footprint", "greenhouse gas",
    "methane", "discharges", "sewage", "effluent", "spillage", "hazardous substance", "dangerous substance",
    "chemical spill", "pesticide", "herbicide", "insecticide", "glyphosate", "weedkiller", "weed killer",
    "fertiliser", "energy", "electricity", "renewable", "solar panel", "wind turbine", "wind farm", "heat pump",
    "fuel consumption",
    "electricity consumption", "gas consumption", "noise", "vibration", "light pollution", "odour", "smell",
    "stench", "fumes", "smoke", "bonfire", "radiation",
    "radioactive", "radon", "nuclear", "waste", "recycling", "landfill", "incinerator", "incineration",
    "fly-tipping", "fly tipping", "litter", "refuse collection", "bin collection", "asbestos", "japanese knotweed",
    "invasive species",
    # (c) measures affecting them: policies, plans, programmes, legislation, agreements, activities
    "climate change", "climate emergency", "climate action", "climate", "net zero", "planning application",
    "planning permission", "planning consent", "planning enforcement", "local plan", "development plan",
    "environmental impact assessment", "environmental permit", "low traffic neighbourhood", "clean air zone",
    "low emission zone", "ultra low emission zone", "ulez", "traffic emissions", "road scheme", "bypass",
    "energy consumption", "energy efficiency", "fracking", "quarry", "mining",
    "pre-application", "site allocation", "being built", "to be built", "plans or permissions", "diggers",
    # (d), (e) reports on implementation; cost-benefit and economic analyses of such measures (found with (c))
    # (f) human health and safety, the food chain, conditions of life, cultural sites and built structures as affected
    "food chain", "contamination", "listed building", "conservation area", "scheduled monument",
    # The same topics in Welsh, for authorities that take requests in either language (Welsh Language Standards).
    "gwybodaeth amgylcheddol", "ansawdd aer", "llygredd aer", "llygredd", "ansawdd dŵr", "llifogydd", "gwastraff",
    "ailgylchu", "tipio anghyfreithlon", "sŵn", "allyriadau", "ynni", "newid hinsawdd", "bioamrywiaeth",
    "bywyd gwyllt", "tir halogedig", "plaladdwyr", "chwynladdwr", "cais cynllunio", "caniatâd cynllunio",
)
DEFAULT_SAR_KEYWORDS = (
    "subject access request", "subject access", "right of access", "my personal data", "my personal information",
    "data you hold about me", "information you hold about me", "data held about me", "information held about me",
    "article 15", "all the information you hold on me", "information you hold on me", "data you hold on me",
    "data subject access", "dsar", "gdpr request", "fy nata personol", "gwybodaeth amdanaf",
    "cais gwrthrych am wybodaeth", "gwybodaeth bersonol sydd gennych", "wybodaeth bersonol sydd gan",
    # The same right as EU residents write it (GDPR Art. 15: DSGVO, RGPD, AVG).
    "art. 15", "art 15", "dsgvo", "droit d'accès", "derecho de acceso", "inzageverzoek",
)
DEFAULT_REVIEW_KEYWORDS = (
    "internal review", "review your decision", "review the decision", "review your response", "reconsider your",
    "look at it again", "not happy with your response", "not satisfied with your response",
    "dissatisfied with your response", "not happy with your reply", "not satisfied with your reply",
    "appeal your decision", "appeal against your decision", "adolygiad mewnol",
)


@lru_cache(maxsize=32)
def _keyword_patterns(keywords: tuple[str, ...]) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """Each keyword, lower-cased, with its whole-word pattern: compiled once per keyword list, not per message."""
    return tuple((k, k.lower(), re.compile(rf"(?<!\w){re.escape(k.lower())}(?:s|es)?(?!\w)")) for k in keywords)


def keyword_hits(text: str, keywords: Sequence[str]) -> tuple[str, ...]:
    lowered = text.lower()
    # The substring test only skips the regex where it could not match (most keywords, most messages).
    return tuple(k for k, word, pattern in _keyword_patterns(tuple(keywords))
                 if word in lowered and pattern.search(lowered))
