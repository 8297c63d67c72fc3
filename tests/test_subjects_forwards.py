"""Units of issue 13's reading: subject prefixes (subjects.py), forwarded originals (forwards.py), acknowledgement
wording (receipts.py) and quoting our own mail (quoting.py)."""

from __future__ import annotations

import pytest

from mailbot.judging.readers.forwards import find_forwarded, same_person
from mailbot.judging.readers.quoting import quotes_us
from mailbot.judging.readers.receipts import acknowledges_receipt, only_thanks
from mailbot.judging.readers.subjects import answers_subject, clean_subject, forwards_subject, has_our_tag, subject_stem

# -- subjects ------------------------------------------------------------------------------------------------------

REPLIES = ["AW: Budget", "SV: Budget", "VS: Budget", "Antw: Budget", "RE : Budget", "Ateb: Budget", "RIF: Budget",
           "R: Budget", "RES: Budget", "ODP: Budget", "Odp: Budget", "Réf. : Budget", "Re: [Ext] AW: RE: Budget",
           "[EXTERNAL] RE: Budget", "Re[2]: Budget", "RE: RE: RE: Budget", "Re^2: Budget", "Re(3): Budget",
           "RE： Budget", "*EXTERNAL* RE: Budget", "Re: Budget [Enquiry Ref: 1/2022]", "Antwort: Budget",
           "回复: Budget"]
FORWARDS = ["TR: Budget", "WG: Budget", "RV: Budget", "Fw: Budget", "Fwd: Budget", "FWD: Budget", "Doorst: Budget",
            "VL: Budget", "ENC: Budget", "TR : Budget", "I: Budget", "Fwd: Re: Budget", "[EXT] FW: Budget"]


@pytest.mark.parametrize("subject", REPLIES)
def test_reply_prefixes_in_every_form_leave_the_stem(subject: str) -> None:
    assert clean_subject(subject) == "Budget" and subject_stem(subject) == "budget"
    assert answers_subject(subject) and not forwards_subject(subject)


@pytest.mark.parametrize("subject", FORWARDS)
def test_forward_prefixes_leave_the_stem_and_say_forward(subject: str) -> None:
    assert clean_subject(subject) == "Budget"
    assert forwards_subject(subject) and not answers_subject(subject)


@pytest.mark.parametrize("subject", ["Research budget", "Reply needed", "Request", "Budget re: roads", "EXT: Budget",
                                     "Response times for 999 calls", "Antwerp twinning visit", "Aware: roads",
                                     "Svalbard", "Resources: staffing", "R&D spend"])
def test_words_that_merely_begin_like_a_prefix_are_not_one(subject: str) -> None:
    assert not answers_subject(subject) and not forwards_subject(subject)
    assert clean_subject(subject) == subject.removeprefix("EXT: ")


def test_a_subject_that_is_only_a_tag_or_a_prefix() -> None:
    assert clean_subject("[Test]") == "[Test]" and clean_subject("Re:") == "" and clean_subject("") == ""
    assert clean_subject("[OFFICIAL] Budget") == "Budget"


def test_our_reference_tag_in_english_and_welsh() -> None:
    assert has_our_tag("Budget [Enquiry Ref: 13931/2022]")
    assert has_our_tag("Re: Cyllideb [Cyf. Ymholiad / Enquiry Ref: 13931/2022]")
    assert not has_our_tag("Budget [EXTERNAL]") and not has_our_tag("Ref 13931/2022")


# -- forwarded originals -------------------------------------------------------------------------------------------

BODY = "Please send the budget.\n\nJane Smith"


@pytest.mark.parametrize(("block", "name", "address", "forward"), [
    ("---------- Forwarded message ---------\nFrom: Jane Smith <jane@example.org>\nDate: Mon, 3 Apr 2023 at 10:12\n"
     "Subject: Budget\nTo: <info@council.example>\n\n", "Jane Smith", "jane@example.org", True),
    ("---------- Mensaje reenviado ---------\nDe: Jane Smith <jane@example.org>\nDate: lun, 3 abr 2023 a las 10:12\n"
     "Subject: Budget\nTo: <info@council.example>\n\n", "Jane Smith", "jane@example.org", True),
    ("Von: Müller, Hans <hans.mueller@example.de>\nGesendet: Montag, 3. April 2023 10:12\nAn: info@council.example\n"
     "Betreff: Anfrage\n\n", "Hans Müller", "hans.mueller@example.de", False),
    ("De : Jean Dupont <jean.dupont@example.fr>\nEnvoyé : lundi 3 avril 2023 10:12\nÀ : info@council.example\n"
     "Objet : Demande\n\n", "Jean Dupont", "jean.dupont@example.fr", False),
    ("-------- Message transféré --------\nSujet : Demande\nDate : Mon, 3 Apr 2023 10:12:00 +0200\n"  # Thunderbird
     "De : Jean Dupont <jean.dupont@example.fr>\nPour : Luc <luc@example.fr>\n\n", "Jean Dupont",
     "jean.dupont@example.fr", True),
    ("Begin forwarded message:\n\nFrom: Jane Smith <jane@example.org>\nSubject: Budget\nDate: 3 April 2023\n"
     "To: info@council.example\n\n", "Jane Smith", "jane@example.org", True),
    ("Anfang der weitergeleiteten Nachricht:\n\nVon: Jane Smith <jane@example.org>\nBetreff: Budget\n"
     "Datum: 3. April 2023\nAn: info@council.example\n\n", "Jane Smith", "jane@example.org", True),
    ("-------- Forwarded Message --------\nSubject: \tBudget\nDate: \tMon, 3 Apr 2023 10:12:00 +0100\n"
     "From: \tJane Smith <jane@example.org>\nTo: \tinfo@council.example\n\n", "Jane Smith", "jane@example.org", True),
    ("----- Forwarded by Jim Brown/IT/Council on 12/03/2023 10:15 -----\n\n\"Jane Smith\" <jane@example.org>\n"
     "12/03/2023 09:58\n\nTo\ninfo@council.example\ncc\n\nSubject\nBudget\n\n\n\n", "Jane Smith", "jane@example.org",
     True),
    ("-----Original Message-----\nFrom: Jane Smith\nSent: 03 April 2023 10:12\nTo: Info\nSubject: Budget\n\n",
     "Jane Smith", None, False),
    ("________________________________\nFrom: Jane Smith [mailto:jane@example.org]\nSent: 03 April 2023 10:12\n"
     "To: Info\nSubject: Budget\n\n", "Jane Smith", "jane@example.org", False),
    ("Oddi wrth: Siân Jones <sian@example.cymru>\nAnfonwyd: 03 Ebrill 2023 10:12\nAt: gwybodaeth@cyngor.example\n"
     "Pwnc: Cais\n\n", "Siân Jones", "sian@example.cymru", False),
    ("Van: Jan de Vries <jan@example.nl>\nVerzonden: maandag 3 april 2023 10:12\nAan: info@council.example\n"
     "Onderwerp: Verzoek\n\n", "Jan de Vries", "jan@example.nl", False),
    ("-----Mensaje original-----\nDe: Ana García <ana@example.es>\nEnviado el: lunes, 3 de abril de 2023 10:12\n"
     "Para: info@council.example\nAsunto: Solicitud\n\n", "Ana García", "ana@example.es", False),
    ("From: jane@example.org <jane@example.org>\nSent: 03 April 2023 10:12\nTo: Info\nSubject: Budget\n\n",
     None, "jane@example.org", False),
])
def test_the_forwarded_original_and_its_author_are_read_from_each_clients_block(
        block: str, name: str | None, address: str | None, forward: bool) -> None:
    original = find_forwarded(f"See below.\n\n{block}{BODY}")
    assert original is not None
    assert (original.author_name, original.author_address, original.forward) == (name, address, forward)
    assert original.text == BODY


def test_an_unreadable_forward_is_still_a_forward() -> None:
    original = find_forwarded("FYI\n\n---------- Forwarded message ---------\nPlease send the budget.")
    assert original is not None and original.forward and original.author_address is None


@pytest.mark.parametrize("text", [
    "Please send the budget.\n\nFrom now on, please write to my home address.\nThanks",
    "De: la part de Jean\nMerci",
    "> From: Jane <jane@example.org>\n> Sent: Monday\n> To: Jo\n",
    "Please send the budget.\n\nJane Smith",
])
def test_prose_and_quoted_lines_are_not_a_forwarded_original(text: str) -> None:
    assert find_forwarded(text) is None


def test_the_same_person_by_address_or_by_full_name() -> None:
    original = find_forwarded(f"---------- Forwarded message ---------\nFrom: Jane Smith <Jane@Example.org>\n"
                              f"Date: today\n\n{BODY}")
    assert original is not None
    assert same_person(original, "jane@example.org", None)
    assert same_person(original, "jane.home@example.net", "Jane Smith")
    assert not same_person(original, "jim@example.net", "Jim Brown")
    assert not same_person(original, "jim@example.net", "Jane")  # a first name alone proves nothing


# -- acknowledgement wording ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "subject"), [
    ("This is an automated response. Please do not reply to this email.", ""),
    ("Thank you for your email. We have received your request and will respond within 20 working days.", ""),
    ("Your enquiry reference is CRM:123456. We will be in touch.", ""),
    ("Your request (4521) has been received and is being reviewed by our support staff.", "Request received: x"),
    ("Diolch am eich e-bost. Rydym wedi derbyn eich cais.", ""),
    ("Neges awtomatig yw hon.", ""),
    ("Thank you for contacting us. Your case number is 12345678.", ""),
    ("We have logged your complaint under reference 2023/44.", "Complaint logged"),
    # a helpdesk's copy of what it received: the copied request's questions are not the robot asking
    ("Your ticket #20931 has been created and our team will get back to you soon.\n\nHere's what you wrote:\n\n"
     "Please send me the number of charging points. How many were installed?", "Ticket received: FOI"),
])
def test_acknowledgements_are_recognised(text: str, subject: str) -> None:
    assert acknowledges_receipt(text, subject)


@pytest.mark.parametrize("text", [
    "Please send me the gritting budget for 2023.\n\nJo Bloggs",
    "Thank you for your help. Please send me the 2022 figures too.",
    "I have still not received a response to my request, your reference 123/2023.",
    "Thank you for your email. Could you tell me when the figures will be ready?",
    "We have received your leaflet. How many were printed?",
    "Thank you for your reply.",  # one kind of sign alone is not enough
    # a person asking above a copy of an earlier mail still asks
    "Your request has been received, you said, and we will respond within 20 working days. How many staff read it?"
    "\n\nYou wrote:\n\nPlease send me the figures.",
])
def test_a_person_asking_or_thanking_once_is_not_an_acknowledgement(text: str) -> None:
    assert acknowledges_receipt(text, "Budget") is None


@pytest.mark.parametrize(("text", "bare"), [
    ("Thank you.\n\nJo", True),
    ("Many thanks for confirming.\n\nKind regards,\nJo Bloggs", True),
    ("Noted, thanks.", True),
    ("Diolch.\n\nSiân", True),
    ("Thanks, my full name is Jo Bloggs.", False),
    ("Thank you, I meant 2021 only.", False),
    ("Thanks. Please also send the 2022 figures.", False),
    ("Thanks for the figures. Could you explain line 4?", False),
])
def test_a_bare_thank_you(text: str, bare: bool) -> None:
    assert only_thanks(text) is bare


# -- quoting our own mail --------------------------------------------------------------------------------------------

def test_quoting_our_mail_is_seen_by_tag_block_attribution_or_wording() -> None:
    mailbox = "foi@council.example"
    assert quotes_us("Budget [Enquiry Ref: 1/2022]", "Hi", "Hi", mailbox) == "our reference tag is in the subject"
    outlook = "Thanks\n\nFrom: FOI <foi@council.example>\nSent: Monday\nTo: Jo\nSubject: Budget\n\nDear Jo"
    assert quotes_us("Budget", outlook, "Thanks", mailbox) == "it quotes a message from our mailbox"
    gmail = "Thanks\n\nOn Mon, 3 Apr 2023, FOI Team <foi@council.example> wrote:\n> Dear Jo"
    assert quotes_us("Budget", gmail, "Thanks", mailbox) == "it quotes a message from our mailbox"
    pasted = "You said: I acknowledge receipt of your request for information received by this office"
    assert quotes_us("Budget", pasted, pasted, mailbox) == "it quotes our acknowledgement or notice"
    other = "Thanks\n\nFrom: Jane <jane@example.org>\nSent: Monday\nTo: Jo\nSubject: Budget\n\nDear Jo"
    assert quotes_us("Budget", other, "Thanks", mailbox) is None
