"""Microsoft Entra ID, client credentials, through msal: a client secret or a certificate, never a password.

msal keeps its own token cache inside the application object, so the object is kept while it works and made anew
only when a fresh token is wanted (a mail server refused the cached one). Its HTTP client is a requests session
that trusts `oauth2.ca_file`, which is also how the tests point it at a token endpoint on loopback.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from mailbot.mailserver.oauth.advice import AADSTS, token_advice
from mailbot.mailserver.oauth.tokens import Token, TokenSource, expires_in

TEMPORARY = {"temporarily_unavailable", "server_error"}


def load_certificate(pem: str) -> tuple[str, str, date]:
    """From a PEM holding the private key and the certificate: the key, the certificate's SHA-1 thumbprint (what
    Entra shows) and its last valid day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise ValueError("MAILBOT_OAUTH2_CERTIFICATE holds no PEM certificate (it needs the private key and the "
                         "certificate, both in PEM)") from None
    if "PRIVATE KEY-----" not in pem:
        raise ValueError("MAILBOT_OAUTH2_CERTIFICATE holds no private key (it needs the private key and the "
                         "certificate, both in PEM)")
    return pem, certificate.fingerprint(hashes.SHA1()).hex(), certificate.not_valid_after_utc.date()  # noqa: S324


class MicrosoftTokens(TokenSource):
    provider = "microsoft"

    def __init__(self, *args: Any, certificate: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.certificate = certificate
        self._expires: date | None = None
        if certificate:
            _, _, self._expires = load_certificate(self._credential)
        self._app: Any = None

    @property
    def endpoint(self) -> str:
        return self.settings.authority_url

    def credential_expires(self) -> date | None:
        return self._expires if self.certificate else self.settings.client_secret_expires

    def _client_credential(self) -> str | dict[str, str]:
        if not self.certificate:
            return self._credential
        key, thumbprint, _ = load_certificate(self._credential)
        certificate = key[key.index("-----BEGIN CERTIFICATE-----"):] if "-----BEGIN CERTIFICATE-----" in key else ""
        return {"private_key": key, "thumbprint": thumbprint, "public_certificate": certificate}

    def _application(self, fresh: bool) -> Any:
        import msal
        import requests

        if self._app is not None and not fresh:
            return self._app
        try:
            self._app = msal.ConfidentialClientApplication(
                self.settings.client_id, client_credential=self._client_credential(),
                authority=self.settings.authority_url, http_client=self.http_session(),
                timeout=self.settings.timeout_seconds, instance_discovery=False if self.settings.authority else None)
        except requests.RequestException as exc:
            raise self.unavailable(f"{type(exc).__name__}: {exc}") from None
        except ValueError as exc:  # msal: the tenant's metadata could not be read (no such tenant, bad authority)
            said = str(exc).splitlines()[0]
            if "tenant" in said.lower() or "authority" in said.lower():
                raise self.refused(said, f"AADSTS90002: {AADSTS[90002]}") from None
            raise self.refused(said, "check oauth2.tenant_id, oauth2.authority and the certificate") from None
        return self._app

    def _fetch(self, *, fresh: bool) -> Token:
        import msal.exceptions
        import requests

        app = self._application(fresh)
        try:
            result = app.acquire_token_for_client(scopes=self.settings.scopes)
        except requests.RequestException as exc:
            raise self.unavailable(f"{type(exc).__name__}: {exc}") from None
        except msal.exceptions.MsalServiceError as exc:  # a 5xx or 429 (msal's throttling): the service, not us
            raise self.unavailable(str(exc)) from None
        if "access_token" in result:
            return Token(result["access_token"], expires_in(result.get("expires_in"), time.time()),
                         from_cache=result.get("token_source") == "cache")
        error, description = str(result.get("error", "")), str(result.get("error_description", ""))
        if error in TEMPORARY:
            raise self.unavailable(f"{error}: {description.splitlines()[0] if description else ''}")
        first = description.splitlines()[0] if description else error
        raise self.refused(first, token_advice("microsoft", error, description, result.get("error_codes")))
