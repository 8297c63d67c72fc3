"""Authentication-Results headers (RFC 8601), read tolerantly: who checked the mail, and what SPF, DKIM and DMARC
said.

Only a server of the authority's own may be believed (anyone can write this header), so the reader keeps the
authserv-id and the caller decides whom to trust. authres (PyPI) parses the strict grammar, but its last release
is from 2019, it rejects Exchange Online's header (which has no authserv-id at all) and any token it does not
know loses the whole header; what we need is the method, its result and a few properties, from whatever real
gateways write. So: comments dropped, `;` outside quotes splits results, `key=value` pairs read one by one, and
nothing raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PAIR = re.compile(r'([A-Za-z0-9_.\-]+(?:/[0-9]+)?)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;"]*)')


@dataclass(frozen=True)
class AuthResult:
    """One `method=result` with its properties: `dkim=pass header.d=example.org` → ("dkim", "pass", {"header.d":
    "example.org"}); a reason is the property "reason"."""

    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)

    def get(self, *names: str) -> str:
        """The first of these properties that is present (lower case), or ""."""
        return next((self.properties[name] for name in names if self.properties.get(name)), "")


@dataclass(frozen=True)
class AuthResults:
    """One header: its authserv-id (None when the server wrote none, as Exchange Online does) and its results."""

    authserv_id: str | None
    results: tuple[AuthResult, ...] = ()

    def of(self, method: str) -> tuple[AuthResult, ...]:
        return tuple(r for r in self.results if r.method == method)


def _without_comments(value: str) -> str:
    """Drop (nested) comments outside quoted strings; keep quoted strings whole."""
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if quoted:
            quoted = char != '"'
            out.append(char)
        elif char == '"' and depth == 0:
            quoted = True
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if not depth:
                out.append(" ")
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _split(value: str) -> list[str]:
    """Split on `;` outside quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
    return value.strip().lower()


def _result(segment: str) -> AuthResult | None:
    pairs = _PAIR.findall(segment)
    if not pairs:
        return None
    (method, result), rest = pairs[0], pairs[1:]
    return AuthResult(method.split("/", 1)[0].lower(), _unquote(result),
                      {key.lower(): _unquote(value) for key, value in rest})


def parse_authentication_results(value: str) -> AuthResults:
    """Read one header's value; never raises. A first part with no `=` is the authserv-id (an optional version
    number after it is skipped)."""
    parts = _split(" ".join(_without_comments(value or "").split()))
    authserv_id = None
    if parts and "=" not in parts[0]:
        words = parts.pop(0).split()
        authserv_id = words[0].lower() if words else ""
    elif parts and _PAIR.match(parts[0]) is None:
        parts.pop(0)
    results = []
    for part in parts:
        if part.lower() == "none" or not part:
            continue
        found = _result(part)
        if found is not None:
            results.append(found)
    return AuthResults(authserv_id, tuple(results))


__all__ = ["AuthResult", "AuthResults", "parse_authentication_results"]
