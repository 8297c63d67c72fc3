from __future__ import annotations

import pytest

from mailbot.judging.readers.references import (
    ReferenceKey,
    find_bare_keys,
    find_reference_keys,
    format_reference,
    parse_reference,
)


@pytest.mark.parametrize("text", [
    "Enquiry Ref: 13931/2022", "your enquiry reference 13931-22", "FOI 13931/22", "Enquiry Reference: 13931-22",
    "Re: Facial recognition [Enquiry Ref: 13931/2022]", "our ref 13931/2022", "Cyfeirnod: 13931/2022",
    "Cyf 13931-22",
])
def test_forms_people_write_are_recognised(text: str) -> None:
    assert find_reference_keys(text) == [ReferenceKey(13931, 2022)]


def test_reference_without_year() -> None:
    assert find_reference_keys("Ref 13931") == [ReferenceKey(13931, None)]


@pytest.mark.parametrize("text", [
    "policy 3/2021", "£13,931", "planning application 23/01234/FUL", "in the next 12 months",
    "my request 2 weeks ago", "version 2.3/2021",
])
def test_dates_amounts_and_planning_numbers_are_not_references(text: str) -> None:
    assert find_reference_keys(text) == []


def test_bare_pairs_are_found_only_for_matching_known_references() -> None:
    assert ReferenceKey(13931, 2022) in find_bare_keys("see 13931-22 above")
    assert find_bare_keys("23/01234/FUL") == []


@pytest.mark.parametrize("fmt,expected", [("{seq}/{year}", "13931/2022"), ("FOI-{year}-{seq}", "FOI-2022-13931"),
                                          ("{seq}-{yy}", "13931-22")])
def test_format_round_trips(fmt: str, expected: str) -> None:
    assert format_reference(13931, 2022, fmt) == expected
    assert parse_reference(expected, fmt) == ReferenceKey(13931, 2022)
