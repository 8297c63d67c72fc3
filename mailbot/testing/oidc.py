"""A real OpenID Connect provider on loopback (oidc-provider-mock, built on Authlib's server), for sign-in tests.

It publishes discovery metadata and its signing keys, registers clients (so the client secret is checked), and its
authorize endpoint signs in whichever subject the test posts, with the claims the test gave that subject: the
browser's leg of the flow is driven over real HTTP by `approve`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
import oidc_provider_mock
import werkzeug.serving

TENANT = "0e4a1c1e-89a4-4e3b-9c27-2f6b8e7d1a55"
OTHER_TENANT = "9f1d2c3b-0a4e-4b5c-8d7e-6f5a4b3c2d1e"


@dataclass
class Provider:
    url: str

    @property
    def metadata_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def register(self, redirect_uri: str) -> tuple[str, str]:
        """A client (id, secret) allowed to use `redirect_uri`."""
        answer = httpx2.post(self.url + "/oauth2/clients", json={"redirect_uris": [redirect_uri]})
        answer.raise_for_status()
        body = answer.json()
        return str(body["client_id"]), str(body["client_secret"])

    def person(self, sub: str, **claims: Any) -> None:
        """The claims the provider will put in `sub`'s ID token (tid, oid, email, preferred_username...)."""
        httpx2.put(f"{self.url}/users/{sub}", json=claims).raise_for_status()

    def approve(self, authorize_url: str, sub: str) -> str:
        """What the person's browser does at the provider: sign in as `sub`; returns the redirect back to the app."""
        answer = httpx2.post(authorize_url, data={"sub": sub}, follow_redirects=False)
        assert answer.status_code in (302, 303), answer.text[:500]
        return answer.headers["location"]


@contextmanager
def oidc_provider() -> Iterator[Provider]:
    app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


__all__ = ["OTHER_TENANT", "TENANT", "Provider", "oidc_provider"]
