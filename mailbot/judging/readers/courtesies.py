"""Greetings, closings and footers: the courtesy around a request, recognised clause by clause.

A greeting is the opening clause of a sentence ("Dear Sir/Madam", "Hello,", "Hi team", "Good morning —"), and
when it is written without punctuation ("hi please send …") it ends at the first word that starts the request.
A closing is a whole clause ("Yours faithfully", "Many thanks", "Thanks for your help") or one followed by the
name in the same clause ("Thanks Bob Jones", "Cheers Bob"). Neither is ever a reason to drop the rest of the
line: "Hello, how many officers …" keeps its question. Footers ("Sent from my iPhone", "Get Outlook for iOS") are
what phones and mail programs add: never a name, never a description.
"""

from __future__ import annotations

import re

_GREETING = re.compile(
    r"^(?:dear|hello|hallo|hullo|hi|hiya|hey|greetings|good\s+(?:morning|afternoon|evening|day)|morning|"
    r"afternoon|evening|to\s+whom\s+it\s+may\s+concern|sir\s+or\s+madam|sir/madam|dear\s+sirs?)\b",
    re.I,
)
# Words that start the request itself, so a greeting written without punctuation stops before them.
CLAUSE_STARTS = frozenset({
    "i", "i'm", "im", "i'd", "id", "i've", "ive", "i'll", "we", "we'd", "we're", "please", "pls", "plz", "can",
    "could", "would", "will", "may", "might", "how", "what", "when", "where", "which", "who", "whom", "why", "is",
    "are", "do", "does", "did", "has", "have", "had", "under", "further", "following", "my", "our", "this", "that",
    "these", "thank", "thanks", "kindly", "re", "regarding", "with", "in", "as", "for", "on", "i’m", "i’d", "i’ve",
    "hope", "apologies", "sorry", "just", "quick", "request", "requesting", "foi", "freedom", "there's", "its", "it's",
})
GREETING_MAX_WORDS = 6
# Longer closings first: the first alternative that matches decides where the name after it starts.
CLOSING = re.compile(
    r"^(?:(?:thanks|thank\s*you|many\s+thanks)\s+(?:again\s+|in\s+advance\s+)?for\s+(?:all\s+)?(?:your|the)\s+"
    r"(?:help|time|assistance|consideration|attention|reply|response|patience)(?:\s+(?:in\s+this\s+matter|"
    r"with\s+this|and\s+(?:help|time|assistance|consideration|attention)))?|"
    r"(?:thanks|thank\s*you|many\s+thanks)\s+(?:again|in\s+advance|very\s+much|so\s+much|a\s+lot|kindly)|"
    r"(?:with\s+)?(?:kind|kindest|best|warm|warmest|many|sincere|good)\s+(?:regards|wishes|thanks)|"
    r"yours\s+(?:faithfully|sincerely|truly|respectfully)|(?:yours\s+)?(?:faithfully|sincerely|respectfully)|"
    r"all\s+the\s+best|with\s+thanks|many\s+thanks|thank\s*you|thanks|thanx|thx|regards|rgds|best|cheers|ta|"
    r"(?:i\s+)?look(?:ing)?\s+forward\s+to\s+(?:hearing\s+from\s+you|your\s+(?:reply|response)))"
    r"(?P<rest>(?:\s+\S.*)?)$",
    re.I,
)
FOOTER = re.compile(
    r"^(?:sent\s+from\s+(?:my|mail|yahoo|outlook|the)\b|get\s+outlook\s+for|sent\s+(?:via|using|with)\b|"
    r"--\s*$|https?://|www\.|\S+@\S+\.\w+$|this\s+email\s+(?:and\s+any|has\s+been|is\s+confidential)|"
    r"download\s+outlook|virus-free|confidentiality\s+notice|disclaimer)",
    re.I,
)


def _token(word: str) -> str:
    return word.strip(".,;:!?\"'()[]").lower().replace("’", "'")


def greeting_words(clause: str) -> int:
    """How many words at the start of a clause are a greeting (0: it opens with none)."""
    match = _GREETING.match(clause)
    if not match:
        return 0
    greeting = len(match.group().split())
    rest = clause[match.end():].split()
    count = 0
    for word in rest[:GREETING_MAX_WORDS]:
        if _token(word) in CLAUSE_STARTS:
            break
        count += 1
    if count == len(rest) or (count < len(rest) and _token(rest[count]) in CLAUSE_STARTS):
        return greeting + count
    return greeting  # a long run with no request word after it: only the greeting word itself


def greeting_end(clause: str) -> int:
    """Where the clause goes on after its greeting (0 when it opens with none)."""
    count = greeting_words(clause)
    if not count:
        return 0
    matches = list(re.finditer(r"\S+", clause))
    return matches[count - 1].end() if count <= len(matches) else len(clause)


def closing_rest(clause: str) -> str | None:
    """When the clause is a closing, what follows the closing words in it ("" when nothing); else None."""
    match = CLOSING.match(clause.strip().rstrip(".!,"))
    return None if match is None else match.group("rest").strip()


def is_footer(line: str) -> bool:
    return bool(FOOTER.match(line.strip()))
