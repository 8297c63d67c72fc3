"""Enquiry references: how they are written, and how to recognise them in the forms people retype them.

The seed shows one enquiry written "13931/2022" by the authority and "13931-22" by the requester; both must
thread. A bare "number/number" is not enough — "policy 3/2021" is a date-like version — so a match needs a context
word ("Ref", "Reference", "Enquiry", "FOI", "our ref", …) or an exact known reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_FORMAT = "{seq}/{year}"

_CONTEXT = (r"(?:enquiry|inquiry|request|case|foi|eir|sar|our|your|ref(?:erence)?(?:\s+(?:no|number))?|"
            r"cyf(?:eirnod)?|ymholiad|rhif|"  # Welsh: cyfeirnod (reference), ymholiad (enquiry), rhif (number)
            # "reference" as read receipts and auto-replies in other languages quote our subject back
            r"referenz|r[ée]f[ée]rence|referencia|referentie|riferimento|refer[êe]ncia|referencyjny)\.?")
# A reference after a context word: "Ref 13931/2022", "Enquiry Reference: 13931-22", "FOI 13931/22".
_WITH_CONTEXT = re.compile(
    rf"\b{_CONTEXT}(?:\s*{_CONTEXT})*\s*[:#.]?\s*(?:no\.?\s*)?(?P<seq>\d{{1,7}})(?:\s*[/\-]\s*(?P<year>\d{{4}}|\d{{2}}))?\b",
    re.IGNORECASE,
)
# Any seq/year pair; accepted only when it names a reference we issued.
_BARE = re.compile(r"(?<![\d/\-£$.,])(?P<seq>\d{1,7})\s*[/\-]\s*(?P<year>\d{4}|\d{2})(?![\d/\-])")


@dataclass(frozen=True, order=True)
class ReferenceKey:
    """What identifies an enquiry whatever the spelling: its sequence number and (if written) its year."""

    seq: int
    year: int | None


def format_reference(seq: int, year: int, fmt: str = DEFAULT_FORMAT) -> str:
    return fmt.format(seq=seq, year=year, yy=f"{year % 100:02d}")


def reference_pattern(fmt: str) -> re.Pattern[str]:
    """A regex that parses references written in the configured format back to seq and year."""
    parts = re.split(r"(\{seq\}|\{year\}|\{yy\})", fmt)
    regex = ""
    for part in parts:
        if part == "{seq}":
            regex += r"(?P<seq>\d+)"
        elif part == "{year}":
            regex += r"(?P<year>\d{4})"
        elif part == "{yy}":
            regex += r"(?P<yy>\d{2})"
        else:
            regex += re.escape(part)
    return re.compile(rf"^{regex}$")


def parse_reference(reference: str, fmt: str = DEFAULT_FORMAT) -> ReferenceKey | None:
    match = reference_pattern(fmt).match(reference.strip())
    if not match:
        return None
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else (2000 + int(groups["yy"]) if groups.get("yy") else None)
    return ReferenceKey(int(groups["seq"]), year)


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    return value if len(text) == 4 else 2000 + value


def _plausible_year(year: int | None) -> bool:
    return year is None or 2000 <= year <= 2099


def find_reference_keys(text: str) -> list[ReferenceKey]:
    """Reference-like numbers with a context word, in order of appearance, without duplicates."""
    found: list[ReferenceKey] = []
    for match in _WITH_CONTEXT.finditer(text):
        year = _year(match.group("year"))
        if not _plausible_year(year):
            continue
        if year is None and len(match.group("seq")) < 3:
            continue  # "request 2" is prose; a reference without its year must at least look like a number we issue
        key = ReferenceKey(int(match.group("seq")), year)
        if key not in found:
            found.append(key)
    return found


def find_bare_keys(text: str) -> list[ReferenceKey]:
    """Every seq/year pair (without context): only for matching against references that exist."""
    found: list[ReferenceKey] = []
    for match in _BARE.finditer(text):
        year = _year(match.group("year"))
        if not _plausible_year(year):
            continue
        key = ReferenceKey(int(match.group("seq")), year)
        if key not in found:
            found.append(key)
    return found
