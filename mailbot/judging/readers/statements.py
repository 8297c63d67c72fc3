"""Where the author's own text gives a name: a statement ("My name is …", "I am …", "this is …", "… here",
"Name: …") and the sign-off under or beside the last closing. Read sentence by sentence (sentences.py), so a
statement in the middle of a line is found and stops where the name stops: "My name is Bob Jones and I would like
the number of 999 calls" gives "Bob Jones", and the request after it stays a request.

Explicit statements ("my name is", "my full name is", "name:") are taken whatever the name turns out to be — the
author says it is their name. Looser ones ("I am …", "this is …", "… here") are taken only when what follows is
written as a name (capitalised, or a message written all in lower case) — "I am writing to ask" is no name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mailbot.judging.readers.courtesies import closing_rest, greeting_end, is_footer
from mailbot.judging.readers.sentences import Sentence, clauses, lines, sentences

# Words that end a name written in running text (and that no name in a statement begins with).
STOP_WORDS = frozenset({
    "and", "but", "or", "so", "because", "as", "i", "i'm", "im", "i'd", "i've", "we", "from", "of", "at", "in", "on",
    "who", "which", "that", "living", "live", "writing", "would", "want", "like", "please", "here", "am", "is", "was",
    "are", "the", "a", "an", "to", "for", "with", "my", "me", "this", "thanks", "thank", "regards", "and/or", "not",
    "also", "just", "currently", "interested", "requesting", "asking", "looking", "trying", "emailing", "contacting",
    "making", "seeking", "hoping", "sure", "aware", "concerned", "very", "still", "now", "unable", "keen", "glad",
    "happy", "grateful", "afraid", "sorry", "requester", "applicant", "resident", "student", "journalist", "researcher",
    "your", "you", "it", "if", "can", "could", "will", "by", "about", "over", "again", "too", "all", "one",
    "only", "known", "called", "no", "yes", "ok", "okay", "hi", "hello", "there", "following", "up", "after",
    "before", "re", "regarding", "doing", "going", "getting", "having", "being", "off", "out", "back", "away",
    "much", "appreciated", "lots", "loads", "heaps", "mate", "everyone", "guys", "kindly", "ever", "greatly",
    "cheers", "best", "wishes", "have", "nice", "good", "great", "day", "weekend", "help", "time", "advance",
})
# Lower-case particles inside a name ("Jan van der Berg", "Siobhán Ní Bhriain", "Osman bin Ali").
PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la", "ní", "nic", "ó", "mac", "bin",
    "binti", "al", "el", "ap", "ter", "ten", "dos", "das", "y", "st", "st.",
})
NAME_MAX_WORDS = 6
# Closings that also begin ordinary sentences ("Best value contracts …"): a name after them must be capitalised.
AMBIGUOUS_CLOSINGS = frozenset({"best", "ta", "regards", "cheers"})
_EXPLICIT = re.compile(
    r"\bmy\s+(?:full\s+|real\s+|whole\s+|legal\s+|complete\s+)?name(?:\s+is|'s|’s)\s*[:\-–]?\s*"
    r"|\b(?:i\s+am|i'm|i’m|im)\s+called\s+"
    r"|^(?:your\s+|full\s+|applicant(?:'s|’s)?\s+|requester(?:'s|’s)?\s+)?name\s*[:\-–]\s*",
    re.I,
)
_LOOSE = re.compile(r"\b(?:i\s+am|i'm|i’m|im|this\s+is|it's|it’s|it\s+is)\s+", re.I)
_HERE = re.compile(r"^(?P<name>.+?)\s+here\b[\s.,!]*", re.I)
# The author says a single name is their whole name (ICO: the name by which the person is known).
ONE_NAME = re.compile(
    r"\b(?:(?:only|just)\s+(?:have\s+|use\s+|go\s+by\s+)?(?:one|a\s+single|the\s+one)\s+name"
    r"|(?:have|use|go\s+by)\s+(?:only\s+|just\s+)?(?:one|a\s+single)\s+name"
    r"|mononym(?:ous)?|known\s+(?:only\s+)?(?:by|as|under)\s+(?:one|a\s+single)\s+name"
    r"|(?:is|are)\s+my\s+(?:full|whole|entire|complete|legal|only)\s+name"
    r"|(?:do\s+not|don't|don’t)\s+have\s+(?:a|any)\s+(?:surname|family\s+name|last\s+name|second\s+name)"
    r"|(?:have\s+)?no\s+(?:surname|family\s+name|last\s+name|second\s+name))\b",
    re.I,
)


@dataclass(frozen=True)
class Statement:
    name: str
    explicit: bool  # "my name is" / "name:" (taken as said) rather than "I am" / "this is" / "… here"
    span: tuple[int, int]  # where the cue and the name are in the sentence (not counted as description)


def _token(word: str) -> str:
    return word.strip(".,;:!?\"'()[]“”‘’").lower()


def name_run(text: str, *, lowercase_ok: bool, allow_lower: bool) -> tuple[str, int]:
    """The name written at the start of `text`, and how many characters it takes: it stops at a word that ends
    a name (STOP_WORDS), at punctuation other than an initial's full stop, or after NAME_MAX_WORDS words."""
    taken: list[str] = []
    end = 0
    for match in re.finditer(r"\S+", text):
        word = match.group()
        core = word.strip(",;:!?\"()[]“”")
        token = _token(word)
        initial = len(token) == 1 and core[:1].isupper() and (core.endswith(".") or core != "I")
        if not token or (token in STOP_WORDS and not (token in PARTICLES and taken) and not initial):
            break
        if not re.search(r"[^\W\d_]", core) or any(ch.isdigit() for ch in core) or "@" in core:
            break
        lower = core[:1].islower()
        if lower and not (allow_lower or lowercase_ok or (taken and token in PARTICLES)):
            break
        taken.append(core)
        end = match.end()
        if len(taken) >= NAME_MAX_WORDS or re.search(r"[,;:!?)\]]$", word):
            break
        if word.endswith(".") and len(token.rstrip(".")) > 1 and token.rstrip(".") not in {"mr", "mrs", "ms", "dr",
                                                                                               "prof", "st", "rev"}:
            break
    name = " ".join(taken).rstrip(".,") if taken and not re.fullmatch(r"\w\.", taken[-1]) else " ".join(taken)
    return name, end


@lru_cache(maxsize=16)
def statements(text: str) -> tuple[tuple[Sentence, Statement], ...]:
    """Every name statement in the text, with the sentence it is in (read once per text: the name reader and the
    description count both ask)."""
    lowercase_text = text.lower() == text
    found: list[tuple[Sentence, Statement]] = []
    for sentence in sentences(text):
        for match in _EXPLICIT.finditer(sentence.text):
            name, length = name_run(sentence.text[match.end():], lowercase_ok=True, allow_lower=True)
            if name:
                found.append((sentence, Statement(name, True, (match.start(), match.end() + length))))
        opening = greeting_end(sentence.text)
        for match in _LOOSE.finditer(sentence.text):
            if match.start() and not (match.start() == opening + 1 or sentence.text[:match.start()].endswith(
                    (", ", "; ", ": "))):
                continue
            name, length = name_run(sentence.text[match.end():], lowercase_ok=lowercase_text, allow_lower=False)
            if len(name.split()) >= 2:
                found.append((sentence, Statement(name, False, (match.start(), match.end() + length))))
        for clause in clauses(sentence.text)[:2]:
            here = _HERE.match(clause[greeting_end(clause):].strip())
            if here:
                name, length = name_run(here.group("name"), lowercase_ok=lowercase_text, allow_lower=False)
                if name == here.group("name").strip() and len(name.split()) >= 2:
                    start = sentence.text.find(here.group())
                    found.append((sentence, Statement(name, False, (start, start + len(here.group())))))
    return tuple(found)


def explicit_name(text: str) -> str | None:
    """The first explicit statement's name, else the first looser one's."""
    found = [statement for _, statement in statements(text)]
    ordered = [s for s in found if s.explicit] + [s for s in found if not s.explicit]
    return ordered[0].name if ordered else None


def closing_name(clause: str) -> str | None:
    """For a closing clause: the name written in it ("Thanks Bob Jones" → "Bob Jones"; "" for none). None when
    the clause is not a closing (its words after the closing are not a name). A name in lower case is taken after
    a closing that is never the first word of prose ("thanks bob jones"), not after "Best" ("Best value …")."""
    rest = closing_rest(clause)
    if rest is None:
        return None
    if not rest:
        return ""
    opener = clause.split()[0].lower().strip(".,!")
    capital = opener in AMBIGUOUS_CLOSINGS or len(rest.split()) > 3
    name, length = name_run(rest, lowercase_ok=not capital, allow_lower=not capital)
    return name if name and rest[length:].strip(" .!,") == "" else None


def sign_off(text: str) -> str | None:
    """The name under or beside the last closing that gives one."""
    logical = lines(text)
    name: str | None = None
    for sentence in sentences(text):
        parts = clauses(sentence.text)
        for index, clause in enumerate(parts):
            inline = closing_name(clause)
            if inline is None:
                continue
            if inline:
                name = inline
                break
            following = [p for p in parts[index + 1 :] if not is_footer(p)]
            if following:
                candidate, length = name_run(following[0], lowercase_ok=True, allow_lower=True)
                if candidate and not following[0][length:].strip(" .!"):
                    name = candidate
                break
            if sentence.last_on_line:
                below = _line_below(logical, sentence.line)
                if below:
                    name = below
            break
    if name is None:
        trailing = trailing_sign_off(text)
        name = trailing[0] if trailing else None
    return name


_TRAILING_CLOSING = re.compile(
    r"\b(?:thanks|thank\s+you|many\s+thanks|regards|kind\s+regards|best\s+wishes|cheers|yours\s+(?:faithfully|"
    r"sincerely|truly))\b[\s,.!:–—-]+", re.I)


def trailing_sign_off(text: str) -> tuple[str, int] | None:
    """A closing and name run into the last sentence without punctuation ("… in 2023 thanks bob jones"): the
    name and where the closing starts, when the name runs to the very end."""
    found = sentences(text)
    if not found:
        return None
    last = found[-1].text
    for match in reversed(list(_TRAILING_CLOSING.finditer(last))):
        name, length = name_run(last[match.end():], lowercase_ok=True, allow_lower=True)
        if name and not last[match.end() + length:].strip(" .!,"):
            return name, match.start()
    return None


def _line_below(logical: list[str], index: int) -> str | None:
    for line in logical[index + 1 : index + 4]:
        if not line:
            continue
        if is_footer(line) or len(line) > 60:
            return None
        first = clauses(line)[0] if clauses(line) else line
        return first
    return None


def one_name_declared(text: str) -> bool:
    return bool(ONE_NAME.search(text))


# The legal forms a registered organisation's name ends with (Companies Act 2006 ss58-59 and 65; LLPs; CICs; the
# Welsh forms "Cyf" and "CCC"; "Inc" and "LLC" for companies abroad). Beside a closing, such a line is the writer's
# organisation, which the ICO accepts as the applicant's name.
_LEGAL_FORM = re.compile(
    r"^[^\W\d_][\w&'’.,()\- ]{0,60}?\s(?:ltd|limited|plc|p\.l\.c|llp|lp|cic|cyf|cyfyngedig|ccc|inc|llc)\.?$", re.I)
SIGNATURE_LINES = 6


def signature_organisation(text: str) -> str | None:
    """The registered organisation in the signature block (a line ending "Ltd", "LLP", "plc", … within a few lines
    under the last closing, or without a closing the last line, standing in a paragraph of its own): a company
    writing as a company, or the firm a person signs for. A name in a sentence ("the contract with\nAcme Ltd\nfor
    …", as a narrow mail client wraps it) is never the applicant's."""
    logical = [line.strip() for line in lines(text)]
    closings = [index for index, line in enumerate(logical)
                if line and (closing_rest(clauses(line)[0] if clauses(line) else line) is not None)]
    if not closings:
        raw = [line.strip() for line in text.strip().splitlines()]
        last_alone = len(raw) >= 2 and not raw[-2] and _LEGAL_FORM.match(raw[-1])
        return raw[-1] if last_alone else None
    start = closings[-1] + 1
    for line in logical[start : start + SIGNATURE_LINES]:
        for part in (p.strip() for p in re.split(r"\s+[|•·]\s+", line)):
            if _LEGAL_FORM.match(part) and not part.endswith((",", ";")):
                return part
    return None


_CAPITALISED = re.compile(r"^(?:[A-Z][\w'’-]*\.?|(?:de|da|van|von|der|den|di|du|le|la|ap|ab|bin|ibn|al|el|ní|nic|"
                          r"mac|ó|o')\b)$")


def name_line(text: str) -> str | None:
    """A name standing alone as the last paragraph, with no closing above it ("…in 2025?\\n\\nDave Wilkins\\n\\nSent
    from Yahoo Mail"): how many people sign on a phone. Two to four capitalised words and nothing else on the line;
    whether they are a person's name is for the name reader to judge."""
    raw = [line.strip() for line in text.strip().splitlines()]
    while raw and (not raw[-1] or is_footer(raw[-1])):
        raw.pop()
    if len(raw) < 3 or raw[-2]:
        return None
    words = raw[-1].split()
    if not 2 <= len(words) <= 4 or not all(_CAPITALISED.match(word) for word in words):
        return None
    name, length = name_run(raw[-1], lowercase_ok=False, allow_lower=False)
    return name if name and length == len(raw[-1]) else None
