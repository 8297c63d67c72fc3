"""The settings file checked against the settings' declared types in TOML's own words, before pydantic sees it.

pydantic's lax mode would turn `poll_seconds = "60"` into 60, `verify_certificates = "no"` into False and
`port = 993.0` into 993: a file that says something else than what runs. Here each value must already be of the
TOML type its key declares (an integer where a float is declared is fine: TOML writes 30 for 30.0), every problem
is found in one pass, and a near-miss key is answered with the key it probably meant.
"""

from __future__ import annotations

import types
from datetime import date, datetime, time
from difflib import get_close_matches
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

_TOML_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"), (list, "array"), (tuple, "array"),
    (dict, "table"), (datetime, "date-time"), (date, "date"), (time, "time"),
)


def toml_name(value: object) -> str:
    """What TOML calls the type of a parsed value (bool before int: True is an int to Python)."""
    for kind, name in _TOML_NAMES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _expected(annotation: Any) -> str | None:
    """The one TOML type a field takes, or None where it takes several (then pydantic's own check stands)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return None
    if origin is Literal:
        kinds = {toml_name(arg) for arg in get_args(annotation)}
        return kinds.pop() if len(kinds) == 1 else None
    if origin in (tuple, list, frozenset, set):
        return "array"
    if origin is dict or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return "table"
    for kind, name in _TOML_NAMES:
        if annotation is kind:
            return name
    return None


def _fits(value: object, expected: str) -> bool:
    found = toml_name(value)
    return found == expected or (expected == "float" and found == "integer")


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


def type_problems(model: type[BaseModel], data: dict[str, Any], prefix: str = "") -> list[str]:
    """Every unknown key (with a suggestion) and every value of the wrong TOML type in `data`, one line each."""
    problems = []
    fields = model.model_fields
    for key, value in data.items():
        where = f"{prefix}{key}"
        field = fields.get(key)
        if field is None:
            guess = get_close_matches(key, list(fields), n=1, cutoff=0.6)
            problems.append(f"{where}: unknown key" + (f"; did you mean {guess[0]}?" if guess else
                                                       " (see `mailbot config example` for every key)"))
            continue
        expected = _expected(field.annotation)
        if expected is not None and not _fits(value, expected):
            found = toml_name(value)
            problems.append(f"{where}: must be {article_for(expected)} {expected}, not {article_for(found)} "
                            f"{found} ({_shown(value)})")
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
            problems += type_problems(annotation, value, where + ".")
    return problems


def article_for(name: str) -> str:
    return "an" if name[0] in "aeiou" else "a"
