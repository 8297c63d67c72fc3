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
# The same separators and header blocks as other languages' clients write them (German, French, Dutch, Spanish,
# Italian, Portuguese, Welsh, Scandinavian, Polish): a separator line, or a "From" label whose next line is another
# header label ("Von: …" then "Gesendet: …"), so that a word such as "De:" alone never cuts a person's text.
_CUT_LOCALISED = re.compile(
    r"^-{2,}\s*(?:weitergeleitete\s+nachricht|urspr[üu]ngliche\s+nachricht|message\s+transf[ée]r[ée]|"
    r"message\s+d'origine|mensaje\s+(?:reenviado|original)|doorgestuurd\s+bericht|oorspronkelijk\s+bericht|"
    r"messaggio\s+(?:inoltrato|originale)|mensagem\s+(?:encaminhada|original)|neges\s+wreiddiol|"
    r"forwarded\s+by\s.+?)\s*-{2,}$"
    r"|^(?:anfang\s+der\s+weitergeleiteten\s+(?:nachricht|e-?mail)|d[ée]but\s+du\s+message\s+r[ée]exp[ée]di[ée]|"
    r"begin\s+doorgestuurd\s+bericht|inicio\s+del\s+mensaje\s+reenviado)\s*:?$",
    re.I,
)
_FROM_LABEL = re.compile(r"^(?:von|de|van|da|från|fra|od|oddi\s+wrth|afzender|remitente|expéditeur|mittente)\s*:\s*\S",
                         re.I)
_NEXT_LABEL = re.compile(r"^(?:gesendet|datum|envoy[ée](?:\s+le)?|date|verzonden|enviado(?:\s+el)?|fecha|inviato|data|"
                         r"anfonwyd|dyddiad|skickat|sendt|wysłano|sent|an|à|aan|para|at|a|till|til|do|to)\s*:", re.I)


# Legal disclaimers and external-sender banners: boilerplate under (or over) the author's words. A paragraph is
# one when it says two of these things (a request never says "received this email in error" and "intended solely
# for the addressee"), or is a mail gateway's "originated from outside the organisation" warning. Public-sector
# disclaimers name the Freedom of Information Act ("may be disclosed under …"), which must not read as a request.
_DISCLAIMER = tuple(re.compile(p, re.I) for p in (
    r"received this (?:e-?mail|message|communication|transmission) in error",
    r"intended (?:solely|only|exclusively) for the (?:use of the )?(?:addressee|individual|recipient|person|named|"
    r"intended)",
    r"(?:is|are|may be|may contain) (?:strictly )?(?:confidential|privileged)",
    r"may be (?:monitored|recorded|intercepted|logged)",
    r"(?:may|might|could) be (?:disclosed|released|made public) (?:to the public )?under",
    r"views (?:or|and) opinions (?:expressed|contained|presented)",
    r"(?:free (?:of|from)|checked for|scanned for) (?:computer )?virus",
    r"(?:notify|inform|contact) the sender (?:immediately )?and (?:then )?(?:delete|destroy|remove)",
    r"(?:copying|disclosure|distribution|dissemination|use)\b[^.]{0,60}\b(?:strictly )?(?:prohibited|forbidden)",
))
_BANNER = re.compile(r"originated from outside (?:of )?(?:the|your|our|this) (?:organi[sz]ation|council|company|"
                     r"network|authority)", re.I)


def _boilerplate(paragraph: str) -> bool:
    if _BANNER.search(paragraph):
        return True
    return sum(1 for marker in _DISCLAIMER if marker.search(paragraph)) >= 2


def _without_boilerplate(text: str) -> str:
    paragraphs = re.split(r"(\n[ \t]*\n)", text)
    return "".join(part for part in paragraphs if part.strip() == "" or not _boilerplate(part)).strip("\n")


def own_text(text: str) -> str:
    """Everything before the first quote marker, with "> " lines and disclaimer or banner paragraphs dropped."""
    return _without_boilerplate(_quoted_cut(text))


def _quoted_cut(text: str) -> str:
    """Everything before the first quote marker, with "> " lines dropped."""
    lines = text.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if _CUT.match(stripped) or _CUT_LOCALISED.match(stripped):
            break
        if _FROM_LABEL.match(stripped) and index + 1 < len(lines) and _NEXT_LABEL.match(lines[index + 1].strip()):
            break
        # Gmail wraps long attributions: "On Tue, 10 May 2022, Fred <…" / "…> wrote:" on the next line.
        if _WROTE_CONTINUED.match(stripped) and index + 1 < len(lines) and lines[index + 1].rstrip().endswith("wrote:"):
            break
        kept.append(line)
    return "\n".join(kept).strip("\n")
