"""Signing in and out, and changing one's own password.

Failed sign-ins are throttled per account and per client address, counted from the audit trail (so a restart or a
second instance does not reset them); the refusal reads the same whether the name exists or not.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailbot.store.accounts import find_user, recent_failures, record_action
from mailbot.web.context import web_context
from mailbot.web.passwords import dummy_hash, verify, weak_reason
from mailbot.web.security import checked_form, form_text, require_user

REFUSED = "That name and password do not match an active account."
THROTTLED = "Too many failed attempts: wait 15 minutes, or ask an administrator to reset your password."


def safe_next(target: str) -> str:
    """Only a path on this site: never `//elsewhere` or a full address (an open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/requests"


async def signin_page(request: Request) -> Response:
    web = web_context(request)
    return web.render(request, "signin.html", next=safe_next(request.query_params.get("next", "/requests")),
                      error=None)


async def signin(request: Request) -> Response:
    web = web_context(request)
    form = await checked_form(request)
    name, password = form_text(form, "name").strip(), form_text(form, "password")
    target = safe_next(form_text(form, "next", "/requests"))
    address = request.client.host if request.client else "unknown"
    limit = web.settings.web.signin_attempts
    with web.session() as session:
        if (recent_failures(session, account=name) >= limit
                or recent_failures(session, address=address) >= limit * 4):
            record_action(session, name[:64] or "-", "login_throttled", address=address)
            return web.render(request, "signin.html", status_code=429, next=target, error=THROTTLED)
        user = find_user(session, name) if name else None
        stored = user.password_hash if user is not None else dummy_hash(web.hasher)
        if user is None or not user.active or not verify(web.hasher, stored, password):
            record_action(session, name[:64] or "-", "login_failed", address=address)
            return web.render(request, "signin.html", status_code=401, next=target, error=REFUSED)
        user.last_login_at = datetime.now(UTC)
        record_action(session, user.name, "login", address=address)
        user_id, must_change = user.id, user.must_change_password
    request.session.clear()  # a new session on sign-in: no fixation
    request.session.update(uid=user_id, csrf=secrets.token_urlsafe(32))
    return RedirectResponse("/account/password" if must_change else target, status_code=303)


async def signout(request: Request) -> Response:
    web = web_context(request)
    await checked_form(request)
    user = require_user(request)
    with web.session() as session:
        record_action(session, user.name, "logout")
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)


async def password_page(request: Request) -> Response:
    user = require_user(request)
    return web_context(request).render(request, "password.html", error=None, forced=user.must_change_password)


async def change_password(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    form = await checked_form(request)
    current, new, again = form_text(form, "current"), form_text(form, "new"), form_text(form, "again")
    error = None
    if not verify(web.hasher, user.password_hash, current):
        error = "Your current password is not right."
    elif new != again:
        error = "The two new passwords differ."
    else:
        error = weak_reason(new, user.name)
    if error:
        return web.render(request, "password.html", status_code=400, error=error, forced=user.must_change_password)
    with web.session() as session:
        stored = find_user(session, user.name)
        if stored is not None:
            stored.password_hash = web.hasher.hash(new)
            stored.must_change_password = False
            record_action(session, user.name, "password_changed")
    return RedirectResponse("/requests", status_code=303)


ROUTES = [
    Route("/signin", signin_page, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/signout", signout, methods=["POST"]),
    Route("/account/password", password_page, methods=["GET"]),
    Route("/account/password", change_password, methods=["POST"]),
]
