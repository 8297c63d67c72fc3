"""What the author asks for: recorded information (FOIA s8(1)(c)), or that the authority do something.

A request for information asks for information, records, data, documents, figures, copies, a policy, "how many"
or "what is". A complaint or a service request asks the authority to act: fix, collect, call back, take a report,
deal with a complaint. The ICO treats that routine correspondence as business as usual, outside FOIA's formal
handling, so it must not be acknowledged with a reference and a 20-day clock; but mail that asks for both is a
request as well, and staff split it. Each reader returns the phrase it found (the evidence staff are shown), or
None: only positive evidence counts, and the absence of both says nothing.
"""

from __future__ import annotations

import re


def phrases(*phrases: str) -> re.Pattern[str]:
    """One pattern over whole-word phrases (each a regex; spaces stand for any run of white space)."""
    return re.compile(r"\b(?:" + "|".join(p.replace(" ", r"\s+") for p in phrases) + r")(?!\w)", re.I)


# A request for recorded information, in the words people use for it.
_INFORMATION = phrases(
    # the law named
    r"freedom of information", r"(?:foia?|eir) requests?", r"under (?:the )?foia?",
    r"environmental information regulations", r"subject access",
    r"data protection act", r"uk gdpr", r"article 15", r"rhyddid gwybodaeth", r"cais am wybodaeth",
    # questions of fact
    r"how (?:many|much|often|long)", r"what (?:percentage|proportion|number)",
    r"what (?:is|are|was|were) (?:the|your)", r"which (?:companies|contractors|suppliers|officers|departments)",
    # the information itself
    r"the number of", r"numbers of", r"a breakdown", r"broken down by", r"figures", r"statistics",
    r"data (?:on|for|about|relating|held)", r"records? (?:of|relating|held|about|concerning|showing)",
    r"cop(?:y|ies) of", r"documents?", r"minutes of", r"correspondence (?:between|with|relating)",
    r"e-?mails? (?:between|sent|received)", r"(?:your|the|any) polic(?:y|ies)", r"procedures? (?:for|on)",
    r"guidance (?:on|for)", r"contracts? (?:for|with|between)", r"expenditure", r"spend(?:ing)? on", r"cost of",
    r"budget (?:for|of)", r"a list of", r"details of",
    r"information (?:on|about|regarding|relating|held|concerning|you hold|that you hold)",
    r"footage of me", r"my (?:personal )?(?:data|records|file)", r"(?:hold|have) (?:on|about) me",
    # asking to be given it
    r"disclose", r"provide me with", r"supply me with", r"send me (?:a|the|all|any|copies|details|information|your)",
    r"please (?:provide|supply|disclose|release)", r"i would like to (?:know|request|obtain|see|receive|have a copy)",
    r"i'd like to (?:know|request|obtain|see|receive)",
    r"(?:can|could|would) you (?:please )?(?:tell|let) me (?:know )?(?:how|what|whether|if|when|which|who)",
    r"do you hold", r"whether you hold", r"(?:please|kindly) (?:confirm|state|tell me) (?:how|what|whether|if)",
    # "please send the readings", but not "please send someone" or "send me a final bill" (a service)
    r"(?:please|kindly|could you|can you|would you|will you)(?: please)? (?:send|provide|supply|forward|release"
    r"|disclose)(?: me| us)?(?: with)? (?!(?:someone|somebody|anyone|an? (?:officer|engineer|inspector|crew|team"
    r"|van|bill|final bill|form|replacement|reminder|new))\b)[\w-]+",
    r"(?:please|kindly|could you|can you|would you|will you)(?: please)? (?:give|tell|share|let me (?:have|know"
    r"|see))(?: me| us)? (?:the|all|any|his|her|their|my|a copy|copies|details|information|records|figures|data"
    r"|everything|anything|how|what|which|whether)",
    r"(?:i|we) (?:hereby )?(?:request|am requesting|are requesting|ask for|seek)",
    r"(?:records|information|data|documents|files|material) (?:that )?you (?:hold|have|keep|retain)",
    r"i (?:want|need|would like|'d like|wish) (?:to (?:see|know|have|get|obtain|receive|request|find out)|a copy"
    r"|copies|the|all|any|details)",
    r"(?:i'd|i would|we'd|we would) be (?:grateful|obliged|pleased) (?:for|if|to (?:receive|have|know|see))",
    r"(?:which|what) [\w-]+(?: [\w-]+){0,3} (?:did|does|do|has|have|is|are|was|were) (?:the|your|you|this|that)",
    r"(?:total|overall|annual|monthly|average) (?:number|amount|cost|spend|value) of", r"breakdown (?:by|of)",
    # "Could I see the readings?", "What monitoring results and reports do you have for the site?"
    r"(?:can|could|may) (?:i|we) (?:please )?(?:see|have|get|obtain|view|inspect)(?: a copy of)? (?:the|any|all|your"
    r"|copies|his|her|their|those|these)",
    r"what [\w-]+(?: [\w-]+){0,6} (?:do|does|did) (?:you|the council|your \w+) (?:have|hold|keep|record)",
    # the same in Welsh: "would you be so good as to provide", "I would like to have", "how many/much", "send me"
    r"a fyddech(?: chi)? (?:cystal|mor garedig)", r"hoffwn (?:gael|wybod|weld|dderbyn|ofyn am)",
    r"faint (?:o|a|y|yw|oedd|sydd)", r"anfonwch (?:ataf|ata i|gopi|gop[iï]au|y|yr|fanylion)",
    r"rhowch wybod (?:i mi )?(?:faint|pa|a|sut|pryd)", r"cop[iï]a?u? o'?r?",
)

# The author asks the authority to do something, or complains: routine correspondence, not a request.
_ACTION = phrases(
    # complaints
    r"i (?:would like|'d like|wish|want|need|am writing|'m writing|am emailing) to (?:make|raise|lodge|file|register"
    r"|submit)"
    r" (?:a|an|my) (?:formal )?complaint",
    r"(?:would like|'d like|wish|want|am writing|'m writing|need) to complain", r"i(?: am|'m) complaining",
    r"this is a (?:formal )?complaint", r"(?:make|making|raise|lodge) a (?:formal )?complaint (?:about|against)",
    r"i(?: am|'m) (?:very |extremely |really |so )?(?:unhappy|disappointed|disgusted|appalled|fed up)"
    r"(?: (?:with|about|by|that)|[.!])",
    # reports of crimes and faults
    r"i (?:would like|'d like|wish|want|need) to report (?:a|an|the|my|that)",
    r"to report (?:a|an) (?:crime|incident|theft|burglary|assault|accident|pothole|problem|fault|missed)",
    # asking for a service
    r"(?:please|pls|kindly) (?:can you |could you )?(?:fix|repair|mend|sort (?:out|this)|replace|clear|unblock|empty"
    r"|collect|come (?:and|out|round)|send (?:someone|somebody|an officer)|cancel|book|reschedule|update my"
    r"|change my|call|ring|phone|investigate (?:this|the|my)|fill|patch|remove|clean|cut|trim|repaint|unlock)",
    # the thing to be put right: "could you get it fixed", "when will someone come to fix my fence"
    r"(?:get|have) (?:it|this|them|these|that) (?:fixed|repaired|sorted|mended|cleared|removed|collected|replaced)",
    r"i (?:want|need|expect) (?:it|this|them|these|that) (?:fixed|repaired|sorted|mended|cleared|dealt with)",
    r"(?:nobody|no one|no-one) (?:has|have|had) (?:cleared|fixed|repaired|collected|emptied|cleaned|come)",
    r"nothing (?:has|have|had) (?:yet )?been done",
    r"(?:still )?(?:not|never) been (?:fixed|repaired|sorted|dealt with)",
    r"(?:has|have) (?:now )?been reported (?:\w+ ){0,2}times",
    r"(?:come|came|coming|been) (?:out |round )?to (?:fix|repair|mend|look at|sort out|collect|inspect) (?:my|our|the)",
    r"i (?:want|need|expect) (?:someone|somebody|an officer|a repair|an engineer)(?: to come)? (?:here|out|round|to)",
    r"(?:can|could|would|will) (?:you|someone|somebody) (?:please )?(?:fix|repair|mend|sort out|collect|empty"
    r"|come (?:and|out|round)|send (?:someone|somebody|an officer)|call me|ring me|phone me)",
    r"(?:call|ring|phone) me back", r"give me a (?:call|ring)", r"(?:call|ring) me (?:on|at|asap|urgently|as soon)",
    r"contact me (?:on|at) (?:0|\+44)",
    # lists, bookings, applications and bills: business as usual
    r"(?:take|remove) me (?:off|from) (?:your|the|this) (?:\w+ )?(?:mailing |distribution )?list",
    r"i(?:'d| would) like to (?:book|arrange|reserve|order|pay|renew|cancel|apply for (?:a|an|the) (?:job|post|role"
    r"|vacancy|position))", r"(?:my|a|our) (?:cv|curriculum vitae|covering letter) for",
    r"(?:please find|i attach|i have attached|attached (?:is|please find)) (?:attached )?(?:our |my |the )?"
    r"(?:invoice|cv|curriculum vitae|statement of account|remittance)",
    # the service that failed
    r"(?:my|our) (?:\w+ )?(?:bins?|recycling|rubbish|refuse|waste|collection)(?: \w+){0,3} (?:was|were|has|have|is"
    r"|are)(?:n't| not) (?:been )?(?:collected|emptied|picked up)",
    r"(?:you|they|crews?|the crew) (?:have |has )?missed (?:my|our) (?:bins?|collection|recycling)",
    r"(?:my|our) (?:\w+ )?(?:bins?|collection|recycling) (?:was|were|has been|have been|got) missed",
    r"my (?:bin|bins|recycling) (?:was|were|has|have|is) (?:missed|not|still)",
    r"(?:the|a|my|our) (?:street ?light|street lamp|streetlamp|lamp ?post)(?: \w+){0,4} (?:is|has been|has|keeps"
    r"|was) (?:out|broken"
    r"|not working|flickering|faulty|damaged|off|on all day)",
    r"pothole (?:on|in|outside) (?:my|our|the)", r"fly-? ?tipped (?:outside|on|in|at|behind)",
    # the writer's own account or transaction: a service, however it is asked ("send a final bill", "when will
    # invoice 2231 be paid")
    r"(?:close|open|set up|cancel|transfer|register|renew) (?:my|our|a|the) (?:new )?(?:[\w-]+ ){0,2}(?:account|direct"
    r" debit|permit|membership|registration|licence|subscription)",
    r"send (?:me |us )?(?:a|my|our|the) (?:final |new |replacement |duplicate )?(?:bill|statement|invoice|form"
    r"|card|permit|badge|sticker|reminder|refund)",
    r"(?:expected )?payment date", r"(?:remain|remains|is|are) (?:still )?(?:unpaid|outstanding|overdue)",
    r"when (?:will|can|is|are|would) (?:my|our|the|invoice|payment)(?: [\w-]+){0,3} (?:be )?(?:paid|processed"
    r"|refunded|settled|renewed|issued)",
    r"when (?:my |our |the )?(?:invoice|payment|refund|bill|claim)(?: [\w-]+){0,3} (?:will|is|are|would) (?:be )?"
    r"(?:paid|processed|refunded|settled)",
    # lost and found property
    r"(?:i|we) (?:have )?(?:lost|left) (?:my|our|a|an) (?:[\w-]+ ){0,3}(?:wallet|purse|phone|bag|keys|handbag|passport"
    r"|bike|bicycle|card|licence|laptop|ring|watch)",
    r"(?:has|have) (?:anyone|anybody|someone|somebody) handed (?:it|them|this|these|one) in",
        # invitations: a meeting to attend
    r"(?:would|'d) like to invite", r"(?:we|i) (?:invite|are inviting|am inviting) (?:you|a representative|someone"
    r"|the council|councillors?|officers?)", r"able to attend",
        # how to ask, not asking: advice and assistance (FOIA s16) is for staff to give
    r"how (?:do|can|should|would) (?:i|we|one) (?:make|submit|send|put in|file|lodge|go about)",
    r"(?:thinking|planning) (?:of|about) (?:making|submitting|putting in|sending)",
    r"is there a (?:fee|charge|cost|form)", r"do i (?:have|need) to (?:pay|fill in|complete|use)",
    # a vacancy to apply for: the applicant's own business, not recorded information
    r"(?:interested in|apply(?:ing)? for|application for) (?:the |your |a |an )?(?:[\w-]+ ){0,4}?(?:vacancy|post|role"
    r"|position|job)\b", r"(?:open to|closing date for) (?:part-time |full-time |internal |external )?"
    r"(?:applicants|applications|candidates)",
    # a document to sign (DocuSign, Adobe Sign): an agreement to make, not information to give
    r"(?:review and|please|to) (?:e-?)?sign (?:the|this|our|a) (?:[\w-]+ ){0,3}?(?:document|agreement|contract|form|"
    r"letter|declaration)", r"please docusign", r"sent you a document to (?:review|sign)",
)


def _found(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text.replace("\u2019", "'"))
    return " ".join(match.group(0).lower().split()) if match else None


# Information already given, not asked for: "thank you for the figures you sent", "the data you provided was
# helpful". The phrase names information, but in thanks or in the past, so it asks for nothing.
_THANKED = re.compile(r"\bthank(?:s|\s+you)\b[^.?!\n]{0,60}\bfor\b[^.?!\n]{0,40}$"
                      r"|\b(?:we|i|they)(?:'ve|\s+have|\s+had)?\s+asked\s+(?:\w+\s+){0,3}?for\b[^.?!\n]{0,40}$", re.I)
_GIVEN = re.compile(r"^[^.?!\n]{0,30}?\b(?:that\s+|which\s+)?(?:you|your\s+\w+|the\s+council)\s+(?:have\s+|had\s+)?"
                    r"(?:sent|provided|supplied|gave|given|shared|released|disclosed|published|forwarded)\b", re.I)

# A request promised or threatened, not made: "If this is not sorted out I will be making a Freedom of Information
# request", "I may have to submit an FOI". The Act is named, but nothing is asked for yet.
_INTENDED = re.compile(r"\b(?:i|we)(?:'ll|\s+will|\s+shall|\s+may|\s+might|\s+am\s+going\s+to|'m\s+going\s+to"
                       r"|\s+intend\s+to|\s+plan\s+to)(?:\s+(?:have|need)\s+to)?(?:\s+be)?\s+(?:make|making|submit"
                       r"|submitting|send|sending|put(?:ting)?\s+in|lodg(?:e|ing)|fil(?:e|ing)|raise|raising)"
                       r"\s+(?:a|an|another)(?:\s+formal)?\s*$", re.I)

# ... unless the same sentence asks for it ("Could I have a copy of the report you published in 2020?").
_ASKING_BEFORE = re.compile(r"\b(?:please|could|can|would|may|might|i\s+want|i\s+need|i'd\s+like|request|send|"
                            r"provide|share|let\s+me)\b", re.I)


def information_asked(text: str) -> str | None:
    """The phrase asking for recorded information, or None (not information thanked for or already given)."""
    text = text.replace("\u2019", "'")
    for match in _INFORMATION.finditer(text):
        before, after = text[max(0, match.start() - 120):match.start()], text[match.end():match.end() + 60]
        asking = _ASKING_BEFORE.search(re.split(r"[.?!\n]", before)[-1])
        sentence = re.split(r"[.?!\n]", before)[-1]
        if _THANKED.search(before) or _INTENDED.search(sentence) or (_GIVEN.match(after) and not asking):
            continue
        return " ".join(match.group(0).lower().split())
    return None


def action_asked(text: str) -> str | None:
    """The phrase asking the authority to act, or complaining, or None."""
    return _found(_ACTION, text)
