"""The author's own words: a message body without quoted replies, forwarded blocks or service footers.

Names, descriptions and references are read from this, so that "Yours sincerely, Miss McGee" quoted from our own
letter, or the WhatDoTheyKnow footer, is never mistaken for what the requester wrote.
"""

from __future__ import annotations

import re

# Lines at which the author's text ends: reply attributions, forwarded/original-message separators, Outlook header
# blocks, and the rules of dashes or underscores that open WhatDoTheyKnow's and most disclaimers' footers.
_CUT = re.compile(
    r"^(on\b.{4,200}\bwrote:|-{2,}\s*(original|forwarded) message\s*-{2,}|begin forwarded message:|"
    r"from:\s.+|sent:\s.+|_{5,}|-{5,}|\*{5,}|(\*\s){4,}\*?)$",
    re.I,
)
_WROTE_CONTINUED = re.compile(r"^on\b.{4,200}$", re.I)


def own_text(text: str) -> str:
    """Everything before the first quote marker, with "> " lines dropped."""
    lines = text.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if _CUT.match(stripped):
            break
        # Gmail wraps long attributions: "On Tue, 10 May 2022, Fred <…" / "…> wrote:" on the next line.
        if _WROTE_CONTINUED.match(stripped) and index + 1 < len(lines) and lines[index + 1].rstrip().endswith("wrote:"):
            break
        kept.append(line)
    return "\n".join(kept).strip("\n")
