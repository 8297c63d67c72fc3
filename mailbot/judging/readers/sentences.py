"""Sentences and clauses of a person's mail: the units a greeting, a request, a name statement and a sign-off
occupy, whatever the line breaks.

People write one long paragraph, one line, a line per sentence, or wrap at 72 columns; HTML mail arrives here as
text with a line per block. A line break therefore ends a sentence only when the line reads as ended (short, or
closed by punctuation) — a signature's "Regards" and "Bob Jones" stay apart, a hard-wrapped sentence is joined —
and punctuation ends one only where it is not an abbreviation or an initial ("Dr. A. Smith"). Clauses are the
parts between commas, semicolons, colons, dashes and brackets: "Hello, how many officers …" is a greeting clause
and a question, "Thanks, Bob Jones" a closing clause and a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mailbot.judging.readers.courtesies import closing_rest

# Words after which a full stop does not end a sentence (titles, common abbreviations in British mail).
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "mx", "dr", "prof", "rev", "revd", "cllr", "capt", "col", "gen", "lt", "sgt", "insp", "supt",
    "st", "no", "nos", "vs", "etc", "eg", "ie", "e.g", "i.e", "approx", "incl", "inc", "ltd", "co", "dept", "ref",
    "tel", "mob", "fax", "ext", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "jr", "sr", "fr", "sen", "hon", "esq", "para", "sec", "s", "reg", "art", "vol", "pp", "p", "cf", "viz", "ca",
})
# A hard-wrapped line: as long as mail programs wrap at (RFC 5322 asks for at most 78 characters; most wrap at
# 72-76), not closed by punctuation, and the next one goes on in lower case and is not a closing ("thanks").
# A longer line was never wrapped: its writer simply does not end lines with punctuation.
WRAP_MIN = 55
WRAP_MAX = 80
_BREAK = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_CLAUSE = re.compile(r"[,;:|()]+\s*|\s+[-–—]+(?:\s+|$)|^[-–—]+\s+")
_LAST_WORD = re.compile(r"([^\W\d_][\w.'’]*)[.!?…]+[\"'”’)\]]*$")
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int  # index of the (logical) line it starts on, so a sign-off's next line can be found
    last_on_line: bool  # nothing follows it on its line

    @property
    def clauses(self) -> list[str]:
        return clauses(self.text)


def lines(text: str) -> list[str]:
    """Logical lines: physical lines with hard wraps joined, blank lines kept (they separate paragraphs)."""
    joined: list[str] = []
    previous = ""  # the last physical line, whose length tells whether it was wrapped
    for raw in text.splitlines():
        line = raw.strip()
        if (joined and line and WRAP_MIN <= len(previous) <= WRAP_MAX and not re.search(r"[.!?:;,…]$", previous)
                and (line[0].islower() or line[0].isdigit()) and closing_rest(line) is None):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
        previous = line
    return joined


def _ends_sentence(before: str, mark: str) -> bool:
    if mark.strip("\"'”’)]")[-1:] in "!?…":
        return True
    match = _LAST_WORD.search(before[-40:] + mark.rstrip())  # the word before the mark is all that matters
    if not match:
        return True
    word = match.group(1).lower().rstrip(".")
    letters = [c for c in word if c.isalpha()]
    return not (len(letters) <= 1 or word in ABBREVIATIONS or "." in word)


def split_line(line: str) -> list[str]:
    """One logical line's sentences."""
    parts: list[str] = []
    start = 0
    for match in _BREAK.finditer(line):
        if _ends_sentence(line[start : match.start()], match.group()):
            parts.append(line[start : match.end()].strip())
            start = match.end()
    if line[start:].strip():
        parts.append(line[start:].strip())
    return parts


@lru_cache(maxsize=16)
def sentences(text: str) -> tuple[Sentence, ...]:
    """Every sentence of the text, in order, with the logical line it is on (split once per text: the name
    statement, the sign-off and the description are all read from it)."""
    found: list[Sentence] = []
    for index, line in enumerate(lines(text)):
        parts = split_line(line)
        found.extend(Sentence(part, index, n == len(parts) - 1) for n, part in enumerate(parts))
    return tuple(found)


def clauses(sentence: str) -> list[str]:
    """A sentence's clauses, split at commas, semicolons, colons, bars, brackets and spaced dashes."""
    return [part.strip() for part in _CLAUSE.split(sentence) if part and part.strip()]


def words(text: str) -> list[str]:
    """The real words of a text (letters only, two or more): what a description is counted in."""
    return _WORD.findall(text)
