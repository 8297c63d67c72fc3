from __future__ import annotations

import pytest

from mailbot.judging.names import best_name, clean_name, find_names, judge_full_name


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


def test_explicit_statement_beats_sign_off_and_display_name() -> None:
    findings = find_names("Dear team,\n\nMy full name is Fred Wright\n\nYours sincerely,\n\nFred", "Fred")
    assert [f.source for f in findings] == ["statement", "sign-off", "display name"]
    assert best_name(findings).name == "Fred Wright"


def test_quoted_text_and_phone_signature_are_not_names() -> None:
    text = "Please send x.\n\nThanks,\nSent from my iPhone\n\n> Yours sincerely,\n> Miss McGee"
    findings = find_names(text, None)
    assert all(f.name != "Miss McGee" for f in findings)
    assert all("iphone" not in f.name.lower() for f in findings)
