"""The original inside a forwarded message: who wrote it, to whom, when, about what, and what it says.

In a forward the forwarder is not the applicant: the author of the forwarded original is (FOIA s8(1)(b) asks for
the name of the applicant). Mail clients write the original's headers as a block of text, each in its own way and
language, and that block is all there is to read:

- Gmail: "---------- Forwarded message ---------" then From/Date/Subject/To (localised: "Weitergeleitete
  Nachricht", "Message transféré", "Mensaje reenviado", "Doorgestuurd bericht", with localised labels);
- Outlook desktop: "-----Original Message-----" (older) or a rule of underscores, then From/Sent/To/Subject
  ("Von/Gesendet/An/Betreff", "De/Envoyé/À/Objet" with French spacing "De :", "Van/Verzonden/Aan/Onderwerp",
  "De/Enviado el/Para/Asunto", "Oddi wrth/Anfonwyd/At/Pwnc"); Outlook on the web and mobile the same block;
- Apple Mail and iOS: "Begin forwarded message:" ("Anfang der weitergeleiteten Nachricht:", "Début du message
  réexpédié :", "Begin doorgestuurd bericht:", "Inicio del mensaje reenviado:") then From/Subject/Date/To;
- Thunderbird: "-------- Forwarded Message --------" then Subject/Date/From/To, often tab-separated;
- Samsung and other Android clients: "-------- Original message --------" then From/Date/To/Subject;
- Yahoo: "----- Forwarded Message -----"; Lotus Notes: "----- Forwarded by Name/Org on date -----" then the
  author's name and address on a line of their own, the date, and "To"/"Subject" (labels sometimes on their own
  line).

The address in such a block is text the forwarder's client wrote (and the forwarder could edit), not a header any
server vouched for: it names the applicant for staff, but mailbot never writes to it automatically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import getaddresses
from functools import lru_cache

_LABELS: dict[str, tuple[str, ...]] = {
    "from": ("from", "von", "de", "van", "da", "från", "fra", "frá", "od", "oddi wrth", "oddi wrth:", "lähettäjä",
             "afzender", "remitente", "expéditeur", "mittente", "nadawca", "发件人", "寄件者"),
    "date": ("sent", "date", "gesendet", "datum", "envoyé", "envoyé le", "verzonden", "enviado", "enviado el",
             "fecha", "inviato", "data", "anfonwyd", "dyddiad", "skickat", "sendt", "lähetetty", "wysłano", "sent at",
             "发送时间", "日期"),
    "to": ("to", "an", "à", "a", "pour", "aan", "para", "at", "till", "til", "vastaanottaja", "do", "收件人"),
    "cc": ("cc", "kopie", "copie", "copia", "kopia", "bcc"),
    "subject": ("subject", "betreff", "objet", "sujet", "onderwerp", "asunto", "oggetto", "pwnc", "ämne", "emne",
                "aihe", "temat", "assunto", "主题", "主旨"),
}
_BY_LABEL = {label: field for field, labels in _LABELS.items() for label in labels}
_HEADER = re.compile(
    r"^\s*\*{0,2}(?P<label>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)?)\s*\*{0,2}\s*[:：]\*{0,2}\s*(?P<value>.*)$")
# A separator line that says "forward" (not a reply's "Original Message"): the author passes someone's mail on.
FORWARD_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}|_{2,})?\s*(?:forwarded\s+message|forwarded\s+e-?mail|weitergeleitete\s+nachricht|"
    r"message\s+transf[ée]r[ée]|mensaje\s+reenviado|doorgestuurd\s+bericht|messaggio\s+inoltrato|"
    r"mensagem\s+encaminhada|neges\s+wedi(?:'i|\s+ei)\s+(?:hanfon|anfon)\s+ymlaen|videresendt\s+melding|"
    r"vidarebefordrat\s+meddelande|wiadomo[śs][ćc]\s+przekazana)\s*(?:-{2,}|_{2,})?\s*$"
    r"|^\s*(?:begin\s+forwarded\s+message|anfang\s+der\s+weitergeleiteten\s+(?:nachricht|e-?mail)|"
    r"d[ée]but\s+du\s+message\s+r[ée]exp[ée]di[ée]|begin\s+doorgestuurd\s+bericht|"
    r"inicio\s+del\s+mensaje\s+reenviado|inizio\s+messaggio\s+inoltrato)\s*:?\s*$"
    r"|^\s*-{2,}\s*forwarded\s+by\s+.+?-{2,}\s*$",
    re.I,
)
# A separator of either kind: forwards above, and replies' "Original Message" rules in the same languages.
ANY_SEPARATOR = re.compile(
    FORWARD_SEPARATOR.pattern
    + r"|^\s*-{2,}\s*(?:original\s+message|urspr[üu]ngliche\s+nachricht|message\s+d'origine|"
      r"oorspronkelijk\s+bericht|mensaje\s+original|messaggio\s+originale|mensagem\s+original|neges\s+wreiddiol|"
      r"message\s+original|original\s+meddelelse|alkuperäinen\s+viesti|wiadomo[śs][ćc]\s+oryginalna)\s*-{2,}\s*$"
      r"|^\s*_{10,}\s*$",
    re.I,
)
_LONGEST_SEPARATOR = 200  # a separator line is short; a To: line with many recipients may be long
_LONGEST_HEADER = 4000
_LOTUS = re.compile(r"^\s*-{2,}\s*forwarded\s+by\s+", re.I)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_BRACKETED = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<address>[^<>]+)>\s*$")
_DATE_LINE = re.compile(r"^\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b")
_MAILTO = re.compile(r"\[mailto:([^\]\s]+)\]", re.I)


# The forwarder asks for information for themselves above what they forward ("please send me the contract referred
# to below"): then the request is theirs. "Please deal with the below" or "could you log this?" is not.
OWN_REQUEST = re.compile(
    r"\b(?:send|provide|supply|give|tell|show|email|forward)\s+me\b|\blet\s+me\s+(?:have|know|see)\b"
    r"|\bi\s+(?:would|'d)\s+like\b|\bi\s+am\s+(?:also\s+)?request|\bi\s+(?:also\s+)?(?:request|want)\b"
    r"|\bhow\s+many\b|\bcop(?:y|ies)\s+of\b|\bunder\s+the\s+freedom\s+of\s+information\b",
    re.I,
)


@dataclass(frozen=True)
class ForwardedOriginal:
    """What the forwarded header block says about the original; None where it says nothing readable."""

    author_name: str | None
    author_address: str | None
    date: str | None
    subject: str | None
    to: str | None
    text: str  # the original's words, after its header block
    forward: bool  # the block follows a separator that says "forward" (not a reply's "Original Message")


def _field(line: str) -> tuple[str, str] | None:
    match = _HEADER.match(line.replace("\t", " "))
    if not match:
        return None
    field = _BY_LABEL.get(match.group("label").strip().lower())
    return (field, match.group("value").strip().strip("*").strip()) if field else None


def _author(value: str) -> tuple[str | None, str | None]:
    """'Jane Smith <jane@x>', '"Smith, Jane" <jane@x>', 'Jane Smith [mailto:jane@x]', 'jane@x', 'Jane Smith'."""
    value = _MAILTO.sub(lambda m: f"<{m.group(1)}>", value.strip())
    if "@" not in value:
        name = value.strip(' "\'') or None
        return name, None
    bracketed = _BRACKETED.match(value)
    if bracketed and _ADDRESS.fullmatch(bracketed.group("address").strip()):
        pairs = [(bracketed.group("name"), bracketed.group("address").strip())]
    else:
        pairs = [(n, a) for n, a in getaddresses([value]) if _ADDRESS.fullmatch(a or "")]
    if not pairs:
        found = _ADDRESS.search(value)
        return None, found.group(0) if found else None
    name, address = pairs[0]
    name = name.strip(' "\'')
    if not name or _ADDRESS.fullmatch(name) or name.lower() == address.lower():
        return None, address
    if "," in name and len(name.split(",")) == 2:  # Exchange's "Surname, Forename"
        surname, forename = (part.strip() for part in name.split(","))
        name = f"{forename} {surname}" if forename and surname else name
    return name, address


def _block(lines: list[str], start: int) -> tuple[dict[str, str], int] | None:
    """The header block at `start` (blank lines allowed before it and once inside): fields and the next line."""
    fields: dict[str, str] = {}
    i, blanks = start, 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            blanks += 1
            if blanks > 1 or len(fields) >= 2:
                break
            i += 1
            continue
        found = _field(line)
        if found is None:
            if fields and line[:1] in (" ", "\t") and len(fields) < 5:  # a folded To/Cc line
                i += 1
                continue
            break
        name, value = found
        fields.setdefault(name, value)
        i += 1
    return (fields, i) if "from" in fields and len(fields) >= 2 else None


def _lotus(lines: list[str], start: int) -> tuple[dict[str, str], int] | None:
    """Lotus Notes: the author on a line of their own after the separator, then the date, To, Subject."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not _ADDRESS.search(lines[i]):
        return _block(lines, start)
    fields = {"from": lines[i].strip()}
    i += 1
    pending: str | None = None
    while i < len(lines) and i < start + 16:
        stripped = lines[i].strip()
        label = stripped.rstrip(":").strip().lower()
        if label in ("to", "cc", "bcc", "subject") and (stripped.endswith(":") or label == stripped.lower()):
            pending = _BY_LABEL[label]  # Notes writes a label on its own line and the value below it
        elif pending and stripped:
            fields.setdefault(pending, stripped)
            pending = None
        elif _DATE_LINE.match(stripped) and "date" not in fields:
            fields["date"] = stripped
        elif (found := _field(lines[i])) is not None:
            fields.setdefault(*found)
        elif "subject" in fields and not stripped:
            break
        i += 1
    return fields, i


@lru_cache(maxsize=32)  # the judge asks about one text several times (forwards, quoting, replies)
def find_forwarded(text: str) -> ForwardedOriginal | None:
    """The first forwarded or quoted original in `text` (unquoted lines only), or None."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">") or len(line) > _LONGEST_HEADER:
            continue
        separator = ANY_SEPARATOR.match(line) if len(line) <= _LONGEST_SEPARATOR else None
        if separator:
            parsed = _lotus(lines, index + 1) if _LOTUS.match(line) else _block(lines, index + 1)
            forward = bool(FORWARD_SEPARATOR.match(line))
        elif (found := _field(line)) is not None and found[0] == "from":
            parsed, forward = _block(lines, index), False
        else:
            continue
        if parsed is None:
            if separator and forward:  # a forward whose header block cannot be read
                return ForwardedOriginal(None, None, None, None, None, "\n".join(lines[index + 1:]).strip(), True)
            continue
        fields, end = parsed
        name, address = _author(fields.get("from", ""))
        return ForwardedOriginal(author_name=name, author_address=address, date=fields.get("date"),
                                 subject=fields.get("subject"), to=fields.get("to"),
                                 text="\n".join(lines[end:]).strip(), forward=forward)
    return None


def _fold(name: str) -> str:
    return " ".join(re.findall(r"[^\W\d_]+", name.lower()))


def same_person(original: ForwardedOriginal, address: str | None, display_name: str | None) -> bool:
    """The forwarder forwards their own mail (the same address, or the same full name from another account)."""
    if original.author_address and address and original.author_address.lower() == address.lower():
        return True
    if original.author_name and display_name:
        author, sender = _fold(original.author_name), _fold(display_name)
        return len(author.split()) >= 2 and author == sender
    return False
