"""What every view needs, built once when the app starts: settings per mailbox, the database, the page renderer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from mailbot import __version__
from mailbot.clock.deadlines import ClockPolicy
from mailbot.config import Settings
from mailbot.store.db import Database
from mailbot.web.security import csrf_token, current_user

LONDON = ZoneInfo("Europe/London")
PAGES = Path(__file__).parent / "templates"


def _london(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(LONDON).strftime("%d %b %Y %H:%M")


def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else ""


@dataclass
class WebContext:
    settings: Settings  # the whole deployment (every mailbox)
    db: Database
    hasher: PasswordHasher
    pages: Jinja2Templates

    def __post_init__(self) -> None:
        self.by_mailbox = {s.mailbox.address: s for s in self.settings.all_mailboxes()}

    def policy(self, mailbox: str) -> ClockPolicy:
        settings = self.by_mailbox.get(mailbox, self.settings)
        return settings.clock_policy()

    def session(self) -> Any:
        return self.db.session()

    def render(self, request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        values.update(user=current_user(request), csrf_token=csrf_token(request), version=__version__,
                      oidc=self.settings.web.oidc_enabled)
        return self.pages.TemplateResponse(request, name, values, status_code=status_code)


def make_pages() -> Jinja2Templates:
    """Autoescaping on for every page (Starlette's default for .html): a sender's words are always text."""
    pages = Jinja2Templates(directory=str(PAGES))
    pages.env.filters["london"] = _london
    pages.env.filters["day"] = _day
    return pages


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context


__all__ = ["LONDON", "Session", "WebContext", "make_pages", "web_context"]
