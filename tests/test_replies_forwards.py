"""Replies that do not say "Re:", forwarded requests, and other systems' acknowledgements (issue 13), judged from
mail as real clients write it (mailbot/testing/clients.py). Pure: the thread index is a list (test_judge.ListIndex)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from test_judge import ListIndex

from mailbot.judging.decision import CaseRef, Decision
from mailbot.judging.judge import judge
from mailbot.judging.readers.references import ReferenceKey
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.values import CaseStatus, Regime
from mailbot.mail.parse import parse_message
from mailbot.testing.clients import client_mail

MAILBOX = "foi@council.example"
SETTINGS = JudgeSettings(mailbox=MAILBOX, loop_token=f"mailbot {MAILBOX}")
JO = "Jo Bloggs <jo.bloggs@example.net>"
ENQUIRY = CaseRef(case_id=3, status=CaseStatus.OPEN, regime=Regime.FOI, reference="13931/2022",
                  applicant_name="Jo Bloggs")
# Jo's open enquiry, found by sender and subject stem, by reference, and by our acknowledgement's Message-ID.
INDEX = ListIndex(by_stem={("jo.bloggs@example.net", "gritting budget"): [ENQUIRY]},
                  by_ref={ReferenceKey(13931, 2022): ENQUIRY},
                  by_id={"<ack-13931@council.example>": ENQUIRY},
                  templates={"<ack-13931@council.example>": "acknowledgement_foi"})


def decide(raw: bytes, index: ListIndex | None = INDEX) -> Decision:
    return judge(parse_message(raw), index, SETTINGS)


# -- replies in other languages and forms thread to their case ----------------------------------------------------

REPLY = "I meant the budget for 2021-22 only, not the whole period.\n\nJo Bloggs"


@pytest.mark.parametrize(("client", "subject", "language"), [
    ("outlook", "AW: Gritting budget", "de-DE"),
    ("outlook", "SV: Gritting budget", "sv-SE"),
    ("outlook", "VS: Gritting budget", "fi-FI"),
    ("outlook", "Antw: Gritting budget", "nl-NL"),
    ("outlook", "RE : Gritting budget", "fr-FR"),
    ("outlook", "Ateb: Gritting budget", "cy-GB"),
    ("outlook", "RIF: Gritting budget", "it-IT"),
    ("iphone", "R: Gritting budget", "it-IT"),
    ("gmail", "RES: Gritting budget", "pt-BR"),
    ("thunderbird", "ODP: Gritting budget", "pl-PL"),
    ("samsung", "Odp: Gritting budget", "pl-PL"),
    ("owa", "Re: [Ext] AW: RE: Gritting budget", "en-GB"),
    ("owa", "[EXTERNAL] RE: Gritting budget", "en-GB"),
    ("thunderbird", "Re[2]: Gritting budget", "en-GB"),
    ("outlook", "RE: RE: RE: Gritting budget", "en-GB"),
    ("apple", "Réf. : Gritting budget", "fr-FR"),
])
def test_a_reply_in_any_language_threads_to_its_case(client: str, subject: str, language: str) -> None:
    decision = decide(client_mail(client, sender=JO, subject=subject, body=REPLY, language=language))
    assert (decision.kind, decision.action, decision.case) == ("follow_up", "acknowledge_follow_up", ENQUIRY)
    assert decision.thread_signal == "sender-subject"


def test_a_new_request_from_the_same_person_on_another_subject_is_a_new_request() -> None:
    decision = decide(client_mail("outlook", sender=JO, subject="Potholes on the A66",
                                  body="Please send the number of potholes repaired on the A66 in 2022.\n\nJo Bloggs"))
    assert (decision.kind, decision.action, decision.case) == ("request", "acknowledge", None)


def test_a_foreign_reply_prefix_on_an_unknown_subject_with_quoted_text_goes_to_staff() -> None:
    body = "Danke.\n\n> Sehr geehrte Frau Bloggs,\n> anbei die Zahlen."
    decision = decide(client_mail("thunderbird", sender=JO, subject="AW: Ihre Anfrage", body=body, language="de-DE"))
    assert (decision.kind, decision.action, decision.details["chain"]) == ("follow_up", "staff_review",
                                                                            "unmatched-reply")


OUR_ACK = ("Dear Jo Bloggs,\n\nEnquiry Ref: 13931/2022\n\nI acknowledge receipt of your request for information "
           "received by this office on 12 May 2022.\n\nYours sincerely,\n\nInformation Rights Team")


def test_a_reply_without_prefix_quoting_our_acknowledgement_in_outlook_threads_by_its_reference() -> None:
    body = (f"I forgot to say: only the A-roads, please.\n\nJo Bloggs\n\n"
            f"From: Information Rights <{MAILBOX}>\nSent: 12 May 2022 14:02\nTo: Jo Bloggs <jo.bloggs@example.net>\n"
            f"Subject: Winter roads\n\n{OUR_ACK}")
    decision = decide(client_mail("outlook", sender=JO, subject="Winter roads", body=body))
    assert (decision.kind, decision.action, decision.case) == ("follow_up", "acknowledge_follow_up", ENQUIRY)
    assert decision.references == ("13931/2022",) and decision.thread_signal == "reference"


def test_a_reply_without_prefix_quoting_our_mail_that_matches_nothing_goes_to_staff() -> None:
    quoted = "\n".join(f"> {line}" for line in OUR_ACK.splitlines())
    body = (f"Thanks, and please also send the salt stock figures.\n\nJo\n\n"
            f"On Thu, 12 May 2022 at 14:02, Information Rights <{MAILBOX}> wrote:\n{quoted}")
    decision = decide(client_mail("gmail", sender="Jo <jo@elsewhere.example>", subject="Winter", body=body),
                      ListIndex())
    assert (decision.kind, decision.action, decision.details["chain"]) == ("follow_up", "staff_review",
                                                                            "unmatched-reply")
    assert any("quotes a message from our mailbox" in reason for reason in decision.reasons)


def test_our_reference_tag_in_a_subject_without_prefix_threads() -> None:
    decision = decide(client_mail("apple", sender=JO, subject="Gritting [Enquiry Ref: 13931/2022]",
                                  body="Any news on this one?\n\nJo Bloggs"))
    assert (decision.action, decision.case) == ("acknowledge_follow_up", ENQUIRY)


def test_our_section8_notice_pasted_into_a_new_mail_is_an_answer_to_it_not_a_new_request() -> None:
    body = ("My full name is Jo Bloggs.\n\nYou wrote: Thank you for your email of 12 May 2022. We want to help you "
            "with it, but as it stands it is not yet a valid request under Section 8 of the Freedom of "
            "Information Act 2000.")
    decision = decide(client_mail("yahoo", sender="jo@elsewhere.example", subject="my name", body=body), ListIndex())
    assert (decision.kind, decision.action) == ("follow_up", "staff_review")
    assert any("quotes our acknowledgement or notice" in reason for reason in decision.reasons)


# -- forwarded requests: the applicant is the original's author -------------------------------------------------

@dataclass(frozen=True)
class Forward:
    client: str
    subject: str
    note: str  # the forwarder's own words
    block: str  # the forwarded header block, as the client writes it
    name: str | None  # the applicant's name expected from it
    address: str | None


REQUEST_TEXT = "Please send me the number of fixed penalty notices issued for littering in 2022.\n\nJane Smith"
FORWARDS = [
    Forward("gmail", "Fwd: Littering fines", "FYI, this came to my personal address.",
            "---------- Forwarded message ---------\nFrom: Jane Smith <jane.smith@example.org>\n"
            "Date: Mon, 3 Apr 2023 at 09:58\nSubject: Littering fines\nTo: <cllr.brown@example.net>\n\n",
            "Jane Smith", "jane.smith@example.org"),
    Forward("outlook", "FW: Littering fines", "Please deal with the below.",
            "From: Smith, Jane <jane.smith@example.org>\nSent: 03 April 2023 09:58\nTo: Brown, Jim "
            "<jim.brown@example.net>\nSubject: Littering fines\n\n", "Jane Smith", "jane.smith@example.org"),
    Forward("outlook", "WG: Littering fines", "Zur Erledigung.",
            "Von: Jane Smith <jane.smith@example.org>\nGesendet: Montag, 3. April 2023 09:58\nAn: Jim Brown "
            "<jim.brown@example.net>\nBetreff: Littering fines\n\n", "Jane Smith", "jane.smith@example.org"),
    Forward("outlook", "TR : Littering fines", "Pour traitement.",
            "De : Jane Smith <jane.smith@example.org>\nEnvoyé : lundi 3 avril 2023 09:58\nÀ : Jim Brown "
            "<jim.brown@example.net>\nObjet : Littering fines\n\n", "Jane Smith", "jane.smith@example.org"),
    Forward("outlook", "RV: Littering fines", "Para su tramitación.",
            "De: Jane Smith <jane.smith@example.org>\nEnviado el: lunes, 3 de abril de 2023 9:58\nPara: Jim Brown "
            "<jim.brown@example.net>\nAsunto: Littering fines\n\n", "Jane Smith", "jane.smith@example.org"),
    Forward("outlook", "Doorst: Littering fines", "Ter afhandeling.",
            "Van: Jane Smith <jane.smith@example.org>\nVerzonden: maandag 3 april 2023 09:58\nAan: Jim Brown "
            "<jim.brown@example.net>\nOnderwerp: Littering fines\n\n", "Jane Smith", "jane.smith@example.org"),
    Forward("outlook", "FW: Littering fines", "Er gwybodaeth.",
            "Oddi wrth: Jane Smith <jane.smith@example.org>\nAnfonwyd: 03 Ebrill 2023 09:58\nAt: Jim Brown "
            "<jim.brown@example.net>\nPwnc: Littering fines\n\n", "Jane Smith", "jane.smith@example.org"),
    Forward("iphone", "Fwd: Littering fines", "Sent on as asked.",
            "Begin forwarded message:\n\nFrom: Jane Smith <jane.smith@example.org>\nSubject: Littering fines\n"
            "Date: 3 April 2023 at 09:58:12 BST\nTo: Jim Brown <jim.brown@example.net>\n\n",
            "Jane Smith", "jane.smith@example.org"),
    Forward("apple", "Fwd: Littering fines", "Voir ci-dessous.",
            "Début du message réexpédié :\n\nDe: Jane Smith <jane.smith@example.org>\nObjet: Littering fines\n"
            "Date: 3 avril 2023 à 09:58:12 UTC+1\nÀ: Jim Brown <jim.brown@example.net>\n\n",
            "Jane Smith", "jane.smith@example.org"),
    Forward("thunderbird", "Fwd: Littering fines", "See below.",
            "-------- Forwarded Message --------\nSubject: \tLittering fines\nDate: \tMon, 3 Apr 2023 09:58:12 +0100\n"
            "From: \tJane Smith <jane.smith@example.org>\nTo: \tjim.brown@example.net\n\n",
            "Jane Smith", "jane.smith@example.org"),
    Forward("thunderbird", "WG: Littering fines", "Siehe unten.",
            "-------- Weitergeleitete Nachricht --------\nBetreff: \tLittering fines\nDatum: \tMon, 3 Apr 2023 "
            "09:58:12 +0100\nVon: \tJane Smith <jane.smith@example.org>\nAn: \tjim.brown@example.net\n\n",
            "Jane Smith", "jane.smith@example.org"),
    Forward("notes", "Fw: Littering fines", "For your action.",
            "----- Forwarded by Jim Brown/Env/Council on 03/04/2023 10:10 -----\n\n"
            "\"Jane Smith\" <jane.smith@example.org>\n03/04/2023 09:58\n\nTo\njim.brown@example.net\ncc\n\n"
            "Subject\nLittering fines\n\n\n\n", "Jane Smith", "jane.smith@example.org"),
    Forward("samsung", "Fwd: Littering fines", "Sent from my phone, see below.",
            "-------- Original message --------\nFrom: Jane Smith <jane.smith@example.org> \n"
            "Date: 03/04/2023 09:58 (GMT+00:00) \nTo: jim.brown@example.net \nSubject: Littering fines \n\n",
            "Jane Smith", "jane.smith@example.org"),
    Forward("yahoo", "Fwd: Littering fines", "Passing this on.",
            "----- Forwarded Message -----\nFrom: Jane Smith <jane.smith@example.org>\nTo: Jim Brown "
            "<jim.brown@example.net>\nSent: Monday, 3 April 2023, 09:58:12 BST\nSubject: Littering fines\n\n",
            "Jane Smith", "jane.smith@example.org"),
    Forward("owa", "FW: Littering fines", "Forwarding, thanks.",
            "________________________________\nFrom: Jane Smith [mailto:jane.smith@example.org]\n"
            "Sent: 03 April 2023 09:58\nTo: Jim Brown\nSubject: Littering fines\n\n",
            "Jane Smith", "jane.smith@example.org"),
    Forward("outlook", "Littering fines", "FYI",
            "-----Original Message-----\nFrom: Jane Smith <jane.smith@example.org>\nSent: 03 April 2023 09:58\n"
            "To: Jim Brown\nSubject: Littering fines\n\n", "Jane Smith", "jane.smith@example.org"),
    Forward("outlook", "FW: Littering fines", "Please log.",
            "-----Original Message-----\nFrom: Jane Smith\nSent: 03 April 2023 09:58\nTo: Jim Brown\n"
            "Subject: Littering fines\n\n", "Jane Smith", None),
]


@pytest.mark.parametrize("case", FORWARDS, ids=lambda f: f"{f.client}-{f.subject.split(':')[0]}-{f.note[:8]}")
def test_a_forward_of_another_persons_request_names_its_author_and_goes_to_staff(case: Forward) -> None:
    body = f"{case.note}\n\nJim Brown\n\n{case.block}{REQUEST_TEXT}"
    decision = decide(client_mail(case.client, sender="Jim Brown <jim.brown@example.net>", subject=case.subject,
                                  body=body))
    assert (decision.kind, decision.action, decision.details["chain"]) == ("request", "staff_review",
                                                                            "forwarded-for-another")
    assert decision.address == case.address  # never the forwarder's
    assert decision.applicant_name == case.name
    assert "description" not in decision.missing and not decision.replies


def test_a_person_resending_their_own_request_from_another_account_goes_to_staff_for_its_date() -> None:
    # It first went to our own mailbox on 3 April: the date of receipt may be then (FOIA s10(1)), so staff settle it
    # rather than the bot acknowledge it as received today; the reply address is the new account.
    body = ("Sending again from my home address.\n\n---------- Forwarded message ---------\n"
            "From: Jane Smith <jane.smith@work.example>\nDate: Mon, 3 Apr 2023 at 09:58\nSubject: Littering fines\n"
            f"To: <{MAILBOX}>\n\n{REQUEST_TEXT}")
    decision = decide(client_mail("gmail", sender="Jane Smith <jane.smith@example.org>",
                                  subject="Fwd: Littering fines", body=body))
    assert (decision.kind, decision.action, decision.address) == ("request", "staff_review", "jane.smith@example.org")
    assert decision.details["chain"] == "sent-before"


@pytest.mark.parametrize(("note", "forwarded_for_another"), [
    ("Please can you provide me with a copy of the contract mentioned below?\n\nJim Brown", False),
    ("Under the Freedom of Information Act, I would like the contract referred to below.\n\nJim Brown", False),
    ("Please can you log the request below and deal with it?\n\nJim Brown", True),
    ("Could you send this on to the right team?\n\nJim Brown", True),
])
def test_a_forwarder_asking_in_their_own_words_is_the_applicant(note: str, forwarded_for_another: bool) -> None:
    body = (f"{note}\n\n---------- Forwarded message ---------\nFrom: Acme Parking <contracts@acme.example>\n"
            f"Date: Mon, 3 Apr 2023 at 09:58\nSubject: Parking contract\n\nThe council's contract with us runs to "
            f"2025.\n\nAcme Parking")
    decision = decide(client_mail("gmail", sender="Jim Brown <jim.brown@example.net>", subject="Fwd: Parking contract",
                                  body=body), ListIndex())
    assert ("forwarded-for-another" in decision.details["rules"]) is forwarded_for_another
    if not forwarded_for_another:
        assert (decision.action, decision.address) == ("acknowledge", "jim.brown@example.net")


def test_an_outlook_reply_quoting_someone_elses_mail_is_the_senders_own_request() -> None:
    body = ("Please send me the littering fines for 2022 as well.\n\nJim Brown\n\n"
            "From: Jane Smith <jane.smith@example.org>\nSent: 03 April 2023 09:58\nTo: Jim Brown\n"
            "Subject: Littering fines\n\nHave you asked the council?")
    decision = decide(client_mail("outlook", sender="Jim Brown <jim.brown@example.net>",
                                  subject="RE: Littering fines", body=body), ListIndex())
    assert "forwarded-for-another" not in decision.details["rules"]
    assert decision.address == "jim.brown@example.net"


# -- other systems' acknowledgements never start a loop ----------------------------------------------------------

ACKS = [
    ("outlook", "Sarah Jones <sarah.jones@othercouncil.example>", "Re: Your request",
     "Thank you for your email. This is an automated response. Your request has been logged with reference "
     "FOI/2023/0456 and we will respond within 20 working days.\n\nInformation Governance Team"),
    ("crm", "Freedom of Information <foi@othercouncil.example>", "We have received your Freedom of Information request",
     "Dear Sir/Madam,\n\nWe have received your Freedom of Information request. We will respond within 20 working "
     "days of receipt.\n\nInformation Governance"),
    ("owa", "Customer Services <customer.services@othercouncil.example>", "Your enquiry CRM:123456",
     "Thank you for contacting Anytown Council.\n\nYour enquiry reference is CRM:123456. Please quote this "
     "reference in any correspondence.\n\nCustomer Services"),
    ("gmail", "Support <support@othercouncil.zendesk.example>", "[Anytown Council] Request received: Budget",
     "##- Please type your reply above this line -##\n\nYour request (4521) has been received and is being "
     "reviewed by our support staff.\n\nTo add additional comments, reply to this email."),
    ("outlook", "Information Requests <inforequests@otherforce.example>", "Acknowledgement of your request FOI-2023-0456",
     "Dear requester,\n\nThis is to acknowledge receipt of your request for information, which was received on "
     "3 April 2023. Your reference number is FOI-2023-0456.\n\nInformation Rights Unit"),
    ("owa", "Anytown Council <contact@othercouncil.example>", "Thank you for contacting Anytown Council",
     "Thank you for contacting Anytown Council. Your case number is 12345678. We aim to respond within 10 "
     "working days.\n\nThis mailbox is not monitored."),
    ("outlook", "Gwybodaeth <gwybodaeth@cyngor.example>", "Cydnabyddiaeth / Acknowledgement",
     "Diolch am eich e-bost. Rydym wedi derbyn eich cais.\n\nThank you for your email. We have received your "
     "request and will respond within 20 working days.\n\nTîm Llywodraethu Gwybodaeth"),
    ("notes", "Records Unit <records@otherauthority.example>", "Re: Gritting budget",
     "Your email has been received and logged under case number 2023/1187. A member of the team will be in "
     "touch.\n\nRecords Unit"),
]


@pytest.mark.parametrize(("client", "sender", "subject", "body"), ACKS, ids=[a[2][:24] for a in ACKS])
def test_another_systems_acknowledgement_is_never_answered(client: str, sender: str, subject: str,
                                                           body: str) -> None:
    decision = decide(client_mail(client, sender=sender, subject=subject, body=body), ListIndex())
    assert (decision.kind, decision.action, decision.details["chain"]) == ("auto_reply", "none",
                                                                            "receipt-acknowledgement")
    assert not decision.replies and any("only acknowledges receipt" in reason for reason in decision.reasons)


def test_an_acknowledgement_answering_our_acknowledgement_is_recorded_on_the_case_and_never_answered() -> None:
    raw = client_mail("crm", sender="Information Governance <ig@otherauthority.example>",
                      subject="Re: Gritting budget [Enquiry Ref: 13931/2022]",
                      headers="In-Reply-To: <ack-13931@council.example>\r\n",
                      body="Thank you for your email. We have received it and will respond within 20 working days.")
    decision = decide(raw)
    assert (decision.kind, decision.action, decision.case) == ("follow_up", "none", ENQUIRY)
    assert decision.details["chain"] == "receipt-on-our-case"


def test_a_bare_thank_you_to_our_acknowledgement_is_not_answered() -> None:
    raw = client_mail("iphone", sender=JO, subject="Re: Gritting budget [Enquiry Ref: 13931/2022]",
                      body="Many thanks for confirming.\n\nJo\n\nSent from my iPhone",
                      headers="In-Reply-To: <ack-13931@council.example>\r\n")
    assert (decide(raw).kind, decide(raw).action) == ("follow_up", "none")


@pytest.mark.parametrize("body", [
    "I have still not had a reply. You said you would respond within 20 working days and that was in May.\n\n"
    "Jo Bloggs",
    "Thank you for your email. I have received your acknowledgement. Could you also send the 2022 figures?\n\n"
    "Jo Bloggs",
])
def test_a_person_chasing_or_asking_more_on_their_case_gets_the_usual_receipt(body: str) -> None:
    raw = client_mail("outlook", sender=JO, subject="RE: Gritting budget [Enquiry Ref: 13931/2022]", body=body)
    decision = decide(raw)
    assert (decision.kind, decision.action) == ("follow_up", "acknowledge_follow_up")


def test_a_new_request_that_opens_with_thanks_is_a_request() -> None:
    body = ("Thank you for your email last week. We have received the leaflet. Please send me the number of "
            "complaints about street lighting in 2022.\n\nJane Smith")
    decision = decide(client_mail("gmail", sender="Jane Smith <jane.smith@example.org>", subject="Street lights",
                                  body=body), ListIndex())
    assert (decision.kind, decision.action) == ("request", "acknowledge")


def test_a_reply_to_our_receipt_that_keeps_only_references_is_never_answered() -> None:
    index = ListIndex(by_id={"<receipt-7@council.example>": ENQUIRY},
                      templates={"<receipt-7@council.example>": "follow_up_received"})
    raw = client_mail("crm", sender="Case Team <cases@otherauthority.example>", subject="RE: Gritting budget",
                      body="Case updated by Case Team. Status: Open.",
                      headers="References: <start@otherauthority.example> <receipt-7@council.example>\r\n")
    decision = decide(raw, index)
    assert (decision.kind, decision.action, decision.details["chain"]) == ("follow_up", "none",
                                                                            "answer-to-our-receipt")


# -- real replies from twelve clients (tests/data/talon, Apache-2.0) ------------------------------------------------

TALON = sorted((Path(__file__).parent / "data" / "talon").glob("*.eml"))


@pytest.mark.parametrize("path", TALON, ids=lambda p: p.stem)
def test_real_client_replies_that_match_no_case_go_to_staff(path: Path) -> None:
    decision = decide(path.read_bytes(), ListIndex())
    assert decision.action == "staff_review" and not decision.replies
    # Outlook's copy lost its "RE:", so its quoted block reads as another person's forwarded mail: staff either way.
    assert decision.details["chain"] in {"unmatched-reply", "forwarded-for-another"}


def test_the_talon_replies_are_all_there() -> None:
    assert len(TALON) == 12
