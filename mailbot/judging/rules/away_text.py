"""An away message typed as a reply: a short text that opens by saying the writer is away, and asks for nothing.

GroupWise, older Notes and Exchange rules, and relays that strip headers send "I am away from the office until
Wednesday" or "Estaré fuera de la oficina hasta el 11 de diciembre" under a plain "Re:" subject with no RFC 3834
header, so it reads as an unmatched reply for staff. Its own words are the evidence: the first sentence says the
writer is away, out of the office or on leave (in English, Welsh, French, German, Spanish, Italian, Portuguese,
Dutch, Polish), and the text is a few lines. The chain records it as an auto-reply only when the writer's own words
ask for nothing: "I'm away until Monday, but please send me the figures" is a person's request (the subject, often
ours, does not count).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "away-text"
DESCRIPTION = "A short text that opens by saying the writer is away or out of the office (an away message)."
ROBOT = True

MAX_WORDS = 60
_AWAY = re.compile(
    r"^\W*(?:"
    r"(?:i\s+am|i'm|i\s+will\s+be|i'll\s+be)\s+(?:currently\s+|now\s+)?(?:away|out\s+of\s+(?:the\s+)?office|on\s+(?:annual\s+"
    r"|parental\s+|maternity\s+|paternity\s+|sick\s+|study\s+)?leave|on\s+holiday|on\s+vacation|off\s+work|not\s+in\s+the"
    r"\s+office)\b"
    r"|thank\s+you\s+for\s+your\s+(?:e-?mail|message)\.?\s+(?:i\s+am|i'm)\s+(?:currently\s+)?(?:away|out|on\s+leave)\b"
    r"|(?:rydw\s+i|rwyf)\s+(?:allan\s+o'r\s+swyddfa|i\s+ffwrdd)"
    r"|je\s+suis\s+(?:actuellement\s+)?(?:absente?|en\s+cong[ée]s?)"
    r"|ich\s+bin\s+(?:derzeit\s+|bis\s+\S+(?:\s+\S+){0,2}\s+)?(?:nicht\s+im\s+b[üu]ro|abwesend|im\s+urlaub|au[sß]er\s+haus)"
    r"|(?:estar[ée]|estoy)\s+(?:ausente|fuera\s+de\s+la\s+oficina|de\s+vacaciones)"
    r"|sono\s+(?:fuori\s+(?:sede|ufficio)|assente|in\s+ferie)"
    r"|estou\s+(?:ausente|fora\s+do\s+escrit[óo]rio|de\s+f[ée]rias)"
    r"|ik\s+ben\s+(?:afwezig|niet\s+aanwezig|met\s+vakantie)"
    r"|jestem\s+(?:nieobecn[ya]|na\s+urlopie)"
    r")", re.I)


def check(facts: Facts) -> str | None:
    text = facts.body.replace("\u2019", "'").strip()
    if not text or len(text.split()) > MAX_WORDS:
        return None
    found = _AWAY.match(text)
    if not found:
        return None
    return f"a short away message (\"{' '.join(found.group(0).split())}\"), typed as a reply"
