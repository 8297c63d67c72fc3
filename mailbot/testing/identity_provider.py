"""A token issuer and introspection server on loopback, for tests of OAuth mailbox logins against real servers.

It plays the parts the real providers play, over real HTTP, so that msal, google-auth and the generic client run
their own code paths:
  * Microsoft Entra ID: `/<tenant>/v2.0/.well-known/openid-configuration` and `/<tenant>/oauth2/v2.0/token`
    (client credentials with a client secret or a certificate's signed assertion), answering refusals with AADSTS
    codes as Entra does; HTTPS, because msal accepts nothing else (trust `cafile`);
  * Google: `/google/token`, the JWT-bearer grant signed by a service-account key, for the delegated `sub`;
  * a generic token endpoint: `/token`, client credentials by HTTP Basic;
  * RFC 7662 introspection on plain HTTP (`introspection_url`) for Dovecot's oauth2 password database and for the
    test SMTP server: a token is active while it has not expired nor been revoked, and names the mailbox it was
    issued for (the client's grant: what Add-MailboxPermission or delegation gives).
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
from base64 import b64decode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from mailbot.testing.keys import KeyPair, key_pair

TENANT = "0e4a1c1e-89a4-4e3b-9c27-2f6b8e7d1a55"
CLIENT_ID = "5f1c3a2b-7d8e-4f90-a1b2-c3d4e5f6a7b8"


@dataclass
class Issued:
    subject: str
    expires_at: float
    revoked: bool = False


@dataclass
class Client:
    """An app registration (or service account): what it authenticates with and which mailbox it may use."""

    client_id: str
    mailbox: str
    secret: str | None = None
    certificate: KeyPair | None = None
    public_key: Any = None  # a service account's (Google)
    delegated: bool = True  # Google: domain-wide delegation set up for the scope


@dataclass
class Refusal:
    status: int
    body: dict[str, Any]


@dataclass
class IdentityProvider:
    """Start with `with IdentityProvider() as idp:`; register clients, then point the bot at `authority`,
    `token_url` or a service-account key whose token_uri is `google_token_url`."""

    lifetime: int = 3600
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, Issued] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)  # answered, in order, to the next token requests
    down: bool = False  # token requests answered 503
    tls: KeyPair | None = None
    cafile: Path | None = None
    _servers: list[ThreadingHTTPServer] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- set-up ------------------------------------------------------------------------------------------

    def register(self, client_id: str, mailbox: str, **kwargs: Any) -> Client:
        client = Client(client_id, mailbox, **kwargs)
        self.clients[client_id] = client
        return client

    def refuse_next(self, status: int, error: str, description: str, codes: list[int] | None = None) -> None:
        body: dict[str, Any] = {"error": error, "error_description": description}
        if codes:
            body["error_codes"] = codes
        self.refusals.append(Refusal(status, body))

    def issue(self, subject: str, lifetime: int | None = None) -> str:
        """A token as the endpoint would issue it (for tests that need one without a client)."""
        value = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[value] = Issued(subject, time.time() + (self.lifetime if lifetime is None else lifetime))
        return value

    def reset(self) -> None:
        """Forget every client, token and scripted answer (a provider shared by a test session)."""
        with self._lock:
            self.clients.clear()
            self.tokens.clear()
            self.requests.clear()
            self.refusals.clear()
            self.down = False
            self.lifetime = 3600

    def accepts(self, user: str, token: str) -> bool:
        """What a mail server asks: is this token active, and for this mailbox?"""
        issued = self.active(token)
        return issued is not None and issued.subject.lower() == user.lower()

    def revoke_all(self) -> None:
        with self._lock:
            for issued in self.tokens.values():
                issued.revoked = True

    def expire_all(self) -> None:
        with self._lock:
            for issued in self.tokens.values():
                issued.expires_at = time.time() - 1

    def active(self, token: str) -> Issued | None:
        with self._lock:
            issued = self.tokens.get(token)
        if issued is None or issued.revoked or issued.expires_at <= time.time():
            return None
        return issued

    # -- addresses ---------------------------------------------------------------------------------------

    @property
    def https_base(self) -> str:
        return f"https://127.0.0.1:{self._servers[0].server_address[1]}"

    @property
    def introspection_url(self) -> str:
        return f"http://127.0.0.1:{self._servers[1].server_address[1]}/introspect"

    @property
    def authority(self) -> str:
        return f"{self.https_base}/{TENANT}"

    @property
    def token_url(self) -> str:
        return f"{self.https_base}/token"

    @property
    def google_token_url(self) -> str:
        return f"{self.https_base}/google/token"

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self, directory: Path) -> IdentityProvider:
        self.tls = key_pair()
        self.cafile = directory / "idp-ca.pem"
        self.cafile.write_text(self.tls.certificate_pem)
        keyfile = directory / "idp-key.pem"
        keyfile.write_text(self.tls.private_pem)
        keyfile.chmod(0o600)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cafile, keyfile)
        handler = _handler(self)
        https = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        https.socket = context.wrap_socket(https.socket, server_side=True)
        plain = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._servers = [https, plain]
        for server in self._servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    # -- the endpoints -----------------------------------------------------------------------------------

    def metadata(self, tenant: str) -> dict[str, Any]:
        base = f"{self.https_base}/{tenant}"
        return {"issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode"}

    def token_request(self, path: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.requests.append(path)
        if self.down:
            return 503, {"error": "temporarily_unavailable", "error_description": "try again later"}
        if self.refusals:
            refusal = self.refusals.pop(0)
            return refusal.status, refusal.body
        if path == "/google/token":
            return self._google(form)
        if path == "/token":
            user, _, password = b64decode(headers.get("authorization", "Basic ").split(" ", 1)[1] or b"").decode(
                errors="replace").partition(":")
            client = self.clients.get(user)
            if client is None or client.secret != password:
                return 401, {"error": "invalid_client", "error_description": "client authentication failed"}
            return self._token(client.mailbox)
        return self._entra(path, form)

    def _token(self, subject: str) -> tuple[int, dict[str, Any]]:
        return 200, {"token_type": "Bearer", "expires_in": self.lifetime, "ext_expires_in": self.lifetime,
                     "access_token": self.issue(subject)}

    def _entra(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        tenant = path.strip("/").split("/")[0]
        if tenant != TENANT:
            return 400, _aadsts(90002, "invalid_request", f"Tenant '{tenant}' not found.")
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            return 400, _aadsts(700016, "unauthorized_client", f"Application with identifier "
                                f"'{form.get('client_id')}' was not found in the directory.")
        if form.get("scope") != "https://outlook.office365.com/.default":
            return 400, _aadsts(1002012, "invalid_scope", f"The provided value for scope {form.get('scope')} is "
                                "not valid.")
        if "client_assertion" in form:
            if client.certificate is None:
                return 401, _aadsts(700027, "invalid_client", "Client assertion failed signature validation.")
            try:
                jwt.decode(form["client_assertion"], client.certificate.public_key(),  # type: ignore[arg-type]
                           algorithms=["RS256", "PS256"], options={"verify_aud": False})
            except jwt.PyJWTError:
                return 401, _aadsts(700027, "invalid_client", "Client assertion failed signature validation.")
        elif form.get("client_secret") != client.secret or client.secret is None:
            return 401, _aadsts(7000215, "invalid_client", "Invalid client secret provided. Ensure the secret "
                                "being sent in the request is the client secret value, not the client secret ID.")
        return self._token(client.mailbox)

    def _google(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        assertion = form.get("assertion", "")
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT"}
        client = self.clients.get(str(unverified.get("iss")))
        if client is None or client.public_key is None:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        try:
            claims = jwt.decode(assertion, client.public_key, algorithms=["RS256"], options={"verify_aud": False})
        except jwt.PyJWTError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if not client.delegated or claims.get("scope") != "https://mail.google.com/":
            return 401, {"error": "unauthorized_client", "error_description": "Client is unauthorized to retrieve "
                         "access tokens using this method, or client not authorized for any of the scopes "
                         "requested."}
        if claims.get("sub") != client.mailbox:
            return 400, {"error": "invalid_grant", "error_description": "Invalid email or User ID"}
        return self._token(str(claims["sub"]))

    def introspect(self, form: dict[str, str]) -> dict[str, Any]:
        issued = self.active(form.get("token", ""))
        if issued is None:
            return {"active": False}
        return {"active": True, "username": issued.subject, "exp": int(issued.expires_at)}

    def __enter__(self) -> IdentityProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _aadsts(code: int, error: str, text: str) -> dict[str, Any]:
    return {"error": error, "error_description": f"AADSTS{code}: {text} Trace ID: 00000000 Correlation ID: 0",
            "error_codes": [code], "timestamp": "2026-12-07 05:00:00Z"}


def _handler(idp: IdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = urlsplit(self.path).path
            idp.requests.append(path)
            if path.endswith("/.well-known/openid-configuration"):
                tenant = path.strip("/").split("/")[0]
                if tenant != TENANT:
                    self._answer(400, _aadsts(90002, "invalid_tenant", f"Tenant '{tenant}' not found."))
                    return
                self._answer(200, idp.metadata(tenant))
                return
            self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            path = urlsplit(self.path).path
            if path == "/introspect":
                self._answer(200, idp.introspect(form))
                return
            status, body = idp.token_request(path, form, {k.lower(): v for k, v in self.headers.items()})
            self._answer(status, body)

    return Handler


@contextmanager
def identity_provider(directory: Path) -> Iterator[IdentityProvider]:
    idp = IdentityProvider().start(directory)
    try:
        yield idp
    finally:
        idp.stop()
