"""The applicant's name: where a message gives it, and whether it is a "full name" under FOIA s8(1)(b).

The ICO's table (docs/foi-rules.md) decides: first name + surname, initials + surname, title + surname and
organisations are names; a first name alone, initials alone and "Anonymous" are not; an obvious pseudonym goes to
staff; surname alone follows a setting. Evidence is ranked: an explicit statement ("My full name is Fred Wright")
beats a sign-off, which beats the From display name. nameparser splits names (titles, particles such as "van der"
and "Ní", suffixes, "WRIGHT, Fred"); the rules here add what it cannot know — organisations, junk, CJK names
written without spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from nameparser import HumanName

from mailbot.judging.readers.name_words import (
    DESCRIPTORS,
    JOB_TITLES,
    NICKNAMES,
    PLACE_AFTER_THE,
    PLACE_WORDS,
    ROLES,
    TEAM_OR_SYSTEM,
    TEAM_PARTS,
)
from mailbot.judging.readers.pseudonyms import DEFAULT_PSEUDONYMS
from mailbot.judging.readers.statements import (
    explicit_name,
    name_line,
    one_name_declared,
    sign_off,
    signature_organisation,
)

TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev", "revd",
    "reverend", "cllr", "councillor", "capt", "captain", "major", "col", "colonel", "fr", "father", "sister",
}
ORGANISATION_WORDS = {
    "cymru",
    "ltd", "limited", "plc", "llp", "inc", "llc", "cic", "company", "association", "society", "trust", "council",
    "group", "campaign", "network", "union", "partnership", "foundation", "charity", "club", "committee", "news",
    "newspaper", "magazine", "press", "media", "party", "university", "college", "school", "solicitors", "services",
    "forum", "alliance", "coalition", "institute", "federation", "residents", "friends", "action", "agency",
    "centre", "center", "bureau", "journal", "gazette", "times", "post", "echo", "bbc", "itv", "watch", "project",
    "authority", "directorate", "government", "ministry", "commission", "board", "service", "police",
    "constabulary", "nhs", "hospital", "borough", "county", "parish", "cooperative", "co-operative",
}
NOT_NAMES = {
    "anonymous", "anon", "a concerned citizen", "concerned citizen", "concerned resident", "a member of the public",
    "member of the public", "resident", "citizen", "requester", "applicant", "me", "n/a", "na", "none", "unknown",
    "foi", "foi requester", "whatdotheyknow", "name", "test", "user", "admin", "customer", "a local resident",
    "local resident", "taxpayer", "a taxpayer", "regards", "thanks", "thank you", "sincerely", "faithfully",
    "all", "everyone", "everybody", "team", "guys", "folks", "both", "again", "in advance", "so much", "a lot",
    "very much", "you", "you all", "all concerned",
}
# Words that do not occur in personal names: a "name" containing one is a phone signature, a job title or prose.
NON_NAME_WORDS = {
    "from", "my", "sent", "iphone", "ipad", "android", "phone", "mobile", "samsung", "outlook", "the", "please",
    "thanks", "regards", "email", "mail", "request", "requests", "information", "foi", "office", "department",
    "dept", "manager", "officer", "director", "assistant", "clerk", "inspector", "chief", "head", "coordinator",
    "administrator", "is", "are", "was", "this", "that", "with", "for", "and", "you", "your", "our", "we", "i",
    "on", "behalf", "of", "per", "pp",
}
_CJK = re.compile(r"^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,6}$")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_NAME_CHARS = re.compile(r"^[^\W\d_][^\W\d_\s.'’\-]*(?:[\s.'’\-]+[^\W\d_]*)*\.?$", re.UNICODE)


@dataclass(frozen=True)
class NameFinding:
    name: str
    source: str  # "statement" | "sign-off" | "display name" | "form"
    full: bool
    reason: str
    organisation: bool = False
    pseudonym: bool = False
    named: bool = True  # the words name someone, if only partly; False for a phrase, a house, a system, digits


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    """Case- and accent-insensitive form, for comparing names (the same few words are compared over and over:
    the pseudonym list against every name judged)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def clean_name(raw: str) -> str:
    """Tidy a written name: quotes and stray punctuation off, "WRIGHT, Fred" turned round, one case fixed."""
    name = unicodedata.normalize("NFC", raw).strip().strip("\"'<>").strip()
    # What address books and relays add to a person's name: Exchange's "(Legal)" or "[Contractor]", and a
    # service's "via DocuSign" or "via Google Groups" (the person is the one before "via").
    name = _ADDED.sub("", name).strip().strip("\"'<>()[]").strip()
    name = re.sub(r"\s+", " ", name).strip(" ,;:-")
    name = _POST_NOMINALS.sub("", name) if len(_POST_NOMINALS.sub("", name).split()) >= 2 else name
    if name.count(",") == 1:
        surname, given = (part.strip() for part in name.split(","))
        if surname and given and " " not in surname and not _is_suffix(given):
            if surname.isupper():  # "WRIGHT, Fred" is Fred Wright
                capitalised = HumanName(surname)
                capitalised.capitalize(force=True)
                surname = str(capitalised) or surname.title()
            name = f"{given} {surname}"
    name = _caps_surname_last(name)
    if name and (name.isupper() or name.islower()) and _LETTERS.search(name) and not _CJK.match(name):
        human = HumanName(name)
        human.capitalize(force=True)
        name = str(human) or name
    return name.strip(" ,.;:-") if not name.endswith(".") or len(name) < 3 else name.rstrip(" ,;:-")


def _caps_surname_last(name: str) -> str:
    """"DUBOIS Marie" and "Marie DUBOIS" are Marie Dubois: French, Belgian and many European forms write the surname
    in capitals, first or last, in a name otherwise in mixed case. Only one capitalised word of four or more
    letters (not an acronym: "BBC News"), beside words in mixed case and no organisation's word, is read so;
    "J SMITH", "ANN LEE" and "Ann Lee" are left as they are."""
    words = name.split()
    caps = [w for w in words if len(w.strip(".-'")) >= 4 and w.isupper()]  # not BBC, NHS, ITV
    mixed = [w for w in words if not w.isupper()]
    if (len(words) < 2 or len(caps) != 1 or len(mixed) != len(words) - 1 or not all(w[:1].isupper() for w in mixed)
            or {w.lower() for w in words} & ORGANISATION_WORDS):
        return name
    surname = HumanName(caps[0])
    surname.capitalize(force=True)
    return " ".join([*mixed, str(surname) or caps[0].title()])


# Letters after a name — an office (MP, MS, MSP, MLA, MEP) or an honour or degree (OBE, KC, PhD) — say what the
# person is, not who: "Sarah Mensah MP" and "Ann Lee, MBE" are Sarah Mensah and Ann Lee. In capitals only, so a
# surname such as "Ms" or "Am" is never taken for one.
_POST_NOMINALS = re.compile(r"(?:,?\s+(?:MP|MS|MSP|MLA|MEP|AM|QC|KC|OBE|MBE|CBE|KBE|DBE|JP|DL|PhD|FRS|Esq\.?))+$")

_ADDED = re.compile(r"(?:\s*[(\[][^()\[\]]{1,40}[)\]])+\s*$|\s+via\s+[\w .&'-]{2,40}$", re.I)


def _is_suffix(text: str) -> bool:
    return _fold(text).replace(".", "") in {"jr", "sr", "ii", "iii", "iv", "phd", "mbe", "obe", "cbe", "qc", "kc"}


def _is_initial(token: str) -> bool:
    letters = _LETTERS.findall(token)
    return len(letters) == 1 or (len(letters) <= 3 and token.replace(".", "").isalpha() and "." in token
                                 and token.count(".") >= len(letters) - 1)


@dataclass(frozen=True, slots=True)
class _Parts:
    title: str
    first: str
    given: tuple[str, ...]  # first and middle names
    surname: str


@lru_cache(maxsize=1024)
def _parts(name: str) -> _Parts:
    """nameparser's split, once per distinct string: judging a name and comparing it with the others a message
    gives ask for the same split several times, and nameparser is the costliest step of reading a name."""
    human = HumanName(name)
    return _Parts(human.title, human.first, tuple(t for t in (human.first, *human.middle_list) if t), human.last)


def _words(name: str) -> list[str]:
    return [re.sub(r"[^\w'’-]", "", t.lower()) for t in name.split()]


@lru_cache(maxsize=16)
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_fold(w) for w in words)


def _not_a_name(name: str, words: list[str]) -> str | None:
    """Why a written "name" is a team, a system, a self-description or a house (name_words.py), or None."""
    folded = [_fold(w) for w in words if w]
    if not folded:
        return None
    if set(folded) & TEAM_OR_SYSTEM or all(w in TEAM_PARTS for w in folded):
        return f"{name!r} is a system's or team's name, not a person's"
    if len(folded) >= 2 and set(folded) & JOB_TITLES and all(w in JOB_TITLES or w in TEAM_PARTS for w in folded):
        return f"{name!r} is a job title, not a person's name"
    if folded[0] in DESCRIPTORS or (len(folded) >= 2 and all(w in ROLES or w in DESCRIPTORS for w in folded)):
        return f"{name!r} describes the writer; it is not their name"
    if folded[-1] in PLACE_WORDS or (len(folded) >= 2 and folded[0] == "the" and folded[-1] in PLACE_AFTER_THE):
        return f"{name!r} is a house or place name, not a person's"
    return None


def judge_full_name(raw: str, *, accept_surname_only: bool = False,
                    pseudonyms: tuple[str, ...] = DEFAULT_PSEUDONYMS, one_name: bool = False) -> NameFinding:
    """Whether this is a full name in the ICO's sense, and why (the reason is shown to staff). `one_name`: the
    author says a single name is their whole name, which makes it the name by which they are known."""
    name = clean_name(raw)
    folded = _fold(name)

    def verdict(full: bool, reason: str, **flags: bool) -> NameFinding:
        return NameFinding(name, "", full, reason, **flags)

    if not name or not _LETTERS.search(name):
        return verdict(False, "no name given", named=False)
    if folded in NOT_NAMES:
        return verdict(False, f"{name!r} is not a name", named=False)
    if any(ch.isdigit() for ch in name) or "@" in name or "_" in name:
        return verdict(False, f"{name!r} is not a person's or organisation's name", named=False)
    if folded in _folded(pseudonyms):
        return verdict(False, f"{name!r} looks like an obvious pseudonym", pseudonym=True)
    described = _not_a_name(name, _words(name))
    if described:
        return verdict(False, described, named=False)
    words = set(_words(name))
    if words & ORGANISATION_WORDS and len(words) >= 2:
        return verdict(True, f"{name!r} is an organisation's name", organisation=True)
    if _CJK.match(name):
        return verdict(True, f"{name!r} is a full name written without spaces")
    if not _NAME_CHARS.match(name) or len(name.split()) > 6 or words & NON_NAME_WORDS:
        return verdict(False, f"{name!r} does not read as a name")
    parts = _parts(name)
    given = list(parts.given)
    surname = parts.surname
    if not surname and parts.title and len(given) == 1:  # "Mr Roberts" may parse as title + first
        surname, given = given[0], []
    if not surname:
        if not given:
            return verdict(False, "a title alone is not a name")
        if all(_is_initial(t) for t in given) or re.fullmatch(r"(?:[A-Z]\.?){2,4}", given[0]):
            return verdict(False, f"{name!r} is initials only")
        if one_name:
            return verdict(True, f"{name!r}: a single name the applicant says is their whole name")
        if accept_surname_only:
            return verdict(True, f"{name!r}: a single name, accepted by setting")
        return verdict(False, f"{name!r} is a single name, not a full name")
    if _is_initial(surname.split()[-1]):
        return verdict(False, f"{name!r} ends in an initial, not a surname")
    if not given:
        return verdict(True, f"{name!r}: title and surname")
    if all(_is_initial(t) for t in given):
        return verdict(True, f"{name!r}: initials and surname")
    return verdict(True, f"{name!r}: first name and surname")


def surname_of(name: str) -> str:
    return _fold(_parts(name).surname or name.split()[-1])


def same_given(a: str, b: str) -> bool:
    """Two given names (or initials) that may be the same person's: F = Fred, Chris = Christopher, Dave = David,
    Bob = Robert. Fred and Frances are not."""
    a, b = _fold(a).strip("."), _fold(b).strip(".")
    if not a or not b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    if a.startswith(b) or b.startswith(a) or (min(len(a), len(b)) >= 3 and a[:3] == b[:3]):
        return True
    return NICKNAMES.get(a, a) == NICKNAMES.get(b, b)


def compatible(a: str, b: str) -> bool:
    """Two full names for the same person: same surname, and given names that do not contradict (F = Fred)."""
    if surname_of(a) != surname_of(b):
        return False
    return same_given(_parts(a).first, _parts(b).first)


def _single_given(finding: NameFinding) -> bool:
    """A one-word personal name that is not full ("Fred", "Bob"): it can still contradict another name."""
    name = finding.name
    return (not finding.full and not finding.pseudonym and len(name.split()) == 1 and len(name) >= 2
            and judge_full_name(name, accept_surname_only=True).full)


def _agrees(single: str, full: str) -> bool:
    parts = _parts(full)
    return (any(same_given(single, given) for given in parts.given) or surname_of(full) == _fold(single)
            or (not parts.given and not parts.surname))


def find_names(text: str, display_name: str | None, *, accept_surname_only: bool = False,
               pseudonyms: tuple[str, ...] = DEFAULT_PSEUDONYMS) -> list[NameFinding]:
    """Every name the author's own text and the From header give, strongest evidence first."""
    findings: list[NameFinding] = []
    display = display_name if display_name and "@" not in display_name else None
    stated, signed, firm = explicit_name(text), sign_off(text), signature_organisation(text)
    alone = name_line(text) if signed is None else None  # weaker than the display name; a person's name only
    if alone:
        verdict = judge_full_name(alone, accept_surname_only=accept_surname_only, pseudonyms=pseudonyms)
        alone = alone if verdict.named and not verdict.organisation and not verdict.pseudonym else None
    one_name = one_name_declared(text)
    for source, candidate in (("statement", clean_name(stated) if stated else None),
                              ("sign-off", clean_name(signed) if signed else None),
                              ("signature", firm),
                              ("display name", clean_name(display) if display else None),
                              ("name line", clean_name(alone) if alone else None)):
        if candidate:
            verdict = judge_full_name(candidate, accept_surname_only=accept_surname_only, pseudonyms=pseudonyms,
                                      one_name=one_name)
            findings.append(replace(verdict, source=source))
    return findings


def best_name(findings: list[NameFinding]) -> NameFinding | None:
    """The strongest full name, or — when none is full — the strongest partial one (to say what is missing), a
    partial name before words that name nobody ("A concerned neighbour", "Rose Cottage")."""
    for finding in findings:
        if finding.full:
            return finding
    return next((f for f in findings if f.named), findings[0] if findings else None)


def conflicting(findings: list[NameFinding]) -> tuple[NameFinding, NameFinding] | None:
    """Two personal names that cannot be the same person — a different surname, or a first name that is not the
    other's (a signature "Bob" under mail from "Fred Wright"): staff must look at who is asking."""
    people = [f for f in findings if (f.full and not f.organisation) or _single_given(f)]
    for index, first in enumerate(people):
        for second in people[index + 1 :]:
            if first.full and second.full:
                agree = compatible(first.name, second.name)
            elif first.full or second.full:
                single, full = (second, first) if first.full else (first, second)
                agree = _agrees(single.name, full.name)
            else:
                agree = same_given(first.name, second.name)
            if not agree:
                return first, second
    return None
