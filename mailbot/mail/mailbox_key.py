"""The mailbox an address delivers to, as one key: what a cap per person must count by.

A forger walks around a per-address cap by writing the same mailbox many ways: `Victim+1@…`, `victim+2@…`,
`VICTIM@…` all land in one inbox (RFC 5233 sub-addressing; domains are case-insensitive and in practice so are
local parts). Gmail also ignores dots in the local part and treats googlemail.com as gmail.com. Folding can only
merge two real people who differ by a `+tag` (never done) or by case, so a cap counted by this key is never
looser than the mailbox it protects.
"""

from __future__ import annotations

_DOTLESS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_key(address: str) -> str:
    """`Victim+Tag@Example.NET` → `victim@example.net`; whatever is not an address comes back lower-cased."""
    address = address.strip().strip("<>").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return address
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0] or local
    if domain in _DOTLESS:
        local, domain = local.replace(".", "") or local, _DOTLESS[domain]
    return f"{local}@{domain}"


def same_mailbox(one: str | None, other: str | None) -> bool:
    """Whether two addresses deliver to one mailbox (sub-addresses and letter case folded)."""
    return bool(one and other) and mailbox_key(one or "") == mailbox_key(other or "")
