"""Whose records a request asks for: the sender's own, their child's, another living person's, or the dead's.

The law turns on it. A request for one's own personal data is subject access (UK GDPR Art 15), however it is
worded, and is exempt from FOIA (s40(1)) and the EIR (reg 5(3)). A parent may exercise a child's right of access for
them (the ICO: the right is the child's). Another living person's data asked for by someone else is an FOI request
that staff answer with s40(2). The dead have no UK GDPR rights (Recital 27), so their records are FOIA (or, for
health records, the Access to Health Records Act 1990).

People rarely write "subject access": they write "everything you have on me", "my records", "CCTV footage of me",
"body worn video of my arrest". So this reads the grammar of the request — the sender as the object of a
record-noun ("information about me"), or as its possessor ("my police record") — rather than a phrase list, and it
refuses the possessives that are not about a person ("my area", "my request for information", "my council's data").
Each finding carries the words that decided it, so the regime's reason can quote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Nouns for recorded information about someone, in the forms people use for their own data.
_RECORD = (r"(?:information|info|data|records?|files?|documents?|documentation|notes?|footage|cctv|videos?|"
           r"recordings?|images?|photo(?:graph)?s?|pictures?|e-?mails?|correspondence|letters?|messages?|reports?|"
           r"logs?|statements?|transcripts?|entries|details|material|intelligence|evidence|minutes|memos?|"
           r"references?|complaints?|allegations?|referrals?|assessments?|history|copy|copies|everything|anything)")
# Prepositions that make the person after them the subject of the record ("footage of me", "emails mentioning me").
_ABOUT = (r"(?:about|on|of|concerning|regarding|re|relating to|related to|in relation to|in respect of|"
          r"pertaining to|mentioning|that mentions?|which mentions?|naming|that names?|referring to|"
          r"that refers? to|which refers? to|featuring|showing|that shows?|identifying|involving|against|"
          r"held on|held about|kept on|kept about)")
_HOLDER = (r"(?:you|you've|you have|your \w+|they|it|(?:the )?(?:social services|social care|children'?s services)|"
           r"the (?:council|force|police|authority|department|service|"
           r"trust|organisation|organization|constabulary|school|nursery|college|academy|hospital|surgery|practice|"
           r"team|unit|officers?|social workers?|staff|teachers?|head ?teacher))")
_HOLD = r"(?:hold|holds|held|have|has|had|keep|keeps|kept|store|stores|stored|retain|retains|retained|process|" \
        r"processes|processed|collected|gathered|recorded|written|wrote|write|noted|said|say|says)"
# What "my ..." names when it is the sender's data. Not "details" (contact details), "report", "emails" or
# "correspondence", which people use for their own letters to the authority ("as per my email").
_MY_RECORD = (r"(?:data|information|info|records?|files?|notes|footage|cctv|videos?|recordings?|images|"
              r"photo(?:graph)?s|statements?|transcripts?|history|personal details|pnc|999 calls?|101 calls?|"
              r"body[- ]?worn(?: video| camera footage)?|bodycam footage)")
# Matters and events in one's own life that records are kept about ("footage of my arrest").
_MY_MATTER = (r"(?:arrest|detention|custody|interview|stop(?: and search)?|search|caution|conviction|calls?|"
              r"999 calls?|101 calls?|complaints?|case|claim|assessment|appeal|tenancy|accident|incident|visit|"
              r"treatment|care|time in care|collision|road traffic collision|crash|placement|adoption|fostering|"
              r"employment|dismissal|grievance|(?:council tax |rent |housing |benefits? )?accounts?|"
              r"disciplinary|referral|allegation|investigation|conversation|meeting|hearing|benefits?|"
              r"(?:housing|benefits?|blue badge|licen[cs]e|job|firearms?|shotgun) application|car|vehicle|"
              r"(?:full )?name(?! is))")
# Words between "my" and a record noun that show the records are not the sender's ("my local area crime data").
_NOT_PERSONAL = frozenset({
    "local", "area", "street", "road", "town", "city", "village", "county", "borough", "ward", "neighbourhood",
    "neighborhood", "constituency", "region", "postcode", "district", "parish", "community", "country", "estate",
    "for", "of", "about", "on", "to", "in", "from", "with", "and", "or", "the", "a", "an", "that", "which", "is",
    "are", "was", "this", "these", "your", "you", "all", "any", "request", "requests", "enquiry", "question",
    "freedom",
})
# Words after a record noun that make it something else ("my information request", "my data protection officer").
_NOT_AFTER = re.compile(r"\s*(?:request|requests|act|regulations|officer|team|unit|department|commissioner|rights|"
                        r"governance|management|protection|security|sharing|policy|policies|strategy|procedure|"
                        r"reference|number|ref|show|shows|showed|indicate|indicates|suggest|suggests|is|are)\b")
_CHILD = (r"(?:(?:\d+[- ]year[- ]old |young |little |teenage |eldest |youngest |oldest |baby )?"
          r"(?:son|daughter|child|children|kids?|baby|step-?son|step-?daughter|boy|girl))")
_PERSON = (r"(?:neighbou?rs?|husband|wife|partner|ex[- ]partner|ex[- ]husband|ex[- ]wife|ex[- ]boyfriend|"
           r"ex[- ]girlfriend|ex|father|mother|dad|mum|mom|"
           r"parents?|brother|sister|siblings?|grandfather|grandmother|grandparents?|grandson|granddaughter|"
           r"grandchild(?:ren)?|uncle|aunt|cousin|nephew|niece|friend|colleague|tenant|landlord|lodger|relative|"
           r"family member|fianc[ée]e?|boyfriend|girlfriend|client|carer|employee|stepfather|stepmother)")
_END = r"[^.?!;]"  # within one sentence

_OWN = tuple(re.compile(p) for p in (
    # The sender as the subject of a record: "information you hold about me", "footage of me", "anything on me".
    rf"\b{_RECORD}\b{_END}{{0,60}}?\b{_ABOUT} (?:me|myself)\b",
    rf"\b{_HOLDER} (?:\w+ ){{0,2}}?{_HOLD}\b(?: got)?{_END}{{0,30}}?\b(?:on|about|of|regarding|concerning) "
    r"(?:me|myself)\b",
    # A record of the sender's own matter: "body worn video of my arrest", "emails mentioning my name".
    rf"\b{_RECORD}\b{_END}{{0,40}}?\b(?:{_ABOUT}|for|from|during|at|with|containing|contain|contains|include|"
    rf"includes|including) my (?:own )?(?:[\w-]+ ){{0,2}}?{_MY_MATTER}\b",
    # The sender's first-person part in what was recorded: "the CCTV where I appear", "the call I made".
    rf"\b{_RECORD}\b{_END}{{0,50}}?\b(?:when|where|in which|that|which) i (?:was|were|got|am|appear|appeared|"
    r"called|rang|phoned|reported|made|gave|spoke|attended|lived)\b",
    r"\b(?:statements?|calls?|999 calls?|101 calls?|interviews?|complaints?) (?:that |which )?i (?:made|gave|"
    r"submitted|lodged|did)\b",
    # "whether I am on any database", "am I on your system".
    r"\b(?:whether|if|am) i (?:am |have been |was )?(?:on|in|listed on|recorded on|flagged on|named in) "
    r"(?:any |a |the |your |a police )?(?:\w+ )?(?:database|list|register|system|watch ?list|index|pnc|records)\b",
))
_MY = re.compile(rf"(?<!\bfor )\bmy ((?:own |personal |full |complete |entire )*(?:[\w'-]+ ){{0,3}}?){_MY_RECORD}\b")


def _on_behalf_of(person: str) -> re.Pattern[str]:
    """A record about someone else: "my son's file", "notes you hold about my son", "the records of our daughter"."""
    return re.compile(
        rf"\b(?:my|our) (?:late |deceased |dear )?{person}(?:'s|s') (?:[\w-]+ ){{0,3}}?{_RECORD}\b"
        rf"|\b{_RECORD}\b{_END}{{0,60}}?\b(?:{_ABOUT}|for) (?:my|our) (?:late |deceased )?(?:[\w-]+ ){{0,2}}?"
        rf"{person}\b"
        rf"|\b{_HOLDER} (?:\w+ ){{0,2}}?{_HOLD}\b{_END}{{0,30}}?\b(?:on|about|of|regarding|concerning) (?:my|our) "
        rf"(?:late |deceased )?{person}\b")


_ABOUT_CHILD = _on_behalf_of(_CHILD)
_ABOUT_OTHER = _on_behalf_of(_PERSON)
# Whether someone has a record at all ("if my ex partner Liam Ward has a record for violence"): another living
# person's personal data, and often a safeguarding matter (a disclosure scheme), never a form letter.
_HAS_RECORD = re.compile(rf"\b(?:whether|if) (?:my|our|the) (?:[\w-]+ )?{_PERSON}\b(?: [\w'-]+){{0,3}}? "
                         r"(?:has|had|have) (?:a |any )?(?:criminal |police )?(?:record|convictions?|previous "
                         r"convictions|history of)\b")
_ABOUT_PRONOUN = re.compile(rf"\b(?:his|her) (?:[\w-]+ ){{0,3}}?{_RECORD}\b")
_DEAD = tuple(re.compile(p) for p in (
    rf"\b(?:late|deceased) (?:\w+ )?(?:{_PERSON}|{_CHILD})\b",
    rf"\b(?:{_PERSON}|{_CHILD}|he|she)\b{_END}{{0,30}}?\b(?:died|passed away|passed on|was killed)\b",
    r"\bthe (?:late|deceased) (?:mr|mrs|ms|miss|dr)\.? \w+",
    r"\b(?:deceased|death of my|since (?:his|her|their) death|(?:his|her|their) estate|executor|"
    r"personal representative|administrator of (?:his|her|the) estate)\b",
))
_ON_BEHALF = re.compile(r"\b(?:on (?:his|her|their) behalf|on behalf of (?:my|our)|power of attorney|"
                        r"with (?:his|her|their) (?:written |signed )?(?:consent|authority|permission)|"
                        r"(?:his|her|their) (?:signed |written )?(?:consent|authority|authorisation|"
                        r"authorization) is attached|we act for|acting for|we represent|our client)\b")


@dataclass(frozen=True)
class DataSubject:
    """What the text says about whose records it asks for; each field holds the deciding words, or None."""

    own: str | None = None  # the sender's own data
    child: str | None = None  # a child's data, asked for by a parent
    other: str | None = None  # another living person's data
    dead: str | None = None  # a dead person's records
    on_behalf: str | None = None  # someone acting for the data subject with their authority
    dead_records: str | None = None  # with `dead`: the records of that person asked for ("her council tax account")


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, and one line per sentence-ish: a blank line or a line with no closing
    punctuation followed by a capitalised line ends a sentence, so windows never run from a subject into a body."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"\n\s*\n", ". ", text)
    return re.sub(r"\s+", " ", text).lower()


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> str | None:
    for pattern in patterns:
        if match := pattern.search(text):
            return match.group(0).strip()
    return None


def _my_record(text: str) -> str | None:
    """"my records", "my 999 call recording", "my social care file" — not "my local area crime data", "for my
    records" or "my information request"."""
    for match in _MY.finditer(text):
        between = match.group(1).split()
        if any(word.endswith(("'s", "s'")) or word in _NOT_PERSONAL for word in between):
            continue
        if _NOT_AFTER.match(text, match.end()):
            continue
        return match.group(0)
    return None


def read_data_subject(text: str) -> DataSubject:
    """Whose data `text` (already `normalise`d) asks for."""
    other = (_first((_ABOUT_OTHER, _HAS_RECORD), text)
             or (_first((_ABOUT_PRONOUN,), text) if _ON_BEHALF.search(text) else None))
    behalf = _ON_BEHALF.search(text)
    dead = _first(_DEAD, text)
    return DataSubject(
        own=_first(_OWN, text) or _my_record(text),
        child=_first((_ABOUT_CHILD,), text),
        other=other,
        dead=dead,
        on_behalf=behalf.group(0) if behalf else None,
        # "My mother died in August. I would like her council tax account history": the dead person's records
        # asked for by name of relation or by pronoun (a death mentioned only as context asks for none).
        dead_records=_first((_ABOUT_OTHER, _ABOUT_PRONOUN), text) if dead else None,
    )
