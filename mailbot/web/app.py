"""The staff web app as one Starlette application.

Starlette rather than Flask: it is small (routing, sessions, static files, Jinja2 pages and nothing else), runs on
uvicorn, a production server, without a second framework, and its test client drives the real app in-process.
Pages are rendered on the server and work without JavaScript; the database is the bot's own (store/).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from mailbot.config import Settings
from mailbot.store.db import Database
from mailbot.store.models import User
from mailbot.web.context import WebContext, make_pages, web_context
from mailbot.web.oidc import make_client
from mailbot.web.passwords import hasher as make_hasher
from mailbot.web.security import SecurityHeaders, SignInRequired
from mailbot.web.views import (
    admin,
    casework,
    health,
    held,
    oidc,
    overview,
    requests,
    signin,
    status,
    todo,
    wording,
)

STATIC = Path(__file__).parent / "static"


def session_secret(settings: Settings) -> str:
    """MAILBOT_WEB_SECRET (or _FILE); else a key made once and kept beside the database, readable by us alone."""
    given = settings.secret("web_secret")
    if given is not None:
        return given.get_secret_value()
    path = Path(settings.data_dir) / "web-secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


class LoadUser:
    """Reads the signed-in person from the database on every request, so a deactivated account stops at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            user = None
            uid = request.session.get("uid")
            if isinstance(uid, int):
                with web_context(request).session() as session:
                    found = session.get(User, uid)
                    user = found if found is not None and found.active else None
                if user is None:
                    request.session.clear()
            request.state.user = user
        await self.app(scope, receive, send)


async def _home(request: Request) -> Response:
    return RedirectResponse("/requests", status_code=303)


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={target}" if request.method == "GET" else "/signin", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    web = web_context(request)
    return web.render(request, "error.html", status_code=exc.status_code, status=exc.status_code, detail=exc.detail)


def create_app(settings: Settings, db: Database, *, password_hasher: PasswordHasher | None = None,
               secret_key: str | None = None) -> Starlette:
    web = WebContext(settings=settings, db=db, hasher=password_hasher or make_hasher(), pages=make_pages())
    routes = [Route("/", _home), *health.ROUTES, *signin.ROUTES, *oidc.ROUTES, *requests.ROUTES, *casework.ROUTES,
              *held.ROUTES,
              *todo.ROUTES, *admin.ROUTES, *status.ROUTES, *wording.ROUTES, *overview.ROUTES,
              Mount("/static", StaticFiles(directory=STATIC), name="static")]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=secret_key or session_secret(settings), session_cookie="mailbot",
                   max_age=settings.web.session_hours * 3600, same_site="lax",
                   https_only=settings.web.secure_cookies),
        Middleware(LoadUser),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={SignInRequired: _sign_in_first, HTTPException: _http_error})
    app.state.web = web
    app.state.oidc = make_client(settings)  # None unless single sign-on is configured
    return app


__all__ = ["create_app", "session_secret"]
