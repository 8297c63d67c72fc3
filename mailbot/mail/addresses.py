"""Addresses from address headers, however broken: a strict structural reading first, a loose scan after."""

from __future__ import annotations

import email.utils
import itertools
import re
from email.headerregistry import Address, AddressHeader, HeaderRegistry

from mailbot.mail.headers import Headers, decode_header_value, unescape_header_bytes, unfold
from mailbot.mail.ids import ANGLE_ID
from mailbot.mail.mailparser_view import MAX_MAILPARSER_HEADER, MailParserView

__all__ = [
    "address_tuple", "header_addresses", "loose_addresses", "return_path", "sendable", "sender", "unquoted_surnames",
]

_ADDRESS_SEPARATORS = re.compile(r"[\s<>(),;:\"\[\]]+")
# What may stand in the local part of an address we send to: printable ASCII without space or angle brackets.
_LOCAL_PART = re.compile(r"[\x21-\x3b\x3d\x3f-\x7e]+")
# Longer From headers are not one person's, and email.headerregistry is slow on long hostile ones (up to ~0.5 s at
# 4 KB): the structural reading that restores names stays off them.
_MAX_FOLDED_HEADER = 1024
_REGISTRY = HeaderRegistry()


def sender(headers: Headers, view: MailParserView | None) -> tuple[str | None, str | None]:
    """(display name, address) of the first From address; None for what is missing."""
    pairs = _address_pairs(headers, view, "from")
    if not pairs:
        return None, None
    name, address = pairs[0]
    return (name or None), address


def address_tuple(headers: Headers, view: MailParserView | None, name: str) -> tuple[str, ...]:
    return tuple(address for _, address in _address_pairs(headers, view, name))


def _address_pairs(headers: Headers, view: MailParserView | None, name: str) -> list[tuple[str, str]]:
    """A strict structural reading first, a loose scan when it finds nothing in a non-empty header.

    mail-parser reads ASCII headers (nearly all of them, encoded words included); it renders raw 8-bit
    bytes as backslash escapes, so those headers go to the stdlib after our own byte decoding.
    """
    value, raw = headers.first(name), headers.first_raw(name) or ""
    if not value:
        return []
    candidates: list[tuple[str, str]]
    if view is not None and name in view.addresses and raw.isascii() and len(raw) <= MAX_MAILPARSER_HEADER:
        candidates = view.addresses[name]
    else:
        candidates = email.utils.getaddresses([unfold(unescape_header_bytes(raw))])
    return _named(candidates, raw if name == "from" else "") or loose_addresses(value)  # only From's names are read


def header_addresses(raw: str) -> list[tuple[str, str]]:
    """(display name, address) of every address in one raw header value, read as the parser reads an 8-bit one."""
    return _named(email.utils.getaddresses([unfold(unescape_header_bytes(raw))]), raw)


def _named(candidates: list[tuple[str, str]], raw: str) -> list[tuple[str, str]]:
    pairs = [(_clean_name(n), a.strip()) for n, a in candidates if _is_address(a)]
    if pairs and "," in raw:
        surnames = unquoted_surnames(raw)
        pairs = [(f"{surnames[a.lower()]}, {n}" if n and a.lower() in surnames else n, a) for n, a in pairs]
    return pairs


def unquoted_surnames(raw: str) -> dict[str, str]:
    """Address (lower case) -> the "Surname" an unquoted "Surname, Forename <address>" put before its comma.

    Address books write people as "OKAFOR, Chidi"; Outlook and some gateways send that without the quotes RFC 5322
    asks for, so every parser takes the comma for an address separator: the stdlib and mail-parser keep "Chidi"
    as the display name (a Section 8 notice would ask Chidi for a full name they gave), and "OKAFOR" becomes an
    address without a domain, dropped. email.headerregistry keeps that word whole (several words, encoded words
    decoded) as a mailbox with no domain; a nameless one straight before a named address is its surname.
    """
    text = unfold(unescape_header_bytes(raw))
    if len(text) > _MAX_FOLDED_HEADER:
        return {}
    try:
        header = _REGISTRY("from", text)
        mailboxes: tuple[Address, ...] = header.addresses if isinstance(header, AddressHeader) else ()
    except Exception:  # noqa: BLE001 - it only improves names; hostile input (nested comments: RecursionError) gives none
        return {}
    found: dict[str, str] = {}
    for fragment, mailbox in itertools.pairwise(mailboxes):
        surname = decode_header_value(fragment.username) if not fragment.domain else ""
        if (surname and not fragment.display_name and any(c.isalpha() for c in surname) and "@" not in surname
                and mailbox.domain and mailbox.display_name):
            found.setdefault(mailbox.addr_spec.lower(), surname)
    return found


def _is_address(address: object) -> bool:
    return isinstance(address, str) and "@" in address and not any(c in address for c in "<>\r\n\t ")


def _clean_name(name: object) -> str:
    """Display names may still hold quoted encoded words, which real clients decode anyway; a sender that encoded
    the quoted-string whole ('=?utf-8?b?IlPDuGxsaSwgTWFya3VzIg==?=' is '"Sølli, Markus"') meant the quotes as
    quoting, not as part of the name."""
    if not isinstance(name, str):
        return ""
    decoded = decode_header_value(name)
    if len(decoded) > 1 and decoded[0] == decoded[-1] == '"' and '"' not in decoded[1:-1]:
        return decoded[1:-1].strip()
    return decoded


def loose_addresses(value: str) -> list[tuple[str, str]]:
    """Anything shaped like local@domain, with the text before the first one as its display name.

    Split, not a regex search: "[^sep]+@[^sep]+" backtracks quadratically over long runs without "@".
    """
    found = [token for token in _ADDRESS_SEPARATORS.split(value) if _looks_like_address(token)]
    if not found:
        return []
    first_name = value[: value.find(found[0])].strip(" \t<>\"',;")
    return [(first_name if i == 0 else "", address) for i, address in enumerate(found)]


def _looks_like_address(token: str) -> bool:
    local, at, domain = token.rpartition("@")
    return bool(at and local and domain)


def return_path(headers: Headers) -> str | None:
    """None when absent; "" for the null sender "<>", which is what marks bounces and auto-replies."""
    value = headers.first("return-path")
    if value is None:
        return None
    bracketed = ANGLE_ID.search(value)
    return (bracketed.group(1) if bracketed else value).strip(" \t<>")


def sendable(address: str) -> str:
    """The address as it goes to the mail server (a Unicode domain in its IDNA form), or ValueError when it cannot go.

    We send without SMTPUTF8, so a local part must be printable ASCII; and a reading of hostile headers can yield
    something that only looks like an address (control characters, an undecodable domain). Refusing it here makes
    the message's decision fail, so the message is quarantined and staff are told, rather than a reply being queued
    that no server will take and that would stop the outbox.
    """
    local, at, domain = address.rpartition("@")
    if not (at and _LOCAL_PART.fullmatch(local) and "@" not in local and domain and len(address) <= 254):
        raise ValueError("an address that cannot be sent to (RFC 5321 with ASCII local part and one @)")
    if domain.endswith(".") and not domain.endswith(".."):
        domain = domain[:-1]  # "example.org." is the same host written fully qualified; RFC 5321 has no root dot
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError("an address whose domain has no IDNA form") from exc
    if not _LOCAL_PART.fullmatch(domain):
        raise ValueError("an address whose domain cannot be sent to")
    return f"{local}@{domain}"
