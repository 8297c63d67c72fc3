"""Whether the From address was authenticated, as the authority's own receiving server found it.

Anyone can write any From: — and then an acknowledgement goes to whoever was named, with the forger's words in it
(backscatter). The authority's own receiving server (Exchange Online, Gmail, a Postfix gateway with OpenDKIM and
OpenDMARC) checks SPF, DKIM and DMARC and writes an Authentication-Results header (RFC 8601) on top of the
message. That header is believed only from servers the authority names by authserv-id (`rules.
trusted_authserv_ids`), and for each method only the topmost such result: a receiving server prepends its own
above anything a forger wrote (a Postfix gateway's OpenDKIM and OpenDMARC each write one header, DMARC's on top).
Exchange Online writes no authserv-id; the name `exchange-online` trusts the topmost header when it has none.

What a forger can do with a header of their own is bounded either way: a forged pass only restores the reply the
bot would send without this check, and a forged fail only sends the mail to staff.

The verdict: DMARC pass or fail decides. Without one (no policy, a temporary error), the From domain counts as
authenticated when SPF (smtp.mailfrom) or DKIM (header.d) passes for that domain or one of its parents or
subdomains (DMARC's relaxed alignment, without the public-suffix list: siblings are not aligned, so doubt goes to
staff), or when Exchange's composite authentication passes; otherwise, when SPF or DKIM was checked, it failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailbot.mail.authresults import AuthResult, AuthResults, parse_authentication_results

EXCHANGE_ONLINE = "exchange-online"  # the trusted name for Exchange Online's header, which carries no authserv-id


@dataclass(frozen=True)
class SenderAuthentication:
    """What the trusted server found: passed (True), failed (False) or could not say (None), and why."""

    server: str
    passed: bool | None
    reason: str


def trusted_results(values: Sequence[str], trusted: Sequence[str]) -> AuthResults | None:
    """What trusted servers found (values in header order, topmost first), or None when none of them wrote here.

    Exchange Online's header counts only when it is the topmost one. Of the headers with a trusted authserv-id,
    each method's topmost results win: a forged `dmarc=pass` below the server's own `dmarc=fail` is never read.
    """
    names = {name.strip().lower() for name in trusted if name.strip()}
    if not names or not values:
        return None
    first = parse_authentication_results(values[0])
    if first.authserv_id is None and EXCHANGE_ONLINE in names:
        return first
    server: str | None = None
    seen: set[str] = set()
    results: list[AuthResult] = []
    for value in values:
        parsed = parse_authentication_results(value)
        if parsed.authserv_id is None or parsed.authserv_id not in names:
            continue
        server = server or parsed.authserv_id
        methods = {r.method for r in parsed.results}
        results += [r for r in parsed.results if r.method not in seen]
        seen |= methods
    return None if server is None else AuthResults(server, tuple(results))


def _domain(value: str) -> str:
    return value.rpartition("@")[2].strip().strip("<>").strip().lower().rstrip(".")


def aligned(one: str, other: str) -> bool:
    """Relaxed alignment without the public-suffix list: the same domain, or one a subdomain of the other."""
    one, other = _domain(one), _domain(other)
    return bool(one and other) and (one == other or one.endswith(f".{other}") or other.endswith(f".{one}"))


def _passes(results: Sequence[AuthResult], from_domain: str, *names: str) -> bool:
    return any(r.result == "pass" and aligned(r.get(*names), from_domain) for r in results)


def _listing(results: AuthResults, *methods: str) -> str:
    return ", ".join(f"{r.method}={r.result}" for r in results.results if r.method in methods) or "no results"


def authenticate(results: AuthResults, sender: str | None) -> SenderAuthentication:
    """The verdict on the From address `sender` from one trusted header (see the module's docstring)."""
    server = results.authserv_id or EXCHANGE_ONLINE
    from_domain = _domain(sender or "")
    if not from_domain:
        return SenderAuthentication(server, None, "no From address to authenticate")
    dmarc = [r for r in results.of("dmarc") if not r.get("header.from") or aligned(r.get("header.from"), from_domain)]
    if any(r.result == "pass" for r in dmarc):
        return SenderAuthentication(server, True, f"dmarc=pass for {from_domain}")
    if any(r.result == "fail" for r in dmarc):
        return SenderAuthentication(server, False, f"dmarc=fail for {from_domain} "
                                                   f"({_listing(results, 'spf', 'dkim', 'dmarc')})")
    if _passes(results.of("spf"), from_domain, "smtp.mailfrom", "smtp.helo"):
        return SenderAuthentication(server, True, f"spf=pass aligned with {from_domain}")
    if _passes(results.of("dkim"), from_domain, "header.d", "header.i"):
        return SenderAuthentication(server, True, f"dkim=pass aligned with {from_domain}")
    compauth = results.of("compauth")
    if any(r.result == "pass" for r in compauth):
        return SenderAuthentication(server, True, "Exchange composite authentication passed")
    if results.of("spf") or results.of("dkim") or any(r.result == "fail" for r in compauth):
        return SenderAuthentication(server, False, f"no DMARC verdict, and neither SPF nor DKIM passes for "
                                                   f"{from_domain} ({_listing(results, 'spf', 'dkim', 'compauth')})")
    return SenderAuthentication(server, None, "no SPF, DKIM or DMARC result")


def sender_authentication(values: Sequence[str], trusted: Sequence[str],
                          sender: str | None) -> SenderAuthentication | None:
    """The verdict of the authority's own server on this From, or None when no trusted header is there."""
    results = trusted_results(values, trusted)
    return None if results is None else authenticate(results, sender)
