"""Sign-in with Microsoft Entra ID through OpenID Connect, when web.oidc_client_id is set.

Authlib's Starlette client does the protocol: the authorization-code flow with PKCE (S256), `state` and `nonce` kept
in the session until the callback, and the ID token's signature (the provider's published keys), issuer, audience,
nonce and expiry checked. This module adds what is ours: only the configured tenant is accepted, and the person is
identified by the `tid` + `oid` claims alone (linking.py), never by an e-mail address or user name.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.integrations.starlette_client import OAuth

from mailbot.config import ConfigError, Settings

PROVIDER = "entra"
SCOPE = "openid profile"  # `profile` makes Entra put `oid` in the ID token; no e-mail scope: we never use it
SECRET = "web_oidc_secret"  # MAILBOT_WEB_OIDC_SECRET or MAILBOT_WEB_OIDC_SECRET_FILE


def _http_errors() -> tuple[type[Exception], ...]:
    """Authlib talks to the provider with httpx2 (older releases: httpx); an unreachable provider raises either's
    HTTPError, which the views turn into a page rather than a crash."""
    found: list[type[Exception]] = []
    for name in ("httpx2", "httpx"):
        try:
            found.append(importlib.import_module(name).HTTPError)
        except ImportError:
            continue
    return tuple(found)


HTTP_ERRORS = _http_errors()


class Refused(Exception):
    """A valid ID token that still may not sign anyone in here; `reason` goes to the audit trail."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class Identity:
    tid: str
    oid: str
    username: str  # preferred_username, for the audit trail only: Microsoft lets it change, so it binds nothing


def make_client(settings: Settings) -> Any | None:
    """The registered Authlib client, or None when single sign-on is not configured."""
    web = settings.web
    if not web.oidc_enabled:
        return None
    secret = settings.secret(SECRET)
    if secret is None:
        raise ConfigError("web.oidc_client_id is set but the client secret is not: set MAILBOT_WEB_OIDC_SECRET or "
                          "MAILBOT_WEB_OIDC_SECRET_FILE (it is never read from the settings file)")
    oauth = OAuth()
    return oauth.register(PROVIDER, client_id=web.oidc_client_id, client_secret=secret.get_secret_value(),
                          server_metadata_url=web.oidc_metadata,
                          client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"})


def claims_options(settings: Settings) -> dict[str, Any]:
    """With web.oidc_issuer set, the token's `iss` must be exactly it (else Authlib checks the metadata's issuer)."""
    issuer = settings.web.oidc_issuer
    return {"claims_options": {"iss": {"essential": True, "values": [issuer]}}} if issuer else {}


def identity(claims: Mapping[str, Any], tenant: str) -> Identity:
    """The (tid, oid) of a checked ID token's claims, if the tenant is ours; Refused otherwise."""
    tid, oid = claims.get("tid"), claims.get("oid")
    if not isinstance(tid, str) or tid.lower() != tenant.lower():
        raise Refused("other_tenant", "That Microsoft account belongs to another organisation: sign in with your "
                      "account at this authority.")
    if not isinstance(oid, str) or not oid.strip():
        raise Refused("no_oid", "Microsoft did not say who you are (no object id in the sign-in): ask an "
                      "administrator to check the app registration.")
    username = claims.get("preferred_username")
    return Identity(tid=tid.lower(), oid=oid.strip().lower(),
                    username=username[:128] if isinstance(username, str) else "")


__all__ = ["HTTP_ERRORS", "PROVIDER", "SCOPE", "Identity", "Refused", "claims_options", "identity", "make_client"]
