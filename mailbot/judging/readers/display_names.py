"""A From display name written "Surname, Forename" without the quotes RFC 5322 asks for.

Address books write people as "OKAFOR, Chidi" or "Nowak, Piotr (Finance)"; a client that sends that unquoted
makes the comma an address separator, so a strict parser keeps only "Chidi" as the display name, and a Section 8
notice would ask "Chidi" for a full name they gave. The raw header still says it: one comma, no quotes, no "@"
before the one angle-bracketed address. The name is returned as written; names.clean_name turns it round.
"""

from __future__ import annotations

import re

_UNQUOTED = re.compile(r'^\s*(?P<surname>[^",;<>@\s][^",;<>@]*?),\s*(?P<given>[^",;<>@]+?)\s*<[^<>@\s]+@[^<>\s]+>\s*$')


def unquoted_surname_first(raw_from: str | None) -> str | None:
    """'Surname, Forename' from an unquoted From header with one address, else None."""
    match = _UNQUOTED.match(" ".join((raw_from or "").split()))
    return f"{match.group('surname').strip()}, {match.group('given').strip()}" if match else None
