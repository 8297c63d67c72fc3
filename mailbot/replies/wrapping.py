"""Plain-text bodies filled to 72 columns at render time, so an admin's edit and an inserted value (a long name,
a long subject) wrap as well as our own wording.

Why at render time rather than in the template files: a template line holds `{{ … }}` of unknown length, so a
file wrapped by hand is ragged once rendered. Why hard line breaks rather than `format=flowed`: WhatDoTheyKnow
publishes replies as sent, and Outlook and many web clients ignore flowed text, so the wrapped text is what
everyone reads; a hard break at 72 reads well everywhere (RFC 5322 asks for at most 78).

Only paragraphs are filled. A line that is deliberately as it is stays as it is: an indented line, a list item,
a quoted line ("> …"), a rule ("----"), and every line of a block whose lines all fit already (a signature, an
address, "Dear …," then "Enquiry Ref: …"). Words are never split, so a URL, a reference ("13931/2022"), a
Message-ID or an email address always stays whole (a line holding only one longer than the width is longer), and a
few word groups are kept on one line because a reader (or a search) takes them as one: a date ("13th June 2022",
"13 Mehefin 2022"), a provision and its number ("section 10(1)", "regulation 11", "Adran 8") and a number and
the word it counts ("20 working days" keeps "20 working").
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LINE_LIMIT", "WIDTH", "columns", "long_lines", "wrap_text"]

WIDTH = 72  # a paragraph's lines
LINE_LIMIT = 78  # RFC 5322 2.1.1's "SHOULD": what `templates check` warns over

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|tachwedd|rhagfyr")
_DAY = re.compile(r"\d{1,2}(st|nd|rd|th)?")
_MONTH = re.compile(rf"({_MONTHS})\b", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}\W*")
_PROVISION = re.compile(r"(s|ss|section|sections|regulation|regulations|reg|article|articles|art|adran|"
                        r"rheoliad|reoliad|erthygl|part)$", re.IGNORECASE)
_NUMBERED = re.compile(r"\d+[A-Z]?(\(\w+\))*\W*$")
_COUNT = re.compile(r"\d+$")
# A line kept as it is: indented, quoted, a list item ("- ", "* ", "• ", "1. ", "(a) ", "a) "), or a rule.
_KEPT = re.compile(r"(\s|>|[-*•+]\s|\(?(\d{1,3}|[a-z]|[ivx]{1,4})[.)]\s|[-=_*~#]{3,}\s*$)")


def columns(line: str) -> int:
    """The width a terminal gives the line: combining marks (a decomposed "ŵ") take no column of their own."""
    return sum(1 for char in line if not unicodedata.combining(char))


def _kept(line: str) -> bool:
    return bool(_KEPT.match(line))


def _units(words: list[str]) -> list[str]:
    """The words grouped where a line break would separate what belongs together."""
    units: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if (_DAY.fullmatch(word) and i + 2 < len(words) and _MONTH.fullmatch(words[i + 1])
                and _YEAR.fullmatch(words[i + 2])):
            units.append(" ".join(words[i:i + 3]))
            i += 3
            continue
        if _PROVISION.fullmatch(word.lstrip("(\"'")) and i + 1 < len(words) and _NUMBERED.fullmatch(words[i + 1]):
            units.append(f"{word} {words[i + 1]}")
            i += 2
            continue
        if _COUNT.fullmatch(word) and i + 1 < len(words) and words[i + 1][:1].isalpha():
            units.append(f"{word} {words[i + 1]}")
            i += 2
            continue
        units.append(word)
        i += 1
    return units


def _fill(paragraph: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for unit in _units(paragraph.split()):
        if line and columns(line) + 1 + columns(unit) > width:
            lines.append(line)
            line = unit
        else:
            line = f"{line} {unit}" if line else unit
    if line:
        lines.append(line)
    return lines


def _block(lines: list[str], width: int) -> list[str]:
    """One block between blank lines: left alone if every line fits; otherwise each run of plain lines is one
    paragraph, filled, and the kept lines between runs stay where they are."""
    if all(columns(line) <= width for line in lines):
        return lines
    out: list[str] = []
    run: list[str] = []
    for line in lines:
        if _kept(line):
            if run:
                out += _fill(" ".join(run), width)
                run = []
            out.append(line)
        else:
            run.append(line)
    if run:
        out += _fill(" ".join(run), width)
    return out


def wrap_text(text: str, width: int = WIDTH) -> str:
    """The text with its paragraphs filled to `width` columns; everything else as it was (trailing spaces go)."""
    out: list[str] = []
    block: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line:
            block.append(line)
            continue
        out += _block(block, width)
        block = []
        out.append("")
    out += _block(block, width)
    return "\n".join(out)


def long_lines(text: str, limit: int = LINE_LIMIT) -> list[tuple[int, str]]:
    """(line number from 1, line) for each line over `limit` columns."""
    return [(number, line) for number, line in enumerate(text.split("\n"), 1) if columns(line) > limit]
