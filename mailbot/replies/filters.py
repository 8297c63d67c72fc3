"""What templates may call beyond Jinja2's own filters, and the hook that refuses to print a missing value."""

from __future__ import annotations

from datetime import date, datetime

from jinja2.exceptions import TemplateRuntimeError

__all__ = ["WELSH_MONTHS", "longdate", "ordinal", "ordinal_words", "refuse_none"]

WELSH_MONTHS = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
                "Tachwedd", "Rhagfyr")


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


_UNITS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
          "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
          "nineteenth")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def ordinal_words(number: int) -> str:
    """"twentieth", as the Act words s10(1) ("the twentieth working day"), so a reply can quote the Act with the
    period from the settings; from 100 up, "100th"."""
    if not 1 <= number <= 99:
        return ordinal(number)
    if number < 20:
        return _UNITS[number]
    tens, units = divmod(number, 10)
    if units == 0:
        return _TENS[tens][:-1] + "ieth"
    return f"{_TENS[tens]}-{_UNITS[units]}"


def longdate(value: date | datetime | None, language: str = "en") -> str:
    """"13th June 2022" as the authority's letters write dates; `longdate("cy")` gives "13 Mehefin 2022".

    A missing date is an error rather than an empty string, so "we will reply by ." can never be sent.
    """
    if value is None:
        raise TemplateRuntimeError("longdate was given no date (None); guard it with {% if ... %}")
    if language == "cy":
        return f"{value.day} {WELSH_MONTHS[value.month - 1]} {value.year}"
    return f"{ordinal(value.day)} {value:%B %Y}"


def refuse_none(value: object) -> object:
    """Jinja2 finalize hook: StrictUndefined catches a misspelt name, this catches a known one that is empty."""
    if value is None:
        raise TemplateRuntimeError("printed a value that is missing (None); use {% if %} or `or` for a default")
    return value
