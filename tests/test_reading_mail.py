"""Issue 13, "a described request gets a Section 8 notice saying it describes nothing", and the names family:
whole messages in the forms people and their mail programs really send (plain, one line, one paragraph, no
punctuation, lower case, typos, HTML only, multipart/alternative, quoted-printable, phone footers, signature
blocks, Gmail and Outlook quoting), judged end to end. Pure: no servers."""

from __future__ import annotations

import quopri
from dataclasses import dataclass

import pytest

from mailbot.judging.decision import Decision
from mailbot.judging.judge import judge
from mailbot.judging.settings import JudgeSettings
from mailbot.mail.parse import parse_message

MAILBOX = "foi@police.example.uk"
SETTINGS = JudgeSettings(mailbox=MAILBOX, loop_token=f"mailbot {MAILBOX}")


def _head(sender: str, subject: str, n: int) -> str:
    return (f"From: {sender}\r\nTo: Information Rights <{MAILBOX}>\r\nSubject: {subject}\r\n"
            f"Date: Tue, 10 Jan 2023 09:{n % 60:02d}:00 +0000\r\nMessage-ID: <reading-{n}@mail.example.org>\r\n"
            "MIME-Version: 1.0\r\n")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def plain(body: str, sender: str, subject: str = "Freedom of Information request", n: int = 0) -> bytes:
    return (_head(sender, subject, n) + "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + _crlf(body) + "\r\n").encode()


def html_only(html: str, sender: str, subject: str = "FOI request", n: int = 0) -> bytes:
    return (_head(sender, subject, n) + "Content-Type: text/html; charset=utf-8\r\n\r\n"
            f"<html><head><meta charset=\"utf-8\"></head><body>{html}</body></html>\r\n").encode()


def alternative(text: str, html: str, sender: str, subject: str = "FOI", n: int = 0) -> bytes:
    """Gmail and Outlook: multipart/alternative, text/plain in quoted-printable, then text/html."""
    encoded = quopri.encodestring(_crlf(text).encode()).decode()
    return (_head(sender, subject, n) + 'Content-Type: multipart/alternative; boundary="000000000000b1"\r\n\r\n'
            "--000000000000b1\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n"
            f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{encoded}\r\n"
            "--000000000000b1\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n"
            f"<div dir=\"ltr\">{html}</div>\r\n--000000000000b1--\r\n").encode()


@dataclass(frozen=True)
class Case:
    raw: bytes
    action: str
    missing: tuple[str, ...] = ()
    name: str | None = None  # the applicant's name the decision must carry (None: not checked)


# The quoted mail is another body's (a reply to our own mailbox's mail that matches no case goes to staff).
GMAIL_QUOTE = ("\n\nOn Mon, 9 Jan 2023 at 16:02, Panel Secretary <secretary@pcp.example.gov.uk> wrote:\n"
               "> Dear Mr Wright,\n> Thank you for your request.\n>\n> Yours sincerely\n> Miss McGee\n"
               "> Information Rights Clerk")
OUTLOOK_QUOTE = ("\n\n________________________________\nFrom: Panel Secretary <secretary@pcp.example.gov.uk>\n"
                 "Sent: 09 January 2023 16:02\nTo: Anna Lee <anna.lee@example.net>\nSubject: Your enquiry\n\n"
                 "Dear Ms Lee,\nPlease see attached.\nYours sincerely,\nJohn Smith\nDisclosure Officer")
SIGNATURE = ("James Hall\nSenior Associate\nHall & Co Solicitors LLP\nDDI: 01632 960 000 | Mob: 07700 900123\n"
             "www.hallco.example")

CASES: dict[str, Case] = {
    # -- the three examples in issue 13, and their family -------------------------------------------------------
    "greeting-question-thanks-name": Case(plain(
        "Hello, how many officers does the force employ, broken down by rank? Thanks, Bob Jones",
        "bob.jones@example.org", n=1), "acknowledge", (), "Bob Jones"),
    "hi-please-send-display-name": Case(plain(
        "Hi, please send me your policy on body-worn cameras", "Bob Jones <bjones@example.org>", n=2),
        "acknowledge", (), "Bob Jones"),
    "hi-please-send-no-name": Case(plain(
        "Hi, please send me your policy on body-worn cameras", "bjones@example.org", n=3),
        "section8_notice", ("name",)),
    "my-name-is-and-i-would-like": Case(plain(
        "My name is Bob Jones and I would like the number of 999 calls in 2023", "bj@example.org", n=4),
        "acknowledge", (), "Bob Jones"),
    "dear-sir-madam-regards-name-below": Case(plain(
        "Dear Sir/Madam\nI would like to know how many speeding fines were issued on the A19 in 2023.\n"
        "Regards\nBob Jones", "bob@example.org", n=5), "acknowledge", (), "Bob Jones"),
    "one-line-no-punctuation-lower-case-name": Case(plain(
        "Dear Sir or Madam I would like to know how many PCSOs you employ thanks bob jones", "bob@example.org",
        n=6), "acknowledge", (), "Bob Jones"),
    "all-lower-case-cheers": Case(plain(
        "hi can u tell me how many speed cameras there are in cleveland cheers", "Dave Smith <ds@example.org>",
        n=7), "acknowledge", (), "Dave Smith"),
    "typos-and-thanx": Case(plain(
        "Helo,\ncan you plese send me the numbr of complants about anti social behaviour on the high st\nthanx\n"
        "mary o'brien", "mob@example.org", n=8), "acknowledge", (), "Mary O'Brien"),
    "one-long-paragraph": Case(plain(
        "Good afternoon I am writing under the Freedom of Information Act to ask for the number of knife crime "
        "offences recorded in Hartlepool in each of the last five years and the number of those that resulted in a "
        "charge I would be grateful if you could send this by email many thanks Emma Clarke", "ec@example.org",
        n=9), "acknowledge", (), "Emma Clarke"),
    "no-line-breaks-at-all": Case(plain(
        "Hi, I'd like a copy of your stop and search policy. Kind regards, Emma Clarke", "ec@example.org", n=10),
        "acknowledge", (), "Emma Clarke"),
    "dear-sir-request-and-closing-on-one-line": Case(plain(
        "Dear Sir, please send me the number of hate crimes reported in 2022. Yours faithfully, Laura Bennett",
        "lb@example.org", n=11), "acknowledge", (), "Laura Bennett"),
    "to-whom-it-may-concern-title-initial": Case(plain(
        "To whom it may concern,\n\nPlease provide the force's guidance on the retention of custody images.\n\n"
        "Yours sincerely\nMrs J Patel", "jpatel@example.org", n=12), "acknowledge", (), "Mrs J Patel"),
    "kind-regards-dr-initial": Case(plain(
        "Good morning,\n\nCould you tell me the number of burglaries reported in Middlesbrough in 2022?\n\n"
        "Kind regards, Dr. A. Smith", "asmith@example.org", n=13), "acknowledge", (), "Dr. A. Smith"),
    "cheers-dash-first-name-with-display": Case(plain(
        "Hi team, how many staff work in the control room? Cheers – Bob", "Bob Jones <bob@example.org>", n=14),
        "acknowledge", (), "Bob Jones"),
    "cheers-dash-first-name-only": Case(plain(
        "Hi team, how many staff work in the control room? Cheers – Bob", "bob@example.org", n=15),
        "section8_notice", ("name",)),
    "shouting": Case(plain(
        "HOW MANY OFFICERS WERE ASSAULTED ON DUTY IN 2022?\n\nTHANKS\nJOHN SMITH", "js@example.org", n=16),
        "acknowledge", (), "John Smith"),
    "many-thanks-in-advance": Case(plain(
        "Good evening,\n\nPlease send me the contract for the force's vehicle fleet maintenance.\n\n"
        "Many thanks in advance,\nLiam O'Connor", "liam@example.org", n=17), "acknowledge", (), "Liam O'Connor"),
    # -- name statements --------------------------------------------------------------------------------------
    "i-am-name-and": Case(plain(
        "Good morning, I am Rachel Green and I am a student at Teesside University. Please can you tell me how "
        "many drones the force owns?", "rg@example.org", n=18), "acknowledge", (), "Rachel Green"),
    "this-is-name-from": Case(plain(
        "Hi, this is Mohammed Ali from the Northern Echo. Could you send me the overtime budget for 2022-23?",
        "newsdesk@echo.example", n=19), "acknowledge", (), "Mohammed Ali"),
    "name-here": Case(plain(
        "Hiya, Kate Wilson here – could you tell me how many 101 calls went unanswered last year? Ta",
        "kw@example.org", n=20), "acknowledge", (), "Kate Wilson"),
    "my-full-name-is-lower-case": Case(plain(
        "hello my full name is peter jones and i want to know how many officers are off sick with stress",
        "pj@example.org", n=21), "acknowledge", (), "Peter Jones"),
    "all-lower-case-i-am": Case(plain(
        "hi i am sam taylor can you send me the budget for the police helicopter thanks", "st@example.org", n=22),
        "acknowledge", (), "Sam Taylor"),
    "my-name-is-first-name-only": Case(plain(
        "Hello, my name is Fred and I would like the number of tasers issued in 2022.", "fred@example.org", n=23),
        "section8_notice", ("name",)),
    "i-am-writing-is-no-name": Case(plain(
        "I am writing to request the minutes of the last police and crime panel.\n\nThanks",
        "Jo Bloggs <jo@example.org>", n=24), "acknowledge", (), "Jo Bloggs"),
    "my-name-is-on-its-own-line": Case(plain(
        "Dear FOI team,\n\nMy name is Ayşe Yılmaz.\nPlease could you send me the force's policy on interpreters?"
        "\n\nTeşekkürler", "ayse@example.com.tr", n=25), "acknowledge", (), "Ayşe Yılmaz"),
    # -- signature blocks, phone footers, HTML and quoting ------------------------------------------------------
    "signature-block-job-title-phone": Case(plain(
        "Dear FOI Officer,\n\nUnder the Freedom of Information Act 2000 please provide copies of the force's "
        "contracts with custody healthcare providers.\n\nYours faithfully\n\n" + SIGNATURE, "jhall@hallco.example",
        n=26), "acknowledge", (), "James Hall"),
    "sent-from-my-iphone-display-name": Case(plain(
        "How many police dogs does the force have?\n\nSent from my iPhone", "Sarah Khan <sk@example.org>", n=27),
        "acknowledge", (), "Sarah Khan"),
    "sent-from-my-iphone-no-name": Case(plain(
        "How many police dogs does the force have?\n\nSent from my iPhone", "sk@example.org", n=28),
        "section8_notice", ("name",)),
    "samsung-footer-under-sign-off": Case(plain(
        "Can I have the number of road traffic collisions on the A66 in 2022 please\nThanks\nGary Hughes\n\n"
        "Sent from my Galaxy", "gh@example.org", n=29), "acknowledge", (), "Gary Hughes"),
    "html-only-paragraphs-and-signature": Case(html_only(
        "<p>Good morning,</p><p>Please could you provide the number of vehicles seized for having no insurance in "
        "2022?</p><p>Kind regards,</p><p>Priya Patel<br>Senior Analyst<br>Acme Research Ltd<br>"
        "Tel: 0113 496 0000</p>", "ppatel@acme.example", n=30), "acknowledge", (), "Priya Patel"),
    "html-only-one-div": Case(html_only(
        "<div>Hi, please send me your policy on body-worn cameras. Thanks, Bob Jones</div>", "bj@example.org",
        n=31), "acknowledge", (), "Bob Jones"),
    "gmail-alternative-first-name-and-display": Case(alternative(
        "Hi team,\n\nCould you send me the force's spending on consultants in 2022/23, broken down by supplier?"
        "\n\nThanks,\nTom", "Hi team,<br><br>Could you send me the force&#39;s spending on consultants in 2022/23, "
        "broken down by supplier?<br><br>Thanks,<br>Tom", "Tom Baker <tom.baker@gmail.example>", n=32),
        "acknowledge", (), "Tom Baker"),
    "gmail-quoted-reply-below-new-subject": Case(plain(
        "Please send me the minutes of the last police and crime panel meeting.\n\nThanks,\nAnna Lee" + GMAIL_QUOTE,
        "Anna Lee <anna.lee@example.net>", subject="Police and crime panel minutes", n=33),
        "acknowledge", (), "Anna Lee"),
    "outlook-quoted-block-below": Case(plain(
        "Could you also tell me how many complaints about the panel were received in 2022?\n\nRegards\nAnna Lee"
        + OUTLOOK_QUOTE, "Anna Lee <anna.lee@example.net>", subject="Complaints about the panel", n=34),
        "acknowledge", (), "Anna Lee"),
    "outlook-quoted-printable-long-lines": Case(alternative(
        "Dear Information Rights,\n\nI would be grateful if you could provide the total amount spent by the force on "
        "external legal advice in each financial year from 2019/20 to 2022/23, broken down by matter type where "
        "that is held.\n\nYours sincerely,\n\nCharlotte Evans-Whyte\nResearch Officer",
        "<p>Dear Information Rights,</p><p>…</p>", "Evans-Whyte, Charlotte <cew@example.ac.uk>", n=35),
        "acknowledge", (), "Charlotte Evans-Whyte"),
    "welsh-closing-display-name": Case(plain(
        "Dear Sir,\nCould I please have a copy of the PACE custody records policy.\nDiolch,\nRhys ap Gwilym",
        "Rhys ap Gwilym <rhys@example.cymru>", n=36), "acknowledge", (), "Rhys ap Gwilym"),
    # -- courtesy alone describes nothing --------------------------------------------------------------------
    "greeting-and-sign-off-only": Case(plain(
        "Hello,\n\nKind regards,\nJane Smith", "Jane Smith <js@example.org>", subject="FOI", n=37),
        "section8_notice", ("description",)),
    "greeting-and-phone-footer-only": Case(plain(
        "Good morning\n\nSent from my iPhone", "Jane Smith <js@example.org>", subject="FOI", n=38),
        "section8_notice", ("description",)),
    "name-statement-only": Case(plain(
        "Dear FOI team,\n\nMy name is Jane Smith.\n\nYours sincerely\nJane Smith", "js@example.org",
        subject="Request", n=39), "section8_notice", ("description",)),
    # -- names: single names declared, descriptions, houses, systems, conflicts ---------------------------------
    "only-one-name-declared": Case(plain(
        "Please send me the force's policy on the use of tasers.\n\nThanks,\nTeller\n\nTeller is my full name - "
        "I have only one name.", "Teller <teller@example.org>", n=40), "acknowledge", (), "Teller"),
    "known-by-one-name": Case(plain(
        "My name is Madonna. I am known by one name only. Please send me the number of officers trained in "
        "first aid.", "m@example.org", n=41), "acknowledge", (), "Madonna"),
    "a-concerned-neighbour": Case(plain(
        "Please tell me how many noise complaints the force received about the Red Lion in 2022.\n\n"
        "Yours faithfully,\nA concerned neighbour", "neighbour1970@example.org", n=42),
        "acknowledge"),  # noise: environmental information (EIR), where no name is needed
    "local-taxpayer": Case(plain(
        "How much did the force spend on taxis in 2022?\n\nRegards\nLocal taxpayer", "lt@example.org", n=43),
        "section8_notice", ("name",)),
    "worried-parent-display": Case(plain(
        "How many knife arches do you own?", "Worried Parent <wp@example.org>", n=44),
        "section8_notice", ("name",)),
    "house-name-sign-off": Case(plain(
        "Please send the number of burglaries in Great Ayton in 2022.\n\nThanks,\nRose Cottage", "rc@example.org",
        n=45), "section8_notice", ("name",)),
    "the-old-vicarage-display": Case(plain(
        "Please send the number of burglaries in Great Ayton in 2022.", "The Old Vicarage <ov@example.org>", n=46),
        "section8_notice", ("name",)),
    "system-display-name": Case(plain(
        "How many officers does the force employ?", "OpenDMARC Filter <opendmarc@mail.example.net>", n=47),
        "staff_review", ("name",)),  # a system's name on a request: nobody to write to, staff decide
    "team-display-name": Case(plain(
        "Please send the IT asset register.", "IT Service Desk <servicedesk@example.org>", n=48),
        "section8_notice", ("name",)),
    "signature-disagrees-with-display": Case(plain(
        "Please send me the force's drone policy.\n\nThanks,\nBob Jones", "Fred Wright <fw@example.org>", n=49),
        "staff_review", ()),
    "first-name-signature-disagrees-with-display": Case(plain(
        "Please send me the force's drone policy.\n\nThanks,\nSusan", "Fred Wright <fw@example.org>", n=50),
        "staff_review", ()),
    "nickname-agrees-with-display": Case(plain(
        "Please send me the force's drone policy.\n\nThanks,\nBob", "Robert Jones <rj@example.org>", n=51),
        "acknowledge", (), "Robert Jones"),
    "initial-and-surname-agree-with-display": Case(plain(
        "Please send me the force's drone policy.\n\nYours faithfully,\nF. Wright", "Fred Wright <fw@example.org>",
        n=52), "acknowledge", (), "F. Wright"),
    "statement-disagrees-with-display": Case(plain(
        "Hi, my name is Karen Mills and I would like the force's gifts and hospitality register for 2022.",
        "Dean Mills <dm@example.org>", n=53), "staff_review", ()),
}

# Written after the reader was built and judged unchanged: British mail as people send it to a police force.
MORE = [
    ("Afternoon all,\n\nRequest under FOIA: the number of officers dismissed for gross misconduct in 2021 and 2022."
     "\n\nBest,\nNatalie Brooks", "nb@example.org", "acknowledge", (), "Natalie Brooks"),
    ("Dear Info Rights\nwhat was the total cost of the new HQ?\nregards\nK. Ahmed", "ka@example.org", "acknowledge",
     (), "K. Ahmed"),
    ("Hello there! Can I request copies of the force's social media policy please? Many thanks, Ellie",
     "Eleanor Price <ep@example.org>", "acknowledge", (), "Eleanor Price"),
    ("Morning. Quick one - how many officers are trained as firearms officers? Ta, Steve",
     "Steven Ward <sw@example.org>", "acknowledge", (), "Steven Ward"),
    ("Hi there,\n\nI'm Jonathan Reeve, a PhD student at Durham. I'd be grateful for data on drink-driving arrests "
     "2015-2022.\n\nBest wishes\nJon", "jr@durham.example", "acknowledge", (), "Jonathan Reeve"),
    ("Dear Sirs\n\nWe act for a client and request disclosure of the force's contract for custody services.\n\n"
     "Yours faithfully\n\nSmith & Partners LLP", "Smith & Partners LLP <info@smithpartners.example>", "acknowledge",
     (), "Smith & Partners LLP"),
    ("Good afternoon, I was wondering whether you could let me know how many stop and searches were carried out in "
     "Stockton in 2022? Thank you for your time, Aisha Begum", "ab@example.org", "acknowledge", (), "Aisha Begum"),
    ("Dear Sir / Madam,\r\n\r\nPlease could you send me the force's gifts and hospitality register.\r\n\r\n"
     "Thank you\r\n\r\nDr Helen O'Connell\r\nSenior Lecturer\r\nSchool of Law\r\n\r\nGet Outlook for iOS",
     "helen@uni.example", "acknowledge", (), "Dr Helen O'Connell"),
    ("Hi,\n\nThis is Georgia. Please send me the number of reported cyber crimes in 2022.\n\nGeorgia",
     "georgia@example.org", "section8_notice", ("name",), None),
    ("hello\ni would like to no how many cars were stolen in redcar last year\nthank you\nfrom sharon",
     "sharon1975@example.org", "section8_notice", ("name",), None),
    ("Dear FOI Team,\n\nI write to request the following information:\n1. Number of PCSOs in 2023\n"
     "2. Number of special constables in 2023\n\nYours sincerely,\nMr P. Kaur", "pk@example.org", "acknowledge",
     (), "Mr P. Kaur"),
    ("Evening,\nCan you tell me what the force spent on bottled water last year\nthanks\nBob",
     "Robert Smith <rs@example.org>", "acknowledge", (), "Robert Smith"),
    ("Dear Madam\nI am a local resident. Please send me the number of burglaries on my street in 2022.\n"
     "Yours faithfully\nConcerned Resident", "cr@example.org", "section8_notice", ("name",), None),
    ("Please send the force's overtime spend. Regards, Joanne", "Jo Bloggs <jo@example.org>", "acknowledge", (),
     "Jo Bloggs"),
    ("Hiya\n\nWondering if u cud tell me how many ppl were arrested at the football last season\n\nta\n"
     "Lee Atkinson\n\nSent from Yahoo Mail on Android", "la@example.org", "acknowledge", (), "Lee Atkinson"),
]
CASES.update({f"more-{n}": Case(plain(body, sender, n=200 + n), action, missing, name)
              for n, (body, sender, action, missing, name) in enumerate(MORE)})
CASES["more-html-br-lines"] = Case(html_only(
    "<div>Dear Sir or Madam,<br><br>I would like to request the minutes of the Joint Audit Committee from March "
    "2023.<br><br>Kind regards,<br>Omar Farouk<br>07700 900456</div>", "of@example.org", n=299), "acknowledge", (),
    "Omar Farouk")


def decide(case: Case) -> Decision:
    return judge(parse_message(case.raw), None, SETTINGS)


def test_there_are_many_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("key", list(CASES))
def test_real_format_mail(key: str) -> None:
    case = CASES[key]
    decision = decide(case)
    assert (decision.action, decision.missing) == (case.action, case.missing), decision.reasons
    if case.name is not None:
        assert decision.applicant_name == case.name, decision.reasons


def test_a_conflict_names_both_sources_for_staff() -> None:
    decision = decide(CASES["signature-disagrees-with-display"])
    assert decision.details["chain"] == "name-conflict"
    assert any("'Bob Jones'" in r and "'Fred Wright'" in r for r in decision.reasons)


def test_quoted_signatures_never_name_the_applicant() -> None:
    for key in ("gmail-quoted-reply-below-new-subject", "outlook-quoted-block-below"):
        decision = decide(CASES[key])
        assert not any("McGee" in r or "John Smith" in r for r in decision.reasons), key


def test_a_team_display_name_is_reported_as_such() -> None:
    decision = decide(CASES["system-display-name"])
    assert any("'OpenDMARC Filter' is a system's" in r for r in decision.reasons)
