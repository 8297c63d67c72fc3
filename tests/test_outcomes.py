"""Outcomes and the exemptions cited: what staff type, read as FOIA sections and EIR regulations."""

from __future__ import annotations

import pytest

from mailbot.store.outcomes import OutcomeError, check_outcome, exemptions_from


def test_sections_and_regulations_as_people_write_them() -> None:
    assert exemptions_from("s40(2), Section 31(1)(a); s 21") == ["s40(2)", "s31(1)(a)", "s21"]
    assert exemptions_from("reg 12(5)(b), regulation 13, 12(4)(a)") == ["reg 12(5)(b)", "reg 13", "reg 12(4)(a)"]
    assert exemptions_from("s12") == ["s12"]  # the cost limit: a refusal, counted beside the exemptions
    assert exemptions_from("") == []


@pytest.mark.parametrize("text", ["s11", "s45", "s40(2) and s41", "reg 12(5)(h)", "reg 14", "confidential"])
def test_what_is_not_an_exemption_is_refused_by_name(text: str) -> None:
    with pytest.raises(OutcomeError, match="not a FOIA exemption"):
        exemptions_from(text)


def test_withholding_needs_the_exemptions_relied_on() -> None:
    with pytest.raises(OutcomeError, match="name the exemptions"):
        check_outcome("refused", [])
    check_outcome("refused", ["s40(2)"])
    check_outcome("not_held", [])
    with pytest.raises(OutcomeError):
        check_outcome("maybe", [])


def test_reg_12_3_is_an_eir_exception() -> None:
    assert exemptions_from("reg 12(3), 12(3)") == ["reg 12(3)", "reg 12(3)"]


def test_a_review_takes_a_review_result() -> None:
    check_outcome("partly_upheld", [], review=True)
    with pytest.raises(OutcomeError, match="review's result"):
        check_outcome("refused", ["s40(2)"], review=True)
