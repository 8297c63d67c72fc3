"""What every response and every change must carry: security headers, the signed-in person, the CSRF check.

The CSRF token lives in the signed session and travels in a hidden form field, so plain HTML forms work without
JavaScript; the Origin and Sec-Fetch-Site headers, which browsers set and pages cannot forge, are a second check.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailbot.store.models import User

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = {
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
    b"cross-origin-opener-policy": b"same-origin",
}


class SecurityHeaders:
    """Adds HEADERS to every response, and `Cache-Control: no-store` to pages (personal data stays out of caches)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in HEADERS]
                headers += list(HEADERS.items())
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token and origin are checked; 403 otherwise."""
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        raise HTTPException(403, "This form came from another site.")
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(403, "This form came from another site.")
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "This form has expired or did not come from this site: go back, reload and try again.")
    return form


class SignInRequired(Exception):
    """Raised by a view that needs a signed-in person; the app turns it into a redirect to the sign-in page."""


def current_user(request: Request) -> User | None:
    user: User | None = request.state.user if hasattr(request.state, "user") else None
    return user


def require_user(request: Request, role: str | None = None) -> User:
    """The signed-in, active person (re-read from the database on every request: deactivation takes effect at
    once); 403 when the page needs a role they do not have."""
    user = current_user(request)
    if user is None:
        raise SignInRequired
    if role == "admin" and user.role != "admin":
        raise HTTPException(403, "This page is for administrators.")
    return user


def may_see_mailbox(user: User, mailbox: str) -> bool:
    return not user.mailboxes or mailbox in user.mailboxes


def form_text(form: FormData, key: str, default: str = "") -> str:
    value: Any = form.get(key, default)
    return value if isinstance(value, str) else default


__all__ = ["CSP", "SecurityHeaders", "SignInRequired", "checked_form", "csrf_token", "current_user", "form_text",
           "may_see_mailbox", "require_user"]
