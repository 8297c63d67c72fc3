"""Any other provider: the client-credentials grant (RFC 6749 §4.4) at `oauth2.token_url`, the client's id and
secret sent by HTTP Basic authentication, as the RFC asks servers to support."""

from __future__ import annotations

import time

from mailbot.mailserver.oauth.advice import token_advice
from mailbot.mailserver.oauth.tokens import Token, TokenSource, expires_in


class GenericTokens(TokenSource):
    provider = "generic"

    def _fetch(self, *, fresh: bool) -> Token:
        import requests

        session = self.http_session()
        try:
            response = session.post(
                self.settings.token_url, timeout=self.settings.timeout_seconds,
                data={"grant_type": "client_credentials", "scope": " ".join(self.settings.scopes)},
                auth=(self.settings.client_id, self._credential))
        except requests.RequestException as exc:
            raise self.unavailable(f"{type(exc).__name__}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code == 200 and body.get("access_token"):
            return Token(str(body["access_token"]), expires_in(body.get("expires_in"), time.time()))
        if response.status_code in (400, 401, 403):
            error, description = str(body.get("error", response.status_code)), str(body.get("error_description", ""))
            raise self.refused(f"{error}: {description}" if description else error,
                               token_advice("generic", error, description))
        raise self.unavailable(f"HTTP {response.status_code}")
