"""Forged mail for the backscatter tests and benchmark: requests "from" victims who never wrote them.

Anyone can put another person's address in From:. A bot that acknowledges every request then mails that person
on the forger's behalf, echoing the forger's subject and its link: a backscatter amplifier. These builders make
that mail, with sub-addresses and letter case varied the way a forger walks around a per-address cap, and
optionally the Authentication-Results header the authority's own receiving server would add to it.
"""

from __future__ import annotations

SPAM_SUBJECT = "Claim your refund now at http://refunds.evil.example/claim?id=42 before Friday"


def victim(n: int) -> str:
    """The real mailbox of victim n."""
    return f"victim{n}@example.net"


def forged_address(n: int, copy: int) -> str:
    """The address a forger writes for victim n's copy-th message: the same mailbox every time, written with a
    different sub-address (and letter case) each time."""
    local, domain = victim(n).split("@")
    tagged = f"{local}+{copy}" if copy else local
    return f"{tagged.upper() if copy % 2 else tagged}@{domain}"


def forged_request(n: int, copy: int, *, authentication_results: str | None = None) -> bytes:
    """One valid-looking FOI request forged in victim n's name. With `authentication_results`, the header the
    authority's receiving server adds on top (a forger cannot pass the victim domain's DMARC)."""
    stamp = f"Authentication-Results: {authentication_results}\r\n" if authentication_results else ""
    return (f"{stamp}From: Vic Tim {n} <{forged_address(n, copy)}>\r\nTo: foi@council.example\r\n"
            f"Subject: {SPAM_SUBJECT}\r\nMessage-ID: <forged-{n}-{copy}@attacker.example>\r\n\r\n"
            f"Please send the 2023 budget for parks, item {copy}. Details at http://refunds.evil.example/\r\n\r\n"
            f"Yours faithfully,\r\nVictoria Timson\r\n").encode()


def flood(victims: int, per_victim: int, *, authentication_results: str | None = None) -> list[bytes]:
    """per_victim forged requests for each of `victims` victims, interleaved as a forger would send them."""
    return [forged_request(n, copy, authentication_results=authentication_results)
            for copy in range(per_victim) for n in range(victims)]
