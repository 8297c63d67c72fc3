"""Requests relayed by a web form: a no-reply sender whose body carries the requester's details in labelled fields.

Such a message is that person's request, not robot mail, and the reply goes to the address the form gives
(FOIA s8(1)(b) is satisfied by it). Field labels vary by form product; the common ones are recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABELS = {
    "name": r"(?:full\s+|your\s+|applicant(?:'s)?\s+|requester(?:'s)?\s+|contact\s+)?name",
    "first": r"first\s+name|forename|given\s+name",
    "last": r"last\s+name|surname|family\s+name",
    "email": r"(?:your\s+|contact\s+)?e-?mail(?:\s+address)?",
    "address": r"(?:postal\s+|correspondence\s+|your\s+)?address",
    "request": r"(?:your\s+)?(?:request|details|message|enquiry|inquiry|information\s+requested|"
               r"description|comments?|question)",
}
_FIELD = re.compile(
    r"^\s*(?P<label>" + "|".join(f"(?P<{key}>{pattern})" for key, pattern in _LABELS.items())
    + r")\s*[:=]\s*(?P<value>.*)$",
    re.I,
)
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class RelayedForm:
    name: str | None
    email: str | None
    postal_address: str | None
    request: str


def _field_key(match: re.Match[str]) -> str:
    return next(key for key in _LABELS if match.group(key))


def read_form(text: str) -> RelayedForm | None:
    """The labelled fields of a relayed form, or None when the text is not one (needs an e-mail field and a name
    or a request field)."""
    fields: dict[str, list[str]] = {}
    current: str | None = None
    loose: list[str] = []
    for line in text.splitlines():
        match = _FIELD.match(line)
        if match:
            current = _field_key(match)
            fields.setdefault(current, []).append(match.group("value").strip())
        elif current in ("request", "address") and line.strip():
            fields[current].append(line.strip())  # multi-line request text or postal address
        elif line.strip():
            current = None
            loose.append(line.strip())
        else:
            current = None if current not in ("request",) else current
    email = next((v.strip("<>") for v in fields.get("email", []) if _ADDRESS.match(v.strip("<>"))), None)
    name = " ".join(fields.get("name", [])).strip() or " ".join(
        part for part in (" ".join(fields.get("first", [])), " ".join(fields.get("last", []))) if part).strip()
    request = "\n".join(fields.get("request", [])).strip()
    if not email or not (name or request):
        return None
    return RelayedForm(name=name or None, email=email, postal_address=", ".join(fields.get("address", [])) or None,
                       request=request or "\n".join(loose))
