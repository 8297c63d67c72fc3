"""A From display name written "Surname, Forename" without the quotes RFC 5322 asks for.

The mail layer now reads such a name whole into InboundMessage.display_name (mail.addresses.unquoted_surnames),
so every reader gets it; this is what remains of the earlier workaround here, for callers that ask of a header
whether it was written that way. The name is returned as written; names.clean_name turns it round.
"""

from __future__ import annotations

from mailbot.mail.addresses import header_addresses, unquoted_surnames


def unquoted_surname_first(raw_from: str | None) -> str | None:
    """'Surname, Forename' from an unquoted From header with one address, else None."""
    pairs = header_addresses(raw_from or "")
    if len(pairs) != 1 or pairs[0][1].lower() not in unquoted_surnames(raw_from or ""):
        return None
    return pairs[0][0] or None
