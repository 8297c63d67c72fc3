"""`/signin/oidc` and its callback: sign-in with Microsoft, bound to an account by tid + oid (web/oidc.py).

A refusal is recorded in the audit trail as `login_failed` (with the tid and oid, so an administrator can link the
account), and the page says what to do. Success is handled as a password sign-in is: a new session, a new CSRF token.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.starlette_client import OAuthError
from joserfc.errors import JoseError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailbot.store.accounts import record_action
from mailbot.web.context import web_context
from mailbot.web.linking import find_linked
from mailbot.web.oidc import HTTP_ERRORS, Refused, claims_options, identity
from mailbot.web.views.signin import safe_next

log = logging.getLogger(__name__)

UNREACHABLE = "Microsoft sign-in cannot be reached just now: try again in a minute, or sign in with your password."
EXPIRED = "That sign-in did not start here or has expired: start again with “Sign in with Microsoft”."
FAILED = "Microsoft did not confirm who you are, so you are not signed in: start again, or ask an administrator."
NOT_LINKED = ("Your Microsoft account is not linked to an account here: ask an administrator to link your account "
              "(give them your object id, shown below).")
INACTIVE = "That account is deactivated: ask an administrator."


def _client(request: Request) -> Any:
    client = getattr(request.app.state, "oidc", None)
    if client is None:
        raise HTTPException(404, "Sign-in with Microsoft is not set up here.")
    return client


def callback_url(request: Request) -> str:
    """web.base_url + /signin/oidc/callback: the redirect URI registered with Entra (behind a proxy, the address
    the request arrived on may not be it)."""
    base = web_context(request).settings.web.base_url
    return base.rstrip("/") + "/signin/oidc/callback" if base else str(request.url_for("oidc_callback"))


def _refuse(request: Request, status: int, error: str, *, oid: str | None = None) -> Response:
    return web_context(request).render(request, "signin.html", status_code=status, next="/requests", error=error,
                                       oidc_refused_oid=oid)


async def start(request: Request) -> Response:
    client = _client(request)
    request.session["oidc_next"] = safe_next(request.query_params.get("next", "/requests"))
    try:
        response: Response = await client.authorize_redirect(request, callback_url(request))
    except (*HTTP_ERRORS, AuthlibBaseError, ValueError, KeyError) as exc:
        log.warning("OpenID provider metadata unavailable: %s", type(exc).__name__)
        return _refuse(request, 502, UNREACHABLE)
    return response


def _failed(request: Request, reason: str, actor: str = "-", **detail: Any) -> None:
    address = request.client.host if request.client else "unknown"
    with web_context(request).session() as session:
        record_action(session, actor, "login_failed", address=address, method="oidc", reason=reason, **detail)


async def callback(request: Request) -> Response:
    web = web_context(request)
    client = _client(request)
    target = safe_next(str(request.session.pop("oidc_next", "/requests")))
    try:
        token = await client.authorize_access_token(request, **claims_options(web.settings))
    except MismatchingStateError:
        _failed(request, "state")
        return _refuse(request, 400, EXPIRED)
    except OAuthError as exc:  # the provider's own refusal (e.g. access_denied), or a failed code exchange
        _failed(request, f"provider:{str(exc.error)[:40]}")
        return _refuse(request, 401, FAILED)
    except HTTP_ERRORS as exc:
        log.warning("OpenID provider unavailable at the callback: %s", type(exc).__name__)
        return _refuse(request, 502, UNREACHABLE)
    except (JoseError, AuthlibBaseError, ValueError, KeyError) as exc:  # bad signature, issuer, audience, nonce
        _failed(request, f"token:{type(exc).__name__}")
        return _refuse(request, 401, FAILED)
    claims = token.get("userinfo") if isinstance(token, dict) else None
    if not claims:  # no ID token, or none checked against our nonce
        _failed(request, "no_id_token")
        return _refuse(request, 401, FAILED)
    try:
        who = identity(claims, web.settings.web.oidc_tenant_id)
    except Refused as exc:
        tid = claims.get("tid")
        _failed(request, exc.reason, tid=str(tid)[:64] if tid else "")
        return _refuse(request, 403, exc.message)
    address = request.client.host if request.client else "unknown"
    with web.session() as session:
        user = find_linked(session, who.tid, who.oid)
        if user is None:
            record_action(session, "-", "login_failed", address=address, method="oidc", reason="not_linked",
                          tid=who.tid, oid=who.oid, username=who.username)
            refused: tuple[int, str, str | None] | None = (403, NOT_LINKED, who.oid)
        elif not user.active:
            record_action(session, user.name, "login_failed", address=address, method="oidc", reason="deactivated")
            refused = (403, INACTIVE, None)
        else:
            refused = None
            user.last_login_at = datetime.now(UTC)
            record_action(session, user.name, "login", address=address, method="oidc")
            user_id = user.id
    if refused is not None:
        return _refuse(request, refused[0], refused[1], oid=refused[2])
    request.session.clear()  # a new session on sign-in: no fixation, and Authlib's state data gone
    request.session.update(uid=user_id, csrf=secrets.token_urlsafe(32))
    return RedirectResponse(target, status_code=303)


ROUTES = [
    Route("/signin/oidc", start, methods=["GET"]),
    Route("/signin/oidc/callback", callback, methods=["GET"], name="oidc_callback"),
]
