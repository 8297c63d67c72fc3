"""Mail a person sends that is no correspondence with the authority at all: sales pitches, phishing, test messages.

Sales and phishing are read as they really arrive: a pitch offers services and asks for a call or a demo; phishing
impersonates a service desk and asks the reader to confirm a password or "verify" a mailbox that is "full". One
strong sign is enough (nobody asks an FOI mailbox to confirm its password); weaker signs count only together. A
request that quotes such mail asks for information as well, and the chain sends that to staff, not to spam.
"""

from __future__ import annotations

import re

from mailbot.judging.readers.asking import phrases

_SALES_STRONG = phrases(
    r"(?:i am|i'm|we are|we're) reaching out to (?:offer|introduce|share|see if|explore|help)",
    r"(?:book|schedule|arrange) a (?:free |quick |short |personali[sz]ed )?demo",
    r"(?:free|no[- ]obligation) (?:trial|quote|consultation|audit|demo)",
    r"first page of google", r"rank higher on google", r"boost your (?:rankings|traffic|sales)",
    r"(?:i'd|i would|we'd|we would) (?:love|like) to (?:show|give) you (?:a|our) (?:quick |short |free )?"
    r"(?:demo|walkthrough|tour)",
)
_SALES_WEAK = phrases(
    r"i came across your (?:website|site|organi[sz]ation|council)",
    r"our (?:services|platform|solution|software|product|agency|team of experts)",
    r"would you be (?:open|interested) (?:to|in)", r"worth a (?:quick |short )?(?:chat|call|conversation)",
    r"(?:15|20|30|fifteen|twenty|thirty)[- ]min(?:ute)? (?:call|chat|meeting)",
    r"let me know if (?:you'd|you would|you are|you're) (?:be )?interested",
    r"(?:increase|grow|improve) your (?:traffic|rankings?|sales|leads|revenue|online presence)",
    r"we (?:help|work with|partner with) (?:councils|local authorities|public sector|organisations|businesses|police)",
    r"unsubscribe", r"opt out", r"reply (?:stop|remove|unsubscribe)",
)

_PHISHING_STRONG = phrases(
    r"(?:verify|confirm|validate|update|re-?enter|re-?validate|reconfirm) your (?:password|credentials|login|log-in"
    r"|account|e-?mail account|mailbox|webmail|outlook account|office ?365 account)",
    r"your (?:mailbox|inbox|e-?mail (?:box|account)|webmail) (?:is|has) (?:almost |nearly |now )?(?:full|exceeded"
    r"|reached|over)",
    r"(?:mailbox|inbox|storage|e-?mail) (?:quota|storage limit|size limit) (?:has been |is )?(?:exceeded|reached|full)",
    r"your password (?:will|is going to|is due to|has) (?:expire|expired)",
    r"click (?:here|below|the link|on the link) to (?:verify|validate|confirm|upgrade|restore|keep|retain|unlock"
    r"|reactivate|increase|update|release)",
    r"claim your (?:prize|reward|winnings)",
    # Welsh: "verify your account", "your mailbox is full / has reached its limit", "claim your prize"
    r"dilys(?:wch|u) eich (?:cyfrif|blwch post|cyfrinair)", r"(?:mae )?eich blwch post (?:yn llawn|wedi cyrraedd)",
    r"hawlio eich gwobr",
)
_PHISHING_WEAK = phrases(
    r"(?:it|ict|i\.t\.) (?:service|help) ?desk", r"system administrator", r"webmail (?:team|admin)",
    r"e-?mail administrator",
    r"(?:account|mailbox) will be (?:suspended|deactivated|closed|disabled|terminated|deleted|blocked)",
    r"(?:pending|undelivered|held|incoming) messages (?:are )?(?:pending|held|on hold|waiting)",
    r"within (?:24|48|twenty-four) hours", r"failure to (?:verify|comply|do so|update)",
    r"click (?:here|below|the link)", r"log ?in (?:now|below|here)",
    r"(?:process|make|arrange|authori[sz]e) (?:the )?payment (?:today|now|immediately|urgently)",
    r"(?:overdue|outstanding|unpaid) invoice", r"to avoid (?:late (?:fees|charges)|suspension|legal action)",
    r"(?:you(?:'ve| have) won|(?:administrative|admin|processing|release) fee)", r"(?:link|offer|document) will expire",
    # Welsh: "click", "within 24 hours", "you have won", "an administrative fee", "will be suspended"
    r"cliciwch", r"o fewn 24 awr", r"rydych wedi ennill", r"ffi weinyddol", r"yn cael ei atal",
)

# The reader is asked to give a password or sign in with their own mail account to see something: no person asking
# the authority for information does that, so it outweighs any words about a "request" or a "document" in the mail.
_CREDENTIALS = phrases(
    r"sign ?in (?:with|using) your (?:[\w-]+ ){0,3}(?:e-?mail|account|credentials|password|login)",
    r"(?:log ?in|sign ?in) (?:with|using) your (?:e-?mail address|email) and password",
    r"(?:verify|confirm|validate) your (?:e-?mail )?account by (?:signing|logging) in",
    r"enter your (?:e-?mail )?(?:password|credentials)",
    r"dilys(?:wch|u) eich (?:cyfrif|blwch post|cyfrinair)",
)

_TEST_WORDS = frozenset((
    "test", "tests", "testing", "tested", "yet", "another", "just", "a", "an", "this", "is", "it", "only", "message",
    "mail", "email", "e-mail", "again", "one", "two", "three", "1", "2", "3", "123", "please", "ignore", "sorry",
    "new", "account", "from", "my", "phone", "iphone", "android", "sent", "hello", "hi", "hey", "check", "checking",
    "ok", "okay", "do", "not", "reply", "disregard",
))


def _evidence(strong: re.Pattern[str], weak: re.Pattern[str], text: str) -> str | None:
    """One strong sign, or two different weak ones (the phrases, for staff)."""
    text = text.replace("\u2019", "'")
    match = strong.search(text)
    if match:
        return " ".join(match.group(0).lower().split())
    found = list(dict.fromkeys(" ".join(m.group(0).lower().split()) for m in weak.finditer(text)))
    return "; ".join(found[:3]) if len(found) >= 2 else None


def sales_pitch(text: str) -> str | None:
    return _evidence(_SALES_STRONG, _SALES_WEAK, text)


def phishing(text: str) -> str | None:
    return _evidence(_PHISHING_STRONG, _PHISHING_WEAK, text)


# "How many staff fell for the email asking them to sign in with…" asks about phishing, not for a sign-in.
_ABOUT_PHISHING = re.compile(r"\b(?:how many|number of|statistics|figures|whether|phishing|scam)\b[^.?!]*$", re.I)


def credentials_asked(text: str) -> str | None:
    """The words asking the reader to sign in with, or give, their own mail credentials; or None."""
    text = text.replace("\u2019", "'")
    for match in _CREDENTIALS.finditer(text):
        if not _ABOUT_PHISHING.search(text[max(0, match.start() - 120):match.start()]):
            return " ".join(match.group(0).lower().split())
    return None


def is_test_message(subject: str, body: str, sender_words: frozenset[str] = frozenset()) -> bool:
    """Subject and body say nothing but "test" ("Yet another test!", "testing 1 2 3"), apart from the sender's name
    and a greeting or sign-off."""
    words = re.findall(r"[\w']+", f"{subject}\n{body}".lower())
    if not words or len(words) > 20 or not any(w.startswith("test") for w in words):
        return False
    closings = {"thanks", "thank", "you", "regards", "cheers", "best", "kind", "dear", "team", "foi", "all", "yours",
                "faithfully", "sincerely", "many", "wishes"}
    return all(w in _TEST_WORDS or w in closings or w in sender_words for w in words)
