"""Google Workspace: a service account with domain-wide delegation, through google-auth.

The key file (JSON) says where its tokens come from (`token_uri`): Google's endpoint in production, a loopback one
in the tests. The token is asked for on behalf of the mailbox (`subject`), which is what delegation allows.
"""

from __future__ import annotations

import json
from typing import Any

from mailbot.mailserver.oauth.advice import token_advice
from mailbot.mailserver.oauth.tokens import Token, TokenSource, utc_timestamp


def service_account_info(text: str) -> dict[str, Any]:
    try:
        info = json.loads(text)
    except ValueError:
        raise ValueError("MAILBOT_OAUTH2_SERVICE_ACCOUNT is not the service account's JSON key file") from None
    if not isinstance(info, dict) or info.get("type") != "service_account" or "private_key" not in info:
        raise ValueError("MAILBOT_OAUTH2_SERVICE_ACCOUNT is not a service-account key (\"type\": \"service_account\" "
                         "with a private_key); download a JSON key for the service account")
    return info


class GoogleTokens(TokenSource):
    provider = "google"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.info = service_account_info(self._credential)

    @property
    def endpoint(self) -> str:
        return str(self.info.get("token_uri") or "https://oauth2.googleapis.com/token")

    def refused(self, detail: str, advice: str) -> Any:
        error = super().refused(detail, advice)
        return type(error)(str(error).replace(f"client {self.settings.client_id or '-'}",
                                              f"service account {self.info.get('client_email', '-')}"))

    def _fetch(self, *, fresh: bool) -> Token:
        import google.auth.exceptions
        import google.auth.transport.requests
        from google.oauth2 import service_account

        credentials = service_account.Credentials.from_service_account_info(
            self.info, scopes=self.settings.scopes, subject=self.subject)
        request = google.auth.transport.requests.Request(self.http_session())
        try:
            credentials.refresh(request)
        except google.auth.exceptions.RefreshError as exc:
            data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
            error, description = str(data.get("error", "")), str(data.get("error_description", exc.args[0]))
            if getattr(exc, "retryable", False):
                raise self.unavailable(f"{error}: {description}") from None
            raise self.refused(f"{error}: {description}" if error else description,
                               token_advice("google", error, description)) from None
        except google.auth.exceptions.TransportError as exc:
            raise self.unavailable(f"{type(exc).__name__}: {exc}") from None
        if credentials.token is None or credentials.expiry is None:
            raise self.unavailable("no access token in the answer")
        return Token(credentials.token, utc_timestamp(credentials.expiry))
