"""FOIA s8(1)(c): how many of the author's words could describe what they ask for.

Counted sentence by sentence and clause by clause (sentences.py): a greeting clause, a closing clause and the
name beside it, a name statement's cue and name, the signature block under the last closing (short lines: name,
job title, phone, organisation) and the footers phones add are not counted; everything else on their lines is.
So "Hello, how many officers does the force employ? Thanks, Bob Jones" counts its question, and "My name is Bob
Jones and I would like the number of 999 calls" counts "and I would like the number of calls".
"""

from __future__ import annotations

from mailbot.judging.readers.courtesies import greeting_words, is_footer
from mailbot.judging.readers.sentences import clauses, lines, sentences, words
from mailbot.judging.readers.statements import closing_name, name_run, statements

SIGNATURE_LINE_MAX = 60  # a longer line under the closing is prose, not a signature


def _signature_lines(logical: list[str], closing_lines: set[int]) -> set[int]:
    """The short lines under the last closing: a name, a job title, a phone number, an organisation."""
    if not closing_lines:
        return set()
    signature: set[int] = set()
    for index in range(max(closing_lines) + 1, len(logical)):
        line = logical[index]
        count = len(line.split())
        if len(line) > SIGNATURE_LINE_MAX or "?" in line or count >= 6 or (line.endswith(".") and count >= 4):
            break  # prose again: the closing was not the end of the message
        signature.add(index)
    return signature


def _sentence_words(text: str, lowercase_text: bool) -> tuple[int, bool]:
    """Words of one sentence that are not courtesy, and whether it holds a closing."""
    count = 0
    closed = False
    parts = clauses(text)
    skip_next_name = False
    for position, clause in enumerate(parts):
        if position == 0:
            clause = " ".join(clause.split()[greeting_words(clause):])
        if not clause:
            continue
        if skip_next_name:
            skip_next_name = False
            name, length = name_run(clause, lowercase_ok=lowercase_text, allow_lower=False)
            if name and not clause[length:].strip(" .!"):
                continue
        inline = closing_name(clause)
        if inline is not None:
            closed = True
            skip_next_name = inline == ""
            continue
        count += len(words(clause))
    return count, closed


def description_words(body: str, clean_subject_words: int = 0) -> int:
    """The body's describing words, plus the subject's own (counted by the caller)."""
    lowercase_text = body.lower() == body
    spans: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for sentence, statement in statements(body):
        spans.setdefault((sentence.line, sentence.text), []).append(statement.span)
    logical = lines(body)
    counted: dict[int, int] = {}
    closing_lines: set[int] = set()
    for sentence in sentences(body):
        text = sentence.text
        for start, end in sorted(spans.get((sentence.line, text), []), reverse=True):
            text = f"{text[:start]} {text[end:]}"
        if is_footer(sentence.text):
            continue
        count, closed = _sentence_words(text, lowercase_text)
        if closed:
            closing_lines.add(sentence.line)
        counted[sentence.line] = counted.get(sentence.line, 0) + count
    signature = _signature_lines(logical, closing_lines)
    total = 0
    for index, count in counted.items():
        if index in signature or is_footer(logical[index]):
            continue
        if count == 1 and len(logical[index].split()) == 1:
            continue  # a lone sign-off word like "Fred"
        total += count
    return total + clean_subject_words
