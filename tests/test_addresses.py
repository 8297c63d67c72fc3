"""Sender addresses and display names as real mail writes them (mailbot.mail.addresses through parse_message).

Each shape here is one that clients, gateways or list servers send; the reading must give every later step the
person's whole name and the one address a reply can go to, or nothing, never a fragment.
"""

from __future__ import annotations

import pytest

from mailbot.mail.addresses import sendable, unquoted_surnames
from mailbot.mail.parse import parse_message


def message(from_value: str, *extra: str) -> bytes:
    lines = [f"From: {from_value}", *extra, "To: foi@council.example.gov.uk", "Subject: x", "", "body", ""]
    return "\n".join(lines).encode("utf-8")


def read(from_value: str, *extra: str) -> tuple[str | None, str | None]:
    parsed = parse_message(message(from_value, *extra))
    return parsed.display_name, parsed.sender


@pytest.mark.parametrize(
    ("written", "name", "address"),
    [
        ("OKAFOR, Chidi <chidi@example.org>", "OKAFOR, Chidi", "chidi@example.org"),
        ("Nowak, Piotr (Finance) <p.nowak@example.org>", "Nowak, Piotr (Finance)", "p.nowak@example.org"),
        ("van der Berg, Jan <jan@example.nl>", "van der Berg, Jan", "jan@example.nl"),
        ("Smith, J. <js@example.org>", "Smith, J.", "js@example.org"),
        ("O'Neil, Mary-Ann <m@example.ie>", "O'Neil, Mary-Ann", "m@example.ie"),
        ("Ann Lee, MBE <ann@example.org>", "Ann Lee, MBE", "ann@example.org"),  # names.clean_name drops "MBE"
        ("=?utf-8?q?M=C3=9CLLER?=, Hans <h@example.de>", "MÜLLER, Hans", "h@example.de"),
        ("MÜLLER, Hans <h@example.de>", "MÜLLER, Hans", "h@example.de"),  # raw 8-bit: the stdlib path
        ("OKAFOR,\n Chidi <chidi@example.org>", "OKAFOR, Chidi", "chidi@example.org"),  # folded
    ],
)
def test_unquoted_surname_comma_forename_keeps_the_whole_name(written: str, name: str, address: str) -> None:
    """RFC 5322 wants the quotes; Outlook and some gateways leave them out, and the comma then splits the name."""
    assert read(written) == (name, address)


def test_an_unquoted_comma_never_changes_which_addresses_are_read() -> None:
    parsed = parse_message(message("Lee, Ann <a@example.org>", "Cc: Roe, Bob <b@example.org>, c@example.org"))
    assert (parsed.display_name, parsed.sender, parsed.cc) == ("Lee, Ann", "a@example.org",
                                                               ("b@example.org", "c@example.org"))


@pytest.mark.parametrize(
    "written",
    ["Ann Lee <a@example.org>, Bob Roe <b@example.org>", "foi, request-1@example.org",
     '"Marsh, Dr Helen" <h.marsh@example.ac.uk>', "Undisclosed recipients:;"],
)
def test_what_is_not_a_split_name_is_left_alone(written: str) -> None:
    """Two named addresses, a word before a nameless address, a quoted name: no surname is taken from them."""
    assert unquoted_surnames(written) == {}


def test_quoted_name_with_a_comma() -> None:
    assert read('"Marsh, Dr Helen" <h.marsh@example.ac.uk>') == ("Marsh, Dr Helen", "h.marsh@example.ac.uk")


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("=?utf-8?q?Dubois=2C_Marie?= <marie@example.fr>", "Dubois, Marie"),  # a comma inside the encoded word
        ("=?utf-8?b?IlPDuGxsaSwgTWFya3VzIg==?= <m@example.no>", "Sølli, Markus"),  # the quoted-string encoded whole
        ('=?utf-8?q?Anna_=22Ania=22_Kowalska?= <ak@example.pl>', 'Anna "Ania" Kowalska'),  # quotes inside
        ('"=?utf-8?q?J=C3=BCrgen_M=C3=BCller?=" <jm@example.de>', "Jürgen Müller"),  # quoted, as clients still do
        ("=?utf-8?b?SsO8cmdlbiBN?= =?utf-8?b?w7xsbGVy?= <jm@example.de>", "Jürgen Müller"),  # split between words
        ("=?utf-8?b?SsO=?= =?utf-8?b?vHJnZW4=?= <jm@example.de>", "Jürgen"),  # split inside a character
        ("=?iso-8859-1?q?Fran=E7ois?= Martin <fm@example.fr>", "François Martin"),  # encoded and plain words
    ],
)
def test_encoded_word_display_names(written: str, name: str) -> None:
    assert read(written)[0] == name


@pytest.mark.parametrize(
    ("written", "name", "address"),
    [
        ('"Jane Doe" <jane@example.org>', "Jane Doe", "jane@example.org"),
        ("jane@example.org (Jane Doe)", "Jane Doe", "jane@example.org"),  # the old comment form
        ("jane@example.org", None, "jane@example.org"),
        ("<jane@example.org>", None, "jane@example.org"),
        ("Jane Doe < jane@example.org >", "Jane Doe", "jane@example.org"),
        ("Jane <@relay.example.net,@b.example:jane@example.org>", "Jane", "jane@example.org"),  # obsolete route
    ],
)
def test_address_forms(written: str, name: str | None, address: str) -> None:
    assert read(written) == (name, address)


def test_idn_domain_is_kept_as_written_and_sent_in_its_ascii_form() -> None:
    assert read("Jörg <jorg@bücher.example>") == ("Jörg", "jorg@bücher.example")
    assert sendable("jorg@bücher.example") == "jorg@xn--bcher-kva.example"


def test_utf8_local_part_is_read_but_not_sent() -> None:
    """RFC 6532 allows it; we send without SMTPUTF8, so the reply goes to staff instead of stopping the outbox."""
    assert read("Jörg <jörg@example.de>") == ("Jörg", "jörg@example.de")
    with pytest.raises(ValueError, match="ASCII local part"):
        sendable("jörg@example.de")


def test_group_syntax() -> None:
    assert read("Undisclosed recipients:;") == (None, None)
    parsed = parse_message(message("FOI team: a@example.org, b@example.org;"))
    assert parsed.sender == "a@example.org"


def test_several_from_addresses_with_sender() -> None:
    """RFC 5322 allows several authors when Sender names the one who sent it; the reply goes to the first author."""
    parsed = parse_message(message("Ann Lee <a@example.org>, Bob Roe <b@example.org>",
                                   "Sender: Ann Lee <a@example.org>"))
    assert (parsed.display_name, parsed.sender, parsed.correspondence_address) == ("Ann Lee", "a@example.org",
                                                                                   "a@example.org")


def test_reply_to_differing_from_from_is_where_the_reply_goes() -> None:
    parsed = parse_message(message("OKAFOR, Chidi <chidi@work.example>", "Reply-To: Chidi <chidi@home.example>"))
    assert (parsed.display_name, parsed.sender) == ("OKAFOR, Chidi", "chidi@work.example")
    assert parsed.correspondence_address == "chidi@home.example"


@pytest.mark.parametrize(
    ("written", "address", "sent"),
    [
        ("Jane <jane.@example.org>", "jane.@example.org", "jane.@example.org"),  # obs-local-part: servers take it
        ("Jane <jane@example.org.>", "jane@example.org.", "jane@example.org"),  # the root dot is not sent
    ],
)
def test_trailing_dots(written: str, address: str, sent: str) -> None:
    assert read(written) == ("Jane", address)
    assert sendable(address) == sent


@pytest.mark.parametrize("written", ["Jane <jane@@example.org>", "jane@example.org@example.net"])
def test_a_doubled_at_is_read_as_written_and_never_sent(written: str) -> None:
    """A typo no server will deliver: refusing it sends the message to staff instead of queueing a dead reply."""
    address = read(written)[1]
    assert address is not None and address.count("@") == 2
    with pytest.raises(ValueError, match="one @"):
        sendable(address)


def test_a_long_hostile_header_is_not_read_structurally_twice() -> None:
    header = ", ".join(f"w{i}" for i in range(5000)) + ", Jane <jane@example.org>"
    assert unquoted_surnames(header) == {}
    assert read(header)[1] == "jane@example.org"


@pytest.mark.parametrize("header", ["(" * 4000 + ", J <j@example.org>", '"' * 4000 + ",", "\\" * 2000 + ",",
                                    "<" * 4000 + ",", "@," * 2000, ":" * 2000 + ",", "[," * 2000, '"a,' * 1300])
def test_hostile_headers_give_no_surname_and_no_error(header: str) -> None:
    """email.headerregistry recurses once per nested comment: a RecursionError is no name, not a crash."""
    assert unquoted_surnames(header) == {}
    parse_message(message(header))
