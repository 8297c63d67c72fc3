"""Mail that is not a request for information is not acknowledged as one (issue 13), judged from whole messages.

FOIA s8(1)(c) needs a description of recorded information; the ICO treats complaints, service requests and
questions answered in the course of business as routine correspondence. So a complaint, a service request, a
calendar invitation, a test message or a bare attachment goes to staff as `correspondence` (no reference, no
clock, no reply); a sales pitch or phishing is `spam` (recorded, never answered); mail that asks for both is a
request that staff split; and a clear request is still acknowledged. UK council and police mail as people write
it, from the clients they use (mailbot/testing/client_mime.py builds each client's real MIME structure). Pure: no servers.
"""

from __future__ import annotations

from collections import Counter

import pytest

from mailbot.judging.judge import judge
from mailbot.judging.settings import JudgeSettings
from mailbot.mail.parse import parse_message
from mailbot.testing.client_mime import gmail, google_invite, iphone, outlook, outlook_invite, webmail, with_attachment

SETTINGS = JudgeSettings(mailbox="foi@council.example", own_domains=("council.example",))

CORRESPONDENCE = ("correspondence", "staff_review")
SPAM = ("spam", "none")
MIXED = ("request", "staff_review")
ACK = ("request", "acknowledge")

CASES: list[tuple[str, bytes, tuple[str, str]]] = [
    # -- service requests and complaints: the authority is asked to DO something ---------------------------------
    # -- the writer's own account or transaction, and how to ask: business as usual, or advice (s16) for staff ----
    ("supplier-chasing-payment", outlook("Lisa Carmichael <credit.control@brightway.example>", "Overdue invoices",
                                         "Dear Accounts Payable,\n\nOur records show that invoices 2231 and 2245 "
                                         "remain unpaid. Could you please let us know the expected payment date?"
                                         "\n\nKind regards,\nLisa Carmichael"), CORRESPONDENCE),
    ("when-paid", gmail("Ravi Patel <ravi.patel@gmail.example>", "invoice",
                        "Could you let me know when invoice 2231 will be paid?\n\nRavi Patel"), MIXED),
    ("change-of-address", webmail("Neil Openshaw <neil.openshaw@talktalk.example>", "change of address council tax",
                                  "I moved out of 31 Fern Drive on 20 November. Please could you close my council "
                                  "tax account at the old address and send a final bill, and set up a new account."
                                  "\n\nNeil Openshaw"), CORRESPONDENCE),
    ("lost-wallet", outlook("Mohammed Iqbal <m.iqbal@outlook.example>", "Lost wallet",
                            "Dear Sir/Madam,\n\nI lost my brown leather wallet near the bus station on Friday. Has "
                            "anyone handed it in?\n\nMany thanks\nMohammed Iqbal"), CORRESPONDENCE),
    ("meeting-invitation", outlook("Carol Whitehead <carol.whitehead@ashbyra.example>", "Residents' meeting",
                                   "Dear Sir or Madam,\n\nThe Ashby Residents' Association would like to invite a "
                                   "representative from the council to our next public meeting on Thursday at 7pm. "
                                   "Please let me know if anyone is able to attend.\n\nCarol Whitehead\nSecretary"),
     CORRESPONDENCE),
    ("how-to-ask", iphone("Angela Brook <angela.brook@icloud.example>", "question",
                          "Hello, I'm thinking of making a freedom of information request about the leisure centre "
                          "contract. Do I have to pay anything, and is there a form? Thanks, Angela Brook"), MIXED),
    ("streetlight", outlook("Karen Whitfield <karen.whitfield@outlook.example>", "Street light out - Meadow Way",
                            "Hi,\n\nThe street light outside 27 Meadow Way has been out for over a week now and it is "
                            "pitch black walking home. Please could you fix it as soon as possible.\n\nMany thanks\n"
                            "Karen Whitfield"), CORRESPONDENCE),
    ("recycling-missed", gmail("Tom Barker <tombarker1979@gmail.example>", "recycling",
                               "Our recycling wasn't collected today (Thursday) again. Every other house on "
                               "Crescent Road was done.\n\nTom"), CORRESPONDENCE),
    ("bin-not-collected", webmail("Mrs J Hollis <jhollis@virginmedia.example>", "Missed collection",
                                  "Dear Sir/Madam\n\nMy bin was not collected on Monday, ref 4 Chapel Lane. Can "
                                  "you send someone to empty it?\n\nYours\nJune Hollis"), CORRESPONDENCE),
    ("call-me-back", iphone("Dave <dave.m@btinternet.example>", "Parking permit",
                            "Hi can someone call me back on 07700 900461 regarding my parking permit, it hasnt "
                            "arrived. Thanks Dave"), CORRESPONDENCE),
    ("ring-me", outlook("Priya Shah <priya.shah@hotmail.example>", "Housing application",
                        "Good morning,\n\nCould someone please ring me about my housing application? I have been "
                        "waiting six weeks.\n\nKind regards,\nPriya Shah"), CORRESPONDENCE),
    ("report-crime", gmail("Liam Foster <liamfoster@gmail.example>", "Crime",
                           "I want to report a crime. My shed was broken into last night and my tools were "
                           "stolen.\n\nLiam Foster\n12 Orchard Street"), CORRESPONDENCE),
    ("report-burglary", iphone("Sue Rowley <sue.rowley@icloud.example>", "burglary",
                               "I need to report a burglary at my mum's house on Park Avenue, she is 84 and very "
                               "shaken up"), CORRESPONDENCE),
    ("complaint-officer", outlook("Marcus Reid <m.reid@outlook.example>", "Complaint",
                                  "Dear Sir or Madam,\n\nI wish to make a complaint about an officer who stopped me "
                                  "on Linthorpe Road on Saturday evening and was extremely rude.\n\nYours "
                                  "faithfully,\nMarcus Reid"), CORRESPONDENCE),
    ("complaint-101", webmail("Brian Lowther <brian.lowther@talktalk.example>", "101 call",
                              "I am writing to complain about the way my call to 101 was handled last Tuesday. I "
                              "waited 50 minutes.\n\nB Lowther"), CORRESPONDENCE),
    ("complaint-pc", gmail("Aisha Khan <aisha.khan@gmail.example>", "PC 2231",
                           "I\u2019d like to complain about PC 2231 who attended my address on 2 March.\n\nAisha "
                           "Khan"), CORRESPONDENCE),
    ("pothole", outlook("Gareth Hughes <g.hughes@outlook.example>", "Pothole B1380",
                        "There is a massive pothole on the B1380 just past the Esso garage. Please can you send "
                        "someone to repair it before someone is hurt.\n\nGareth Hughes"), CORRESPONDENCE),
    ("fly-tipping", iphone("Janet <janet.p@sky.example>", "Mattress",
                           "Someone has fly-tipped a mattress outside 3 Station Rd. Can you collect it please"),
                    CORRESPONDENCE),
    ("noise-complaint", gmail("Oliver Grant <olly.grant@gmail.example>", "Dog barking",
                              "Hello,\n\nI would like to make a complaint about noise from my neighbour's dog, "
                              "which barks from 6am every day.\n\nOliver Grant\n8 Elm Close"), CORRESPONDENCE),
    ("council-tax-address", webmail("R. Patel <rpatel@virginmedia.example>", "Council tax",
                                    "Please update my address for council tax, I moved to 41 Mill Lane on 1 "
                                    "February.\n\nRavi Patel"), CORRESPONDENCE),
    ("garden-waste-cancel", outlook("Helen Moss <helen.moss@outlook.example>", "Garden waste",
                                    "Please cancel my garden waste subscription from April.\n\nHelen Moss"),
     CORRESPONDENCE),
    ("send-an-officer", iphone("Carl <carl.t@btinternet.example>", "Neighbour",
                               "Can you please send an officer round, my neighbour is threatening me again"),
     CORRESPONDENCE),
    ("fed-up", gmail("Rachel Dunn <rachel.dunn@gmail.example>", "Bins",
                     "I\u2019m really fed up with the state of the bins on our street, nobody ever comes.\n\nRachel"),
     CORRESPONDENCE),
    # -- sales pitches: as they arrive --------------------------------------------------------------------------
    ("seo", gmail("Ryan from RankRight <ryan@rankright-digital.example>", "Quick question about council.example",
                  "Hi there,\n\nI'm reaching out to offer our SEO services. We've helped 40+ UK organisations reach "
                  "the first page of Google.\n\nWould you be open to a 15-minute call next week?\n\nBest,\nRyan"),
     SPAM),
    ("book-a-demo", outlook("Hannah Lees <hannah@foiflow.example>", "Automate your FOI responses",
                            "Hi FOI team,\n\nOur platform helps councils cut FOI response times by 60%. You can book "
                            "a demo here: https://foiflow.example/demo\n\nHannah Lees\nAccount Executive"), SPAM),
    ("web-design", webmail("Sales <sales@pixelcraft.example>", "Your website",
                           "Hello,\n\nI came across your website and noticed it is slow on mobile. We offer web "
                           "design services to local authorities. Let me know if you'd be interested.\n\nMark"),
     SPAM),
    ("energy-pitch", gmail("Leah at VoltSave <leah@voltsave.example>", "Cut energy costs",
                           "We help local authorities cut their bills. Worth a quick chat?\n\nReply STOP to opt out."),
     SPAM),
    ("free-trial", outlook("ComplianceHub <hello@compliancehub.example>", "Start today",
                           "Start your free trial of ComplianceHub today and never miss a deadline again."), SPAM),
    # -- phishing: as it arrives ----------------------------------------------------------------------------------
    ("it-desk-password", outlook("IT Service Desk <it.servicedesk@council-support.example>", "Password revalidation",
                                 "Dear Staff,\n\nDue to a system upgrade all staff must confirm your password using "
                                 "the link below before close of business.\n\nIT Service Desk"), SPAM),
    ("mailbox-full", webmail("Mail Administrator <admin@mailquota-alerts.example>", "Mailbox storage",
                             "Your mailbox is almost full. Click here to verify and increase your storage within 24 "
                             "hours."), SPAM),
    ("password-expiry", gmail("Microsoft 365 <no-reply@m365-security-notice.example>", "Password expiry notice",
                              "Your password will expire today. To keep your current password, follow the link."),
     SPAM),
    ("verify-account", outlook("Office 365 <security@o365-verify.example>", "Unusual sign-in activity",
                               "We detected unusual sign-in activity. Please verify your account to avoid "
                               "suspension."), SPAM),
    ("pending-messages", webmail("Webmail Team <webmail@mx-release.example>", "5 messages on hold",
                                 "You have 5 pending incoming messages held on the server. Click here to release "
                                 "them."), SPAM),
    # -- calendar invitations ----------------------------------------------------------------------------------
    ("outlook-invite", outlook_invite("Claire Watts <claire.watts@supplierco.example>", "Claire Watts",
                                      "Quarterly contract review", "Hi all, agenda to follow."), CORRESPONDENCE),
    ("teams-invite", outlook_invite("Ben Clarke <ben.clarke@nhs-trust.example>", "Ben Clarke",
                                    "Information sharing agreement catch-up", "", teams=True), CORRESPONDENCE),
    ("outlook-accepted", outlook_invite("Ben Clarke <ben.clarke@nhs-trust.example>", "Ben Clarke",
                                        "Accepted: Information sharing agreement catch-up", "", method="REPLY"),
     CORRESPONDENCE),
    ("google-invite", google_invite("Sophie Turner", "sophie.turner@gmail.example", "Community safety forum"),
     CORRESPONDENCE),
    ("google-cancel", google_invite("Sophie Turner", "sophie.turner@gmail.example", "Community safety forum",
                                    method="CANCEL"), CORRESPONDENCE),
    # -- test messages -------------------------------------------------------------------------------------------
    ("test", gmail("Jo Bloggs <jo.bloggs@gmail.example>", "test", "test"), CORRESPONDENCE),
    ("yet-another-test", outlook("Jo Bloggs <jo.bloggs@outlook.example>", "", "Yet another test!"), CORRESPONDENCE),
    ("testing-123", iphone("Jo Bloggs <jo.bloggs@icloud.example>", "testing", "testing 1 2 3"), CORRESPONDENCE),
    ("please-ignore", webmail("Jo Bloggs <jo.bloggs@virginmedia.example>", "Test",
                              "This is a test email, please ignore."), CORRESPONDENCE),
    ("test-new-account", gmail("Jo Bloggs <jo.bloggs@gmail.example>", "Test",
                               "Testing new account\n\nKind regards\nJo"), CORRESPONDENCE),
    # -- bare attachments ----------------------------------------------------------------------------------------
    ("scan", with_attachment("Reception <reception@practice.example>", "Scan from HP LaserJet", "",
                             "scan0042.pdf", "application/pdf"), CORRESPONDENCE),
    ("see-attached", with_attachment("Jo Bloggs <jo.bloggs@outlook.example>", "Letter", "Please see attached.",
                                     "letter.docx", "application/vnd.openxmlformats-officedocument."
                                     "wordprocessingml.document"), CORRESPONDENCE),
    ("foi-letter-attached", with_attachment("Jo Bloggs <jo.bloggs@outlook.example>", "Freedom of Information request",
                                            "", "FOI request.pdf", "application/pdf"), MIXED),
    # -- mixed: a request as well, which staff split --------------------------------------------------------------
    ("complaint-and-policy", gmail("Rob Ellis <rob.ellis@gmail.example>", "Body cameras",
                                   "I want to complain about the officer who attended on 2 March, and please send me "
                                   "the policy on body-worn cameras.\n\nRob Ellis"), MIXED),
    ("complaint-and-how-many", outlook("Nadia Ahmed <nadia.ahmed@outlook.example>", "Complaint",
                                       "I wish to make a complaint about PC 4410. Also, how many complaints about this "
                                       "officer have you received?\n\nNadia Ahmed"), MIXED),
    ("invite-with-request", outlook_invite("Claire Watts <claire.watts@supplierco.example>", "Claire Watts",
                                           "Records review", "Before we meet, could you send me the minutes of the "
                                           "last review?"), MIXED),
    ("phishing-quoted-in-request", gmail("Ian Murray <ian.murray@gmail.example>", "Phishing",
                                         "Your staff were sent emails saying 'your mailbox is full'. How many such "
                                         "emails did the council receive in 2023?\n\nIan Murray"), MIXED),
    # -- clear requests: still acknowledged ----------------------------------------------------------------------
    ("bwc-policy", gmail("Jo Bloggs <jo.bloggs@gmail.example>", "Body worn video",
                         "Please send me your policy on body-worn cameras.\n\nJo Bloggs"), ACK),
    ("complaints-figures", outlook("Jo Bloggs <jo.bloggs@outlook.example>", "Complaints about officers",
                                   "Dear FOI team,\n\nHow many complaints about officers did you receive in 2023?\n\n"
                                   "Yours faithfully,\nJo Bloggs"), ACK),
    ("streetlights-repaired", webmail("Peter Hall <peter.hall@virginmedia.example>", "Street lighting",
                                      "Please provide the number of street lights repaired in 2023 and the cost of "
                                      "those repairs.\n\nPeter Hall"), ACK),
    ("bins-not-collected-figures", gmail("Amy Clarke <amy.clarke@gmail.example>", "Missed collections",
                                         "Could you tell me how many bins were not collected in the borough in "
                                         "2023?\n\nAmy Clarke"), ACK),
    ("crimes-reported", outlook("Jo Bloggs <jo.bloggs@outlook.example>", "Recorded crime",
                                "How many crimes were reported to the force in 2023, broken down by ward?\n\nJo "
                                "Bloggs"), ACK),
    ("seo-contracts", gmail("Jo Bloggs <jo.bloggs@gmail.example>", "FOI: marketing contracts",
                            "Under the Freedom of Information Act, please provide copies of any contracts for SEO "
                            "services or web design services since 2021.\n\nJo Bloggs"), ACK),
    ("commercial-request", outlook("Lucy Grey <lucy.grey@itvendor.example>", "Freedom of Information request",
                                   "We are a software company. Under the Freedom of Information Act please provide the "
                                   "name of your CRM system, its supplier and the contract end date.\n\nKind regards,"
                                   "\nLucy Grey"), ACK),
    ("minutes", iphone("Jo Bloggs <jo.bloggs@icloud.example>", "Planning committee",
                       "I would like to request the minutes of the planning committee meeting of 5 March.\n\nJo "
                       "Bloggs"), ACK),
]


@pytest.mark.parametrize(("name", "raw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_what_the_author_asks_for_decides(name: str, raw: bytes, expected: tuple[str, str]) -> None:
    decision = judge(parse_message(raw), None, SETTINGS)
    assert (decision.kind, decision.action) == expected, decision.reasons
    if expected != ACK:
        assert not decision.replies
    if expected == CORRESPONDENCE:  # the staff-facing reason says what the author asks for instead
        assert decision.reasons[-1].startswith("correspondence: routine correspondence")
        assert decision.regime is not None  # staff see the due date it would have, were it a request after all
    if expected == SPAM:
        assert decision.regime is None and any(r.startswith(("phishing: ", "sales-pitch: ")) for r in decision.reasons)
    if expected == MIXED:
        assert decision.details["chain"] == "mixed" and decision.regime is not None


def test_the_cases_cover_every_family_many_times() -> None:
    """At least 40 messages, each family several times, from several clients."""
    assert len(CASES) >= 40
    outcomes = Counter(expected for _, _, expected in CASES)
    assert min(outcomes[CORRESPONDENCE], outcomes[SPAM], outcomes[MIXED], outcomes[ACK]) >= 4


def test_a_calendar_part_is_seen_whatever_the_client() -> None:
    for name in ("outlook-invite", "teams-invite", "google-invite"):
        raw = dict((c[0], c[1]) for c in CASES)[name]
        decision = judge(parse_message(raw), None, SETTINGS)
        assert any(r.startswith("calendar-invitation: a calendar invitation") for r in decision.reasons), name
