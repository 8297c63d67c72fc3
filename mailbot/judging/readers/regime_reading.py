"""Which law a request falls under — subject access, EIR or FOI — read from what it asks for.

Subject access comes first because the other two give way to it: a request for one's own personal data is exempt
from FOIA (s40(1)) and from the EIR (reg 5(3)), whatever else it asks. Then the EIR, whose list of topics (reg
2(1)) is a setting (`rules.eir_keywords`), as is the list of words that name subject access outright
(`rules.sar_keywords`); everything else is FOIA. Whose data is asked for is read by `data_subject`. The dead have no
UK GDPR rights, so a request about a dead relative is FOIA unless it also asks for the sender's own data. Every
reading carries a note quoting the words that decided it, so staff can see why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailbot.judging.readers.data_subject import normalise, read_data_subject
from mailbot.judging.readers.keywords import keyword_hits
from mailbot.judging.readers.public_part import public_part
from mailbot.judging.values import Regime

# "How many subject access requests…" asks about subject access, not for the sender's data.
_ABOUT_REQUESTS = re.compile(r"\b(?:how many|number|numbers|statistics|stats|figures|proportion|percentage|"
                             r"policy|policies|procedures?|guidance|backlog|average|how long|budget|staff|"
                             r"training|breaches|complaints)\b[^.?!;]{0,60}$")
_SUBJECT_SAR = re.compile(r"(?<![\w-])D?SAR(?![\w-])")
FOI_NOTE = "no environmental or personal-data signals: Freedom of Information Act"


@dataclass(frozen=True)
class RegimeReading:
    regime: Regime
    note: str  # why, quoting the words that decided it
    third_party: bool = False  # another living person's data: staff check the authority to act, or s40(2)
    also_foi: str | None = None  # a subject access request that also asks for facts at large: its words


def _named_outright(text: str, sar_keywords: Sequence[str]) -> list[str]:
    """The subject-access keywords the text uses to ask for data, not to ask about such requests."""
    named = []
    for keyword in keyword_hits(text, sar_keywords):
        word = keyword.lower()
        starts = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(word)}", text)]
        if any(not _ABOUT_REQUESTS.search(text[max(0, start - 80):start]) for start in starts):
            named.append(keyword)
    return named


def read_regime(subject: str, body: str, *, sar_keywords: Sequence[str],
                eir_keywords: Sequence[str]) -> RegimeReading:
    """The regime of a request with this subject and body (the author's own words)."""
    text = normalise(f"{subject}\n\n{body}")
    who = read_data_subject(text)
    if who.own:
        also = (f"; it also asks about someone who has died ({who.dead}), whose records are FOIA: staff separate "
                "them") if who.dead else ""
        public = public_part(body)
        if public:
            also += f"; it also asks for information about the authority at large (\"{public}\"): FOIA"
        return RegimeReading(Regime.SAR, f"asks for the sender's own personal data ({who.own}): subject access{also}",
                             also_foi=public or who.dead_records)
    if who.child and not who.dead:
        return RegimeReading(Regime.SAR, (
            f"a parent asks for their child's personal data ({who.child}): subject access, the child's right "
            "exercised for them (ICO); staff check parental responsibility and the child's understanding"))
    named = _named_outright(text, sar_keywords)
    if _SUBJECT_SAR.search(subject) and "rescue" not in subject.lower():  # not "SAR" for search and rescue
        named.append(_SUBJECT_SAR.findall(subject)[0] + " in the subject")
    if named and not who.dead:
        if who.other:
            return RegimeReading(Regime.SAR, (
                f"asks for personal data by the right of access ({', '.join(named[:3])}) about someone else "
                f"({who.other}): subject access on their behalf; staff check the authority to act"), True)
        public = public_part(body)
        also = f"; it also asks for information about the authority at large (\"{public}\"): FOIA" if public else ""
        return RegimeReading(Regime.SAR, f"asks for the sender's own personal data ({', '.join(named[:3])}): "
                                         f"subject access{also}", also_foi=public)
    if who.other and who.on_behalf and not who.dead:
        return RegimeReading(Regime.SAR, (
            f"asks for someone else's personal data ({who.other}) on their behalf ({who.on_behalf}): subject "
            "access for the data subject; staff check the authority to act"), True)
    eir = keyword_hits(text, eir_keywords)
    if eir:
        return RegimeReading(Regime.EIR, f"is or may be about environmental information ({', '.join(eir[:3])}): EIR")
    if who.dead:
        return RegimeReading(Regime.FOI, (
            f"asks about someone who has died ({who.dead}): the UK GDPR covers only the living, so Freedom of "
            "Information Act (health records: Access to Health Records Act 1990)"))
    if who.other:
        return RegimeReading(Regime.FOI, (
            f"asks for another living person's data ({who.other}), not the sender's own: Freedom of Information "
            "Act (staff consider s40(2))"), True)
    return RegimeReading(Regime.FOI, FOI_NOTE)
