"""Replies a requester can read and a lawyer would sign (issue 17): plain text wrapped at 72 columns at render time,
and the wording the Act, the Regulations and the ICO's guidance ask for, in English and Welsh."""

from __future__ import annotations

import re
import unicodedata

import pytest

from mailbot.config import settings_from_mapping
from mailbot.replies.catalog import CATALOG, REPLY_TEMPLATES, render_limit, sample_contexts
from mailbot.replies.check import check_templates
from mailbot.replies.filters import ordinal_words
from mailbot.replies.loader import shipped_templates_dir
from mailbot.replies.templates import LANGUAGES, Templates
from mailbot.replies.wrapping import columns, long_lines, wrap_text

SETTINGS = settings_from_mapping({"mailbox": {"address": "inforights@police.example.uk",
                                              "organisation": "Cleveland Police"}})
LONG = ("I acknowledge receipt of your request for information received by this office on 12th May 2022, and we "
        "will respond promptly and in any event not later than the twentieth working day following the date of "
        "receipt, under section 10(1) of the Act.")


# -- the wrap function ---------------------------------------------------------------------------------------


def test_a_long_paragraph_is_filled_to_72_columns_without_losing_a_word() -> None:
    wrapped = wrap_text(LONG)
    assert all(len(line) <= 72 for line in wrapped.split("\n"))
    assert len(wrapped.split("\n")) > 2
    assert wrapped.split() == LONG.split()


def test_a_paragraph_hard_wrapped_too_wide_is_refilled_as_one() -> None:
    cut = LONG.index(" ", 100)
    text = LONG[:cut] + "\n" + LONG[cut + 1:]
    assert wrap_text(text) == wrap_text(LONG)


def test_urls_references_ids_and_addresses_are_never_split() -> None:
    url = "https://ico.org.uk/make-a-complaint/official-information-and-foi-complaints/" + "x" * 20
    tokens = [url, "13931/2022", "<ogm-860112+627a66a3a1b2c-7e1f@whatdotheyknow.com>",
              "request-860112-3f1a2b9c@whatdotheyknow.com"]
    text = " ".join(f"{LONG} {token}" for token in tokens)
    lines = wrap_text(text).split("\n")
    for token in tokens:
        assert any(token in line for line in lines), token
    assert [line for line in lines if len(line) > 72] == [url]  # longer than a line: alone on its own


@pytest.mark.parametrize("phrase", ["12th May 2022", "section 10(1)", "13 Mehefin 2022", "20 working",
                                    "(Section 8(1)(c))"])
def test_dates_provisions_and_counts_stay_on_one_line(phrase: str) -> None:
    for shift in range(0, 60):  # wherever the phrase falls against the margin
        text = "x" * shift + " " + " ".join(["word"] * 10) + f" {phrase} " + " ".join(["more"] * 20)
        assert any(phrase in line for line in wrap_text(text).split("\n")), (shift, phrase)


def test_lists_quotes_indented_lines_and_signatures_are_kept_as_they_are() -> None:
    kept = ["  (a) be in writing, an indented line that is long enough to be over seventy-two columns",
            "> a quoted line from the requester's own message that is longer than seventy-two columns wide",
            "- a list item that is also longer than seventy-two columns, and must not be joined with others",
            "1. a numbered item that is also longer than seventy-two columns, and must not be joined either",
            "-" * 72]
    text = "\n".join([LONG, *kept, LONG]) + "\n\nYours sincerely,\n\nInformation Rights\nCleveland Police\n"
    lines = wrap_text(text).split("\n")
    for line in kept:
        assert line in lines
    assert lines[-5:] == ["Yours sincerely,", "", "Information Rights", "Cleveland Police", ""]


def test_a_block_whose_lines_all_fit_keeps_its_line_breaks() -> None:
    text = "Dear Fred,\nEnquiry Ref: 13931/2022\nshort\n"
    assert wrap_text(text) == text


def test_welsh_with_diacritics_counts_columns_not_code_points() -> None:
    welsh = ("Diwrnod gwaith yw unrhyw ddiwrnod heblaw dydd Sadwrn, dydd Sul, neu ŵyl banc mewn unrhyw ran o'r "
             "Deyrnas Unedig; byddwn yn cysylltu â chi ar ôl i ni ei dderbyn, a siŵr y bydd yn iawn.")
    decomposed = unicodedata.normalize("NFD", welsh)
    for text in (welsh, decomposed):
        lines = wrap_text(text).split("\n")
        assert all(columns(line) <= 72 for line in lines)
        assert " ".join(lines) == text
    assert wrap_text(decomposed) == unicodedata.normalize("NFD", wrap_text(welsh))


def test_ordinal_words_quote_the_act() -> None:
    assert [ordinal_words(n) for n in (20, 21, 40, 7, 100)] == ["twentieth", "twenty-first", "fortieth", "seventh",
                                                                  "100th"]


# -- the shipped templates, rendered ------------------------------------------------------------------------------


def rendered(name: str, language: str) -> list[str]:
    templates = Templates(None, language)
    return [templates.render(name, context, max_chars=render_limit(name)).text
            for context in sample_contexts(name, SETTINGS, language)]


def paragraph_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line and not re.match(r"\s|>|-{3,}", line)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(CATALOG))
def test_every_shipped_template_fits_a_mail_client(name: str, language: str) -> None:
    for text in rendered(name, language):
        assert long_lines(text) == [], text
        if name in REPLY_TEMPLATES:  # paragraphs at 72 (an URL alone may not; ours are shorter)
            assert [line for line in paragraph_lines(text) if columns(line) > 72] == [], text


def test_templates_check_reports_no_warning_for_the_shipped_templates() -> None:
    report = check_templates(SETTINGS)
    assert report.problems == () and report.warnings == ()


def test_templates_check_warns_of_a_long_line_with_its_file_and_line(tmp_path) -> None:
    (tmp_path / "acknowledgement_foi").mkdir()
    source = (shipped_templates_dir() / "acknowledgement_foi" / "text.txt").read_text()
    long_line = "    Indented: " + "kept as it is, " * 8
    (tmp_path / "acknowledgement_foi" / "text.txt").write_text(source + "\n" + long_line + "\n")
    report = check_templates(SETTINGS, tmp_path)
    assert report.problems == ()
    found = {str(w) for w in report.warnings}
    line = len(source.split("\n")) + 1
    assert any(w.startswith(f"{tmp_path}/acknowledgement_foi/text.txt:{line}: warning: line ") for w in found), found


def test_an_admin_edit_and_inserted_values_are_wrapped_too(tmp_path) -> None:
    (tmp_path / "acknowledgement_foi").mkdir()
    (tmp_path / "acknowledgement_foi" / "text.txt").write_text(
        "Dear {{ requester_name }},\n\n" + LONG + " We quote your subject: " + "{{ subject_stem }} " * 5 + "\n")
    context = {**sample_contexts("acknowledgement_foi", SETTINGS)[0], "subject_stem": "Facial recognition " * 4}
    text = Templates(tmp_path).render("acknowledgement_foi", context).text
    assert all(columns(line) <= 72 for line in text.split("\n")), text


# -- the law ------------------------------------------------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_foi_acknowledgement_states_section_10_1_not_an_aim(language: str) -> None:
    for text in map(flat, rendered("acknowledgement_foi", language)):
        assert ("promptly and in any event not later than the twentieth working day following the date of receipt"
                in text)
        assert "aim" not in text.lower().split()
        assert "section 10(3)" in text and "public interest" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_section_8_notice_offers_advice_and_asks_for_no_reference(language: str) -> None:
    texts = rendered("section8_notice", language)
    for text in map(flat, texts):
        assert "section 16 of the Act we will give you advice and assistance" in text
        assert "enquiry reference" not in text
        if language == "cy":
            assert "cyngor a chymorth" in text and "cyfeirnod" not in text
    nameless = [flat(t) for t, c in zip(texts, sample_contexts("section8_notice", SETTINGS), strict=True)
                if c["requester_name"] is None]
    assert nameless and all("Dear Sir or Madam," in t for t in nameless)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_notice_and_the_acknowledgement_start_the_clock_the_same_day(language: str) -> None:
    start = ("Working days are counted from the first working day after the day we receive your complete request, "
             "which is day 1.")
    for name in ("section8_notice", "acknowledgement_foi", "acknowledgement_eir"):
        for text in map(flat, rendered(name, language)):
            assert start in text, name
            if language == "cy":
                assert "o'r diwrnod gwaith cyntaf ar ôl y diwrnod y daw eich cais cyflawn i law" in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["acknowledgement_foi", "acknowledgement_eir", "acknowledgement_sar",
                                  "acknowledgement_review"])
def test_a_right_of_complaint_says_how(name: str, language: str) -> None:
    for text in map(flat, rendered(name, language)):
        assert "complain to the Information Commissioner" in text
        assert "https://ico.org.uk/make-a-complaint/" in text
        if name == "acknowledgement_foi":
            assert "internal review" in text and "section 50" in text
        if name == "acknowledgement_eir":
            assert "regulation 11" in text and "within 40 working days" in text


def test_working_day_counts_come_from_the_settings() -> None:
    longer = settings_from_mapping({"mailbox": {"address": "inforights@police.example.uk"},
                                    "clock": {"working_days": 25, "eir_extension_working_days": 15}})
    templates = Templates(None)
    text = flat(templates.render("acknowledgement_eir", sample_contexts("acknowledgement_eir", longer)[0]).text)
    assert "no later than 25 working days" in text and "up to 40 working days" in text
    text = flat(templates.render("acknowledgement_foi", sample_contexts("acknowledgement_foi", longer)[0]).text)
    assert "the twenty-fifth working day" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_names_the_provision_it_relies_on(language: str) -> None:
    root = shipped_templates_dir()
    for name in REPLY_TEMPLATES:
        path = root / language / name / "text.txt" if language == "cy" else root / name / "text.txt"
        assert path.read_text().startswith("{#- Relies on: "), path


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(REPLY_TEMPLATES))
def test_the_html_part_says_what_the_text_says(name: str, language: str) -> None:
    """The HTML alternative is what most clients show: it carries the same lawful wording, not the old."""
    templates = Templates(None, language)
    for context in sample_contexts(name, SETTINGS, language):
        reply = templates.render(name, context)
        assert reply.html is not None
        html = flat(re.sub(r"<[^>]+>", "", reply.html)).replace("&ldquo;", '"').replace("&rdquo;", '"')
        text = flat(reply.text)
        assert "our aim" not in html and "Dear requester" not in html and "ymgeisydd," not in html
        for phrase in ("not later than the twentieth working day following the date of receipt",
                       "https://ico.org.uk/make-a-complaint/", "advice and assistance",
                       "first working day after the day we receive your complete request"):
            assert (phrase in html) == (phrase in text), (name, phrase)
