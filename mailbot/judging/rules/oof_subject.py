"""Auto-reply and read-receipt subjects, in the forms and languages mail clients write them, even without headers.

Only the start of the subject counts, and a prefix needs its colon (or must be the whole subject): a person's
"Re: Out of office policy request" or "Absence management figures" is not an auto-reply. Headers are the better
evidence (auto-submitted, autoreply-headers, report-type); this rule is for the servers that send none.
The phrases are Outlook's, Exchange's, Gmail's, Lotus Notes', Apple Mail's and Thunderbird's, in the languages
they ship: English, Welsh, French, German, Spanish, Italian, Dutch, Portuguese, Polish, Czech, Hungarian, Turkish,
Russian, Japanese, Chinese and the Nordic ones; also bracketed, as "[Auto-Reply] …" and "(Out of Office) …".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "oof-subject"
DESCRIPTION = "Auto-reply and read-receipt subjects in many forms and languages, anchored at the subject's start."
ROBOT = True

_AUTO = (
    r"out\s+of\s+(the\s+)?office(\s+(auto-?\s?reply|reply|notice|notification|message))?|auto(matic)?[\s-]*reply"
    r"|auto(matic)?[\s-]*response|auto(matic)?[\s-]*answer|autoreply|auto|vacation(\s+(reply|response))?"
    r"|away\s+from\s+(the\s+)?office|i\s+am\s+away|i'?m\s+away|on\s+leave|absence(\s+(notice|notification|message))?"
    r"|automatische\s+antwort|abwesenheitsnotiz|abwesenheit|automatische\s+abwesenheitsnotiz"
    r"|r[ée]ponse\s+automatique|absent(e)?\s+du\s+bureau|message\s+d'absence"
    r"|respuesta\s+autom[áa]tica|fuera\s+de\s+la\s+oficina|risposta\s+automatica|fuori\s+sede|assente"
    r"|automatisch\s+antwoord|afwezig(heidsmelding)?|resposta\s+autom[áa]tica|ausente"
    r"|automatyczna\s+odpowied[źz]|ateb\s+awtomatig|allan\s+o'?r\s+swyddfa"
    r"|autosvar|automatisk\s+svar|automaattinen\s+vastaus|poissa|fr[åa]nvaro|frav[æa]r(ende)?|urlaubsnotiz"
    r"|ausencia|fuori\s+ufficio|fora\s+do\s+escrit[óo]rio|poza\s+biurem|nieobecno[śs][ćc]"
    r"|automatick[áa]\s+odpov[ěe][ďd]|automatikus\s+v[áa]lasz|otomatik\s+yan[ıi]t|автоматический\s+ответ"
    r"|自動応答|自動返信|自动回复|不在"
)
_READ = (
    r"read|not\s+read|lu|non\s+lu|gelesen|ungelesen|le[íi]do|no\s+le[íi]do|lido|letto|gelezen|odczytan[ay]"
    r"|läst|læst|luettu|wedi'?i\s+ddarllen"
)
# Bilingual authorities (Wales, Ireland, Canada) write both languages: "Allan o'r Swyddfa / Out of Office: …".
_PREFIX = re.compile(rf"^\s*(?P<auto>{_AUTO})(?:\s*[/|]\s*(?:{_AUTO}))?\s*[:：]"
                     rf"|^\s*[\[(]\s*(?P<bracketed>{_AUTO})\s*[\])]|^\s*(?P<read>{_READ})\s*:(?=\s*\S)", re.I)
# The whole subject, or the phrase and then only a name, a date or "until …".
_ALONE = re.compile(
    rf"^\s*(?P<auto>{_AUTO})\s*[.!]?\s*$"
    rf"|^\s*(?P<away>out\s+of\s+(the\s+)?office|i\s+am\s+away|i'?m\s+away|on\s+leave|away\s+from\s+(the\s+)?office"
    rf"|(i\s+am|i'?m)\s+(out\s+of\s+(the\s+)?office|on\s+(annual\s+)?leave|on\s+holiday))"
    rf"\s*([-–—(]|\s(until|till|from|returning|back\s+on|between|on\s+\d))",
    re.I,
)
_TRAILER = re.compile(r"\bis\s+(out\s+of\s+(the\s+)?office|on\s+(annual\s+)?leave)\b[^:]*$", re.I)


def check(facts: Facts) -> str | None:
    subject = facts.msg.subject
    found = _PREFIX.match(subject)
    if found:
        what = "read-receipt" if found.group("read") else "auto-reply"
        return f"{what} subject ({found.group(0).strip()!r})"
    found = _ALONE.match(subject)
    if found:
        return f"auto-reply subject ({subject.strip()[:60]!r})"
    if _TRAILER.search(subject) and not subject.lower().lstrip().startswith(("re:", "fw:", "fwd:")):
        return f"auto-reply subject ({subject.strip()[:60]!r})"
    return None
