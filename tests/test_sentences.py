"""Reading mail by sentence and clause (issue 13): the splitter, greetings and closings, name statements,
sign-offs and the description count, each on its own. Pure: no servers."""

from __future__ import annotations

import pytest

from mailbot.judging.readers.courtesies import closing_rest, greeting_words, is_footer
from mailbot.judging.readers.description import description_words
from mailbot.judging.readers.sentences import clauses, lines, sentences, split_line
from mailbot.judging.readers.statements import explicit_name, name_run, one_name_declared, sign_off, statements

# -- the splitter ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line,expected", [
    ("How many officers? Thanks, Bob Jones", ["How many officers?", "Thanks, Bob Jones"]),
    ("Kind regards, Dr. A. Smith", ["Kind regards, Dr. A. Smith"]),
    ("Please send the data, e.g. the 2023 figures. Thanks.", ["Please send the data, e.g. the 2023 figures.",
                                                               "Thanks."]),
    ("I live on St. Mary's Road. Please send it!", ["I live on St. Mary's Road.", "Please send it!"]),
    ("what is the budget? thanks", ["what is the budget?", "thanks"]),
    ("Mr. J. R. Hartley wrote this. And this.", ["Mr. J. R. Hartley wrote this.", "And this."]),
    ("no punctuation at all just words", ["no punctuation at all just words"]),
    ("Send it... if you can", ["Send it...", "if you can"]),
])
def test_split_line(line: str, expected: list[str]) -> None:
    assert split_line(line) == expected


def test_hard_wrapped_lines_are_joined_and_signature_lines_are_not() -> None:
    text = ("Please could you send me the number of officers employed by the\nforce in 2023, broken down by rank.\n"
            "\nRegards\nBob Jones")
    assert lines(text) == ["Please could you send me the number of officers employed by the force in 2023, "
                           "broken down by rank.", "", "Regards", "Bob Jones"]


def test_sentences_carry_their_line_and_whether_they_end_it() -> None:
    found = sentences("Hello. How many?\nThanks")
    assert [(s.text, s.line, s.last_on_line) for s in found] == [
        ("Hello.", 0, False), ("How many?", 0, True), ("Thanks", 1, True)]


@pytest.mark.parametrize("sentence,expected", [
    ("Hello, how many officers are there?", ["Hello", "how many officers are there?"]),
    ("Cheers – Bob", ["Cheers", "Bob"]),
    ("Thanks; Jo Bloggs", ["Thanks", "Jo Bloggs"]),
    ("Bob Jones | Policy Officer | Acme Ltd", ["Bob Jones", "Policy Officer", "Acme Ltd"]),
    ("a well-known cost (2023) figure", ["a well-known cost", "2023", "figure"]),
])
def test_clauses(sentence: str, expected: list[str]) -> None:
    assert clauses(sentence) == expected


# -- greetings, closings, footers -------------------------------------------------------------------------------

@pytest.mark.parametrize("clause,count", [
    ("Hello", 1), ("Dear Sir/Madam", 2), ("Dear Sir or Madam", 4), ("Hi team", 2), ("Good morning", 2),
    ("To whom it may concern", 5), ("hi please send the budget", 1), ("Dear Sir or Madam I would like x", 4),
    ("Dear Information Rights Team", 4), ("Please send the budget", 0), ("Hiring figures for 2023", 0),
    ("Hello Cleveland Police", 3), ("hey how many", 1),
])
def test_greeting_words(clause: str, count: int) -> None:
    assert greeting_words(clause) == count


@pytest.mark.parametrize("clause,rest", [
    ("Yours faithfully", ""), ("Kind regards", ""), ("Many thanks!", ""), ("thanks in advance", ""),
    ("Thank you for your help", ""), ("Thanks Bob Jones", "Bob Jones"), ("Cheers Bob", "Bob"),
    ("Best wishes", ""), ("Please send the budget", None), ("Thankfully nothing happened", None),
    ("I look forward to hearing from you", ""),
])
def test_closing_rest(clause: str, rest: str | None) -> None:
    assert closing_rest(clause) == rest


@pytest.mark.parametrize("line,footer", [
    ("Sent from my iPhone", True), ("Sent from my Samsung Galaxy smartphone.", True), ("Get Outlook for iOS", True),
    ("Sent from Mail for Windows", True), ("--", True), ("Bob Jones", False), ("Sent the form yesterday", False),
])
def test_footers(line: str, footer: bool) -> None:
    assert is_footer(line) is footer


# -- name statements and sign-offs ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,name", [
    ("My name is Bob Jones and I would like the number of 999 calls in 2023", "Bob Jones"),
    ("Hello, my name is Siobhán Ní Bhriain, I live in Leeds.", "Siobhán Ní Bhriain"),
    ("my full name is fred wright", "fred wright"),
    ("Name: Jo Bloggs", "Jo Bloggs"),
    ("Full name - Priya Patel", "Priya Patel"),
    ("My name's Jan van der Berg.", "Jan van der Berg"),
    ("Hi, I am Sarah Khan and I work in Leeds.", "Sarah Khan"),
    ("I'm Dr. A. Smith, a researcher.", "Dr. A. Smith"),
    ("Hi, this is Tom Baker from the Echo.", "Tom Baker"),
    ("Bob Jones here. Please send it.", "Bob Jones"),
    ("I am writing to request the budget.", None),
    ("I am a concerned resident of Leeds.", None),
    ("This is a request for the 2023 budget.", None),
    ("I'm Bob.", None),
    ("I am called Ayşe Yılmaz.", "Ayşe Yılmaz"),
])
def test_name_statements(text: str, name: str | None) -> None:
    assert explicit_name(text) == name


def test_a_statement_records_where_it_stops() -> None:
    ((sentence, statement),) = statements("My name is Bob Jones and I would like the 999 figures.")
    start, end = statement.span
    assert sentence.text[end:].strip() == "and I would like the 999 figures."
    assert statement.explicit and start == 0


@pytest.mark.parametrize("text,expected", [
    ("Bob Jones and I", ("Bob Jones", 9)), ("J. R. Hartley, who", ("J. R. Hartley", 14)),
    ("A. Smith.", ("A. Smith", 9)), ("the budget", ("", 0)),
])
def test_name_run(text: str, expected: tuple[str, int]) -> None:
    assert name_run(text, lowercase_ok=False, allow_lower=False) == expected


@pytest.mark.parametrize("text,name", [
    ("How many officers? Thanks, Bob Jones", "Bob Jones"),
    ("Please send it.\n\nRegards\nBob Jones", "Bob Jones"),
    ("Please send it.\n\nKind regards, Dr. A. Smith", "Dr. A. Smith"),
    ("How many staff? Cheers – Bob", "Bob"),
    ("Please send it.\n\nYours faithfully,\n\nJo Bloggs\nPolicy Officer\nTel: 01632 960123", "Jo Bloggs"),
    ("please send it thanks bob jones", "bob jones"),
    ("Please send it.\n\nThanks\n\nSent from my iPhone", None),
    ("Thanks, I would like the budget.", None),
    ("Please send it.\n\nThanks, have a nice day", None),
    ("Best value contracts awarded in 2022 please.", None),
    ("Please send it.\nMany thanks\nJo Bloggs\n\nThanks again,\nMary Smith", "Mary Smith"),
])
def test_sign_off(text: str, name: str | None) -> None:
    assert sign_off(text) == name


@pytest.mark.parametrize("text,declared", [
    ("Teller is my full name - I have only one name.", True), ("I only have one name.", True),
    ("I am known by a single name.", True), ("I am mononymous.", True), ("That is my full name.", True),
    ("I don't have a surname.", True), ("My name is Fred.", False), ("Please send one name list.", False),
])
def test_one_name_declared(text: str, declared: bool) -> None:
    assert one_name_declared(text) is declared


# -- the description count --------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,at_least", [
    ("Hello, how many officers does the force employ, broken down by rank? Thanks, Bob Jones", 8),
    ("Hi, please send me your policy on body-worn cameras", 7),
    ("My name is Bob Jones and I would like the number of 999 calls in 2023", 8),
    ("Dear Sir/Madam I would like the gritting budget", 5),
])
def test_requests_are_counted(body: str, at_least: int) -> None:
    assert description_words(body) >= at_least


@pytest.mark.parametrize("body", [
    "Hello", "Dear Sir/Madam,\n\nYours faithfully,\nJo Bloggs", "Hi,\n\nThanks,\nJane Smith\nPolicy Officer\nAcme Ltd",
    "Good afternoon\n\nSent from my iPhone", "Dear FOI team,\n\nMy name is Jane Smith.\n\nKind regards\nJane Smith",
    "Hello team,\nThanks, Bob Jones", "Fred",
])
def test_courtesy_alone_counts_nothing(body: str) -> None:
    assert description_words(body) < 3


def test_the_name_in_a_statement_is_not_counted_but_the_request_is() -> None:
    assert description_words("My name is Bob Jones and I would like x") == description_words("and I would like x")


def test_prose_after_a_closing_is_counted() -> None:
    body = "Thanks.\n\nCould you also send the 2022 figures for the road safety camera partnership?"
    assert description_words(body) >= 10


def test_only_lines_of_a_wrapping_width_are_joined() -> None:
    unwrapped = "can you plese send me the numbr of complants about anti social behaviour on the high st"
    assert lines(f"{unwrapped}\nthanx\nmary o'brien") == [unwrapped, "thanx", "mary o'brien"]
    wrapped = "Please could you send me the number of officers employed by the"
    assert lines(f"{wrapped}\nforce in 2023\nthanks") == [f"{wrapped} force in 2023", "thanks"]
