"""Words that show a "name" is something else: a description of the writer, a house, a system or a team.

FOIA s8(1)(b) needs the applicant's real name; the ICO's guidance counts the name by which a person is known, not
how they describe themselves ("A concerned neighbour", "Local taxpayer"), where they live ("Rose Cottage", "The
Old Vicarage") or the display name a mail system or a team sends under ("OpenDMARC Filter", "IT Service Desk",
"Information Rights Team"). Words that are also common surnames (Hall, Lodge, Green, Close, Friend, Young) are
left out on purpose: a real applicant must never be told their name is not one.
"""

from __future__ import annotations

import re

# Words that open a self-description ("Concerned Citizen", "Worried parent", "Local taxpayer"): adjectives that
# no given name or title is.
DESCRIPTORS = frozenset({
    "concerned", "worried", "local", "interested", "frustrated", "angry", "disgusted", "anxious", "long-suffering",
    "disappointed", "curious", "confused", "unhappy", "annoyed", "fed-up", "despairing", "hardworking",
    "hard-working", "anonymous", "unnamed", "nameless", "upset", "outraged", "puzzled", "irate", "bemused",
    "baffled", "exasperated", "disillusioned", "dismayed", "furious", "aggrieved", "distressed", "bewildered",
})

# Nouns for who someone is rather than what they are called; a "name" made only of these (and DESCRIPTORS)
# describes the writer ("Council Tax Payer", "Resident", "Parent").
ROLES = frozenset({
    "neighbour", "neighbours", "neighbor", "parent", "parents", "mum", "mam", "mom", "dad", "mother", "resident",
    "residents", "citizen", "citizens", "taxpayer", "taxpayers", "ratepayer", "ratepayers", "tax", "payer",
    "council", "voter", "constituent", "member", "public", "reader", "customer", "motorist", "cyclist",
    "pedestrian", "driver", "tenant", "homeowner", "householder", "student", "pensioner", "grandparent",
    "grandmother", "grandfather", "victim", "whistleblower", "well-wisher", "supporter", "observer", "campaigner",
    "researcher", "journalist", "reporter", "person", "individual", "employee", "worker", "nurse", "teacher",
    "patient", "carer", "villager", "local", "locals", "of", "the", "party", "interested", "requester", "applicant",
    "enquirer", "citizen-journalist", "road", "user", "users", "owner", "business", "shopper", "commuter",
    "mother-of-two", "father-of-two", "dog", "walker", "walkers", "rate", "a", "an", "very", "extremely",
    "deeply", "really", "former", "ex", "regular", "loyal", "proud", "genuine", "private", "elderly", "retired",
    "disabled", "fellow", "another", "your", "some", "ordinary", "honest", "long-time", "longtime", "lifelong",
    "mum-of-two", "parent-of-two", "local-resident", "ratepaying", "tax-paying", "taxpaying", "law-abiding",
})
# House and place names: the last word of "Rose Cottage", "Manor Farm", "The Old Vicarage", "Flat 3".
PLACE_WORDS = frozenset({
    "cottage", "cottages", "farm", "farmhouse", "farmstead", "vicarage", "rectory", "parsonage", "manse",
    "bungalow", "barn", "barns", "flat", "flats", "apartment", "apartments", "mews", "chalet", "smallholding",
    "road", "street", "avenue", "crescent", "terrace", "estate", "nursery", "kennels", "stables", "mansions",
})
# Last words of a place only after "The" ("The Old Mill", "The White House", "The Grange").
PLACE_AFTER_THE = frozenset({"house", "lodge", "grange", "manor", "hall", "mill", "court", "gardens", "green",
                             "granary", "forge", "croft", "old", "paddock", "orchard", "willows", "oaks", "firs"})
# Words of mail systems' and teams' display names: a "name" with one of them is never a person's full name.
TEAM_OR_SYSTEM = frozenset({
    "team", "desk", "helpdesk", "servicedesk", "newsletter", "newsletters", "bulletin", "filter", "fbl", "dmarc",
    "notification", "notifications", "alert", "alerts", "mailer", "daemon", "postmaster", "webmaster", "noreply",
    "no-reply", "donotreply", "system", "systems", "bot", "robot", "automated", "scanner", "gateway", "quarantine",
    "digest", "helpline", "mailbox", "inbox", "listserv", "mailman", "majordomo", "spamassassin", "antispam",
    "mimecast", "proofpoint", "scheduler", "monitoring", "subscriptions", "unsubscribe", "reporting", "newsdesk",
    "newsroom",
})
# Job titles: a "name" made only of these and of a department's words ("Office Manager", "Senior Planning
# Officer") says what the writer does, not who they are. Titles that are also surnames (Head, Bishop, Judge,
# Chancellor, Steward) are left out.
JOB_TITLES = frozenset({
    "manager", "officer", "director", "assistant", "clerk", "secretary", "administrator", "coordinator",
    "co-ordinator", "executive", "analyst", "consultant", "adviser", "advisor", "accountant", "solicitor",
    "paralegal", "editor", "reporter", "correspondent", "researcher", "receptionist", "supervisor", "controller",
    "trainee", "apprentice", "intern", "senior", "junior", "principal", "deputy", "chief", "lead", "associate",
    "planning", "project", "case", "caseworker", "partner", "owner", "proprietor", "ceo", "cfo", "coo", "md",
})
# Words of a department's or function's name: a "name" made only of these is a team ("Customer Services",
# "Information Rights", "Data Protection Office"); one with other words may be an organisation ("Open Rights
# Group"), which can be an applicant.
TEAM_PARTS = frozenset({
    "customer", "customers", "service", "services", "support", "enquiries", "enquiry", "information", "rights",
    "data", "protection", "freedom", "of", "and", "the", "&", "records", "management", "legal", "corporate",
    "communications", "comms", "sales", "marketing", "billing", "accounts", "hr", "human", "resources", "payroll",
    "it", "ict", "ops", "operations", "security", "compliance", "governance", "foi", "admin", "administration",
    "office", "unit", "department", "dept", "help", "contact", "centre", "center", "feedback", "complaints",
    "updates", "news", "report", "reports", "calendar", "monitor", "general", "info", "privacy",
    "disclosure", "disclosures", "requests", "request", "officer", "mail", "email", "online", "web", "website",
    "casework", "caseworkers", "press", "media", "relations", "public",
})

# Common English short forms of given names that share no first three letters with the full form.
NICKNAMES = {
    "bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert", "bill": "william", "billy": "william",
    "will": "william", "dick": "richard", "rick": "richard", "jim": "james", "jimmy": "james", "jamie": "james",
    "jack": "john", "johnny": "john", "peggy": "margaret", "meg": "margaret", "maggie": "margaret",
    "kate": "catherine", "katie": "catherine", "cathy": "catherine", "liz": "elizabeth", "beth": "elizabeth",
    "betty": "elizabeth", "lisa": "elizabeth", "sue": "susan", "ted": "edward", "ned": "edward", "eddie": "edward",
    "harry": "henry", "hal": "henry", "jenny": "jennifer", "sandy": "alexander", "tony": "anthony",
    "mike": "michael", "mick": "michael", "micky": "michael", "chuck": "charles", "charlie": "charles",
    "fred": "frederick", "freddie": "frederick", "alf": "alfred", "bert": "albert", "gerry": "gerald",
    "jerry": "gerald", "larry": "lawrence", "terry": "terence", "vicky": "victoria", "becky": "rebecca",
    "debbie": "deborah", "mandy": "amanda", "jackie": "jacqueline", "polly": "mary", "molly": "mary",
    "sally": "sarah", "nell": "eleanor", "ellie": "eleanor", "trish": "patricia", "tricia": "patricia",
    "andy": "andrew", "drew": "andrew", "dave": "david", "steve": "stephen", "nick": "nicholas", "tom": "thomas",
    "sam": "samuel", "ben": "benjamin", "dan": "daniel", "jon": "jonathan", "jo": "joanne", "joe": "joseph",
    "josh": "joshua", "greg": "gregory", "hugh": "hugo", "kit": "christopher", "kris": "christopher",
    "chris": "christopher", "matt": "matthew", "pat": "patrick", "paddy": "patrick", "sid": "sidney",
    "ray": "raymond", "bernie": "bernard", "les": "leslie", "len": "leonard", "lenny": "leonard", "ron": "ronald",
    "ronnie": "ronald", "don": "donald", "ken": "kenneth", "kenny": "kenneth", "phil": "philip", "pete": "peter",
    "tim": "timothy", "wendy": "gwendolen", "jess": "jessica", "nikki": "nicola", "nicky": "nicola",
    "gill": "gillian", "jill": "gillian", "lou": "louise", "di": "diana", "val": "valerie", "viv": "vivian",
}


SYSTEM_NAMES = re.compile(
    r"^\s*("
    r"mail\s+delivery(\s+(system|subsystem|service|failure))?|mail(er)?[\s_-]*daemon|post[\s_-]*master"
    r"|microsoft\s+outlook|microsoft\s+exchange|mail\s+(system|administrator|server|gateway)|mailer"
    r"|system\s+administrator|e-?mail\s+delivery\s+(system|service)|delivery\s+status\s+notification"
    r"|.*(dmarc|spam|mail|content|junk)\s+filter|.*\bfbl\b.*|.*\bfeedback\s+loop\b.*"
    r"|.*\bnewsletters?|.*\bno[\s_.-]?reply\b.*|.*\bdo[\s_.-]?not[\s_.-]?reply\b.*"
    r"|.*\b(automated|automatic)\s+(notifications?|messages?|mail)"
    r")\s*$",
    re.I,
)


def is_system_name(display: str | None) -> bool:
    """A display name mail systems sign with ("Mail Delivery System", "OpenDMARC Filter"): nobody to write to
    (rule system-name), and never read as the applicant's name (facts.py)."""
    return bool(display and SYSTEM_NAMES.match(display))
