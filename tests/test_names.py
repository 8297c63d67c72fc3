from __future__ import annotations

import pytest

from mailbot.judging.readers.display_names import unquoted_surname_first
from mailbot.judging.readers.names import best_name, clean_name, conflicting, find_names, judge_full_name


@pytest.mark.parametrize("name", [
    "Arthur Roberts", "A. T. Roberts", "A Roberts", "Mr Roberts", "Dr Smith", "Acme Ltd",
    "Hallam Park Residents' Association", "Fred Wright", "Siobhán Ní Bhriain", "Jan van der Berg",
    "María García-López", "Conor O'Neill", "王小明", "fred wright",
])
def test_full_names(name: str) -> None:
    verdict = judge_full_name(name)
    assert verdict.full, verdict.reason


@pytest.mark.parametrize("name", ["Arthur", "A.T.R.", "Anonymous", "Roberts", "fred123", "Mickey Mouse", "Mr", ""])
def test_not_full_names(name: str) -> None:
    assert not judge_full_name(name).full


def test_surname_only_follows_its_setting() -> None:
    assert judge_full_name("Roberts", accept_surname_only=True).full


def test_display_name_surname_first_is_turned_round() -> None:
    assert clean_name("WRIGHT, Fred") == "Fred Wright"


@pytest.mark.parametrize(("written", "name"), [("DUBOIS Marie", "Marie Dubois"), ("Marie DUBOIS", "Marie Dubois"),
                                              ("BBC News", "BBC News"), ("Sarah Mensah MP", "Sarah Mensah"),
                                              ("Ann Lee, MBE", "Ann Lee"), ("Jo MP", "Jo MP")])
def test_capitalised_surnames_and_letters_after_a_name(written: str, name: str) -> None:
    """A surname in capitals is the surname wherever it stands; an office or honour after a name is not the name."""
    assert clean_name(written) == name


def test_unquoted_surname_comma_forename_from_header_keeps_the_whole_name() -> None:
    assert unquoted_surname_first("OKAFOR, Chidi <chidi.okafor@example.com>") == "OKAFOR, Chidi"
    assert unquoted_surname_first('"Marsh, Dr Helen" <h.marsh@example.ac.uk>') is None  # quoted: the parser's
    assert unquoted_surname_first("Ann Lee <a@example.org>, Bob Roe <b@example.org>") is None


@pytest.mark.parametrize("name", ["Press Office", "Media Relations"])
def test_press_desks_are_not_organisations(name: str) -> None:
    assert not judge_full_name(name).full


def test_explicit_statement_beats_sign_off_and_display_name() -> None:
    findings = find_names("Dear team,\n\nMy full name is Fred Wright\n\nYours sincerely,\n\nFred", "Fred")
    assert [f.source for f in findings] == ["statement", "sign-off", "display name"]
    assert best_name(findings).name == "Fred Wright"


def test_quoted_text_and_phone_signature_are_not_names() -> None:
    text = "Please send x.\n\nThanks,\nSent from my iPhone\n\n> Yours sincerely,\n> Miss McGee"
    findings = find_names(text, None)
    assert all(f.name != "Miss McGee" for f in findings)
    assert all("iphone" not in f.name.lower() for f in findings)


# -- what is not a name (issue 13): self-descriptions, houses, systems and teams ---------------------------------

@pytest.mark.parametrize("name", [
    "A concerned neighbour", "Local taxpayer", "Worried parent", "A resident", "Anonymous", "Concerned Citizen",
    "A Local Resident", "Council Tax Payer", "Member of the Public", "Frustrated Motorist", "Disgusted of Leeds",
])
def test_self_descriptions_are_not_names(name: str) -> None:
    assert not judge_full_name(name).full


@pytest.mark.parametrize("name", ["Rose Cottage", "The Old Vicarage", "Flat 3", "Manor Farm", "The Old Mill",
                                  "Ivy Bungalow", "The Grange"])
def test_house_and_place_names_are_not_names(name: str) -> None:
    verdict = judge_full_name(name)
    assert not verdict.full and not verdict.organisation


@pytest.mark.parametrize("name", [
    "OpenDMARC Filter", "Rackspace FBL Service", "Council Newsletter", "IT Service Desk", "Information Rights Team",
    "Customer Services", "Mail Delivery System", "Data Protection Office", "Mimecast Quarantine",
])
def test_system_and_team_display_names_are_not_a_persons_name(name: str) -> None:
    verdict = judge_full_name(name)
    assert not verdict.full, verdict.reason
    assert "team" in verdict.reason or "system" in verdict.reason


@pytest.mark.parametrize("name", ["Bob Friend", "David Lodge", "Glenn Close", "Neil Young", "Paul Nurse",
                                  "Open Rights Group", "Jane Hall", "A Smith", "Tom Green"])
def test_surnames_that_are_also_words_stay_names(name: str) -> None:
    assert judge_full_name(name).full


def test_a_declared_single_name_is_a_full_name() -> None:
    assert not judge_full_name("Teller").full
    verdict = judge_full_name("Teller", one_name=True)
    assert verdict.full and "whole name" in verdict.reason
    assert not judge_full_name("J.", one_name=True).full  # an initial stays an initial
    findings = find_names("Please send it.\n\nThanks,\nTeller\n\nThat is my full name - I have only one name.", None)
    assert best_name(findings).name == "Teller" and best_name(findings).full


# -- names that contradict each other go to staff ----------------------------------------------------------------

@pytest.mark.parametrize("body,display,conflict", [
    ("Please send it.\n\nThanks,\nBob Jones", "Fred Wright", True),
    ("Please send it.\n\nThanks,\nBob", "Fred Wright", True),
    ("Please send it.\n\nThanks,\nFrances Wright", "Fred Wright", True),
    ("Please send it.\n\nThanks,\nBob", "Robert Jones", False),
    ("Please send it.\n\nThanks,\nDave", "David Smith", False),
    ("Please send it.\n\nThanks,\nChris", "Christopher Lee", False),
    ("Please send it.\n\nThanks,\nF. Wright", "Fred Wright", False),
    ("Please send it.\n\nThanks,\nFred", "Fred Wright", False),
    ("Please send it.\n\nThanks,\nWright", "Fred Wright", False),
    ("Please send it.\n\nThanks,\nJo Bloggs\nAcme Ltd", "Acme Ltd", False),
    ("Please send it.\n\nThanks,\nBob Jones", "Customer Services", False),
])
def test_conflicting_names(body: str, display: str, conflict: bool) -> None:
    assert (conflicting(find_names(body, display)) is not None) is conflict


def test_a_registered_company_in_the_signature_block_is_the_applicant() -> None:
    text = "Please send the contracts register.\n\nKind regards,\n\nAccounts Department\nExample Widgets Ltd\n"
    found = best_name(find_names(text, "Accounts"))
    assert found is not None and found.name == "Example Widgets Ltd" and found.organisation


def test_a_company_named_in_a_wrapped_sentence_is_not_the_applicant() -> None:
    text = "Please send the contract between the council and\nVeolia Ltd\nfor street cleansing.\n\nOwen\n"
    found = best_name(find_names(text, "Owen Harris"))
    assert found is not None and found.name == "Owen Harris"


def test_a_bare_name_under_a_phone_footer_completes_a_short_display_name() -> None:
    text = "How often are the verges cut?\n\nDave Wilkins\n\nSent from Yahoo Mail for iPhone\n"
    found = best_name(find_names(text, "Dave"))
    assert found is not None and found.name == "Dave Wilkins" and found.source == "name line"


@pytest.mark.parametrize("display", ["Brennan, Siobhan (Legal)", "Siobhan Brennan via DocuSign",
                                     "Siobhan Brennan [Contractor]"])
def test_what_address_books_and_relays_add_is_not_part_of_the_name(display: str) -> None:
    assert clean_name(display) == "Siobhan Brennan"


@pytest.mark.parametrize("name", ["Office Manager", "Senior Planning Officer", "Newsdesk"])
def test_job_titles_and_desks_are_not_names(name: str) -> None:
    assert not judge_full_name(name).named
