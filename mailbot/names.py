"""The applicant's name: where it is found in a message, and whether it is a "full name" under FOIA s8(1)(b).

The ICO's table (foi-rules.md) decides: first name + surname, initials + surname, title + surname and
organisations are names; a first name alone, initials alone and "Anonymous" are not. Evidence is ranked: an
explicit statement ("My full name is Fred Wright") beats a sign-off, which beats the From display name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev", "revd",
    "reverend", "cllr", "councillor", "capt", "captain", "major", "col", "colonel",
}
ORGANISATION_WORDS = {
    "ltd", "limited", "plc", "llp", "inc", "llc", "cic", "company", "association", "society", "trust", "council",
    "group", "campaign", "network", "union", "partnership", "foundation", "charity", "club", "committee", "news",
    "newspaper", "magazine", "press", "media", "party", "university", "college", "school", "solicitors", "services",
    "forum", "alliance", "coalition", "institute", "federation", "residents", "friends", "action",
}
NOT_NAMES = {
    "anonymous", "anon", "a concerned citizen", "concerned citizen", "concerned resident", "a member of the public",
    "member of the public", "resident", "citizen", "requester", "applicant", "me", "n/a", "na", "none", "unknown",
    "foi", "foi requester", "whatdotheyknow", "name", "test",
}
PSEUDONYMS = {"mickey mouse", "donald duck", "john doe", "jane doe", "joe bloggs", "batman", "spiderman", "homer simpson"}
CLOSINGS = re.compile(
    r"^\s*(yours\s+(faithfully|sincerely|truly)|kind(est)?\s+regards|best\s+regards|warm\s+regards|regards|"
    r"best\s+wishes|many\s+thanks|thanks(\s+in\s+advance)?|thank\s+you|cheers|best|all\s+the\s+best|with\s+thanks)"
    r"[\s,.!]*$",
    re.I,
)
EXPLICIT = re.compile(
    r"\bmy\s+(?:full\s+)?name\s+is\s*:?\s*(?P<name>[^\n\r,.;!?()]{2,80})|^\s*(?:full\s+)?name\s*:\s*(?P<label>[^\n\r]{2,80})$",
    re.I | re.M,
)
_CJK = re.compile(r"^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,6}$")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class NameFinding:
    name: str
    source: str  # "statement" | "sign-off" | "display name"
    full: bool
    reason: str


def clean_name(raw: str) -> str:
    """Tidy a written name: quotes and stray punctuation off, "WRIGHT, Fred" turned round, spaces collapsed."""
    name = unicodedata.normalize("NFC", raw).strip().strip("\"'<>()[]").strip()
    name = re.sub(r"\s+", " ", name)
    if name.count(",") == 1:
        surname, given = (part.strip() for part in name.split(","))
        if surname and given and " " not in surname.strip():
            name = f"{given} {surname.title() if surname.isupper() else surname}"
    return name.strip(" ,.;:-")


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"\s+", name) if t]


def _is_initial(token: str) -> bool:
    letters = _LETTERS.findall(token)
    return len(letters) == 1 or (token.replace(".", "").isalpha() and token.count(".") >= len(letters) - 1 and len(letters) <= 3 and "." in token)


def judge_full_name(raw: str, *, accept_surname_only: bool = False) -> tuple[bool, str]:
    """Whether this is a full name in the ICO's sense, and why (the reason is shown to staff)."""
    name = clean_name(raw)
    lowered = name.lower()
    if not name or not _LETTERS.search(name):
        return False, "no name given"
    if lowered in NOT_NAMES:
        return False, f"{name!r} is not a name"
    if any(ch.isdigit() for ch in name):
        return False, f"{name!r} contains digits: not a person's or organisation's name"
    if lowered in PSEUDONYMS:
        return False, f"{name!r} looks like an obvious pseudonym (staff should look at it)"
    tokens = _tokens(name)
    words = {re.sub(r"[^\w']", "", t.lower()) for t in tokens}
    if words & ORGANISATION_WORDS and len(tokens) >= 2:
        return True, f"{name!r} is an organisation's name"
    if len(tokens) == 1 and _CJK.match(name):
        return True, f"{name!r} is a full name written without spaces"
    titled = [t for t in tokens if t.lower().rstrip(".") not in TITLES]
    has_title = len(titled) < len(tokens)
    if not titled:
        return False, "a title alone is not a name"
    if len(titled) == 1:
        token = titled[0]
        if _is_initial(token):
            return False, f"{name!r} is initials only"
        if has_title:
            return True, f"{name!r}: title and surname"
        if re.fullmatch(r"(?:[A-Z]\.?){2,4}", token):
            return False, f"{name!r} is initials only"
        if accept_surname_only:
            return True, f"{name!r}: a single name, accepted by setting"
        return False, f"{name!r} is a single name, not a full name"
    surname = titled[-1]
    if all(_is_initial(t) for t in titled):
        return False, f"{name!r} is initials only"
    if _is_initial(surname):
        return False, f"{name!r} ends in an initial, not a surname"
    if all(_is_initial(t) for t in titled[:-1]):
        return True, f"{name!r}: initials and surname"
    return True, f"{name!r}: first name and surname"


def _strip_quoted(text: str) -> str:
    """The author's own words: drop quoted lines, anything after an attribution line, and known footers."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if re.match(r"^(on .{4,200} wrote:|-----\s*original message\s*-----|from:\s.+|_{5,}|-{5,})$", stripped, re.I):
            break
        lines.append(line)
    return "\n".join(lines)


def own_text(text: str) -> str:
    return _strip_quoted(text)


def _explicit(text: str) -> str | None:
    match = EXPLICIT.search(text)
    if not match:
        return None
    return clean_name(match.group("name") or match.group("label") or "")


def _sign_off(text: str) -> str | None:
    """The name under the last closing ("Yours faithfully," …) of the author's own text."""
    lines = text.splitlines()
    name: str | None = None
    for index, line in enumerate(lines):
        if CLOSINGS.match(line):
            for following in lines[index + 1 : index + 4]:
                candidate = following.strip()
                if not candidate:
                    continue
                if re.match(r"^(sent from my|get outlook)", candidate, re.I) or len(candidate) > 60:
                    break
                name = clean_name(candidate)
                break
    return name


def find_names(text: str, display_name: str | None, *, accept_surname_only: bool = False) -> list[NameFinding]:
    """Every name the message gives, strongest evidence first."""
    body = _strip_quoted(text)
    findings: list[NameFinding] = []
    for source, candidate in (("statement", _explicit(body)), ("sign-off", _sign_off(body)),
                              ("display name", clean_name(display_name) if display_name else None)):
        if candidate:
            full, reason = judge_full_name(candidate, accept_surname_only=accept_surname_only)
            findings.append(NameFinding(candidate, source, full, reason))
    return findings


def best_name(findings: list[NameFinding]) -> NameFinding | None:
    """The strongest full name, or — when none is full — the strongest partial one (to say what is missing)."""
    for finding in findings:
        if finding.full:
            return finding
    return findings[0] if findings else None
