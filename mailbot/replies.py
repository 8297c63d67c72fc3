"""Turning a decision into the email we send: Jinja2 templates rendered safely, headers that stop loops.

Templates live as `templates/NAME/subject.txt`, `text.txt` and (optionally) `html.html`; an admin directory can
override any file. Rendering runs in Jinja2's immutable sandbox with StrictUndefined, so a template can neither
reach into Python nor silently print an empty variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RENDERED_CHARS = 100_000


def shipped_templates_dir() -> Path:
    """The templates that ship with mailbot: inside the wheel, or the repository's `templates/` when editable."""
    packaged = Path(__file__).resolve().parent / "_shipped_templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def longdate(value: date | datetime | None) -> str:
    """"13th June 2022", as the authority's own letters write dates."""
    if value is None:
        return ""
    return f"{ordinal(value.day)} {value:%B %Y}"


class TemplateRenderError(Exception):
    """A template could not be rendered; the message names the file and line where Jinja2 knows them."""


def one_line(value: str) -> str:
    """A header value: line breaks can never reach the wire (header injection), whitespace collapsed."""
    return re.sub(r"\s+", " ", value).strip()


@dataclass(frozen=True)
class RenderedReply:
    subject: str
    text: str
    html: str | None


class Templates:
    """Loads templates from the admin directory first, then the shipped ones; renders the parts of a reply."""

    def __init__(self, admin_dir: str | Path | None = None, language: str = "en") -> None:
        roots = [Path(admin_dir)] if admin_dir else []
        roots.append(shipped_templates_dir())
        self.language = language
        loaders = []
        for root in roots:
            if language != "en":
                loaders.append(FileSystemLoader(str(root / language)))
            loaders.append(FileSystemLoader(str(root)))
        self.env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=lambda name: bool(name and name.endswith(".html")),
            keep_trailing_newline=True,
            auto_reload=True,  # an admin's edit takes effect on the next message, without a restart
        )
        self.env.filters["longdate"] = longdate

    def _render(self, path: str, context: dict[str, Any]) -> str:
        try:
            rendered = self.env.get_template(path).render(context)
        except TemplateNotFound:
            raise
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            raise TemplateRenderError(f"{path}:{line or '?'}: {exc}") from exc
        if len(rendered) > MAX_RENDERED_CHARS:
            raise TemplateRenderError(f"{path}: rendered {len(rendered)} characters, over the {MAX_RENDERED_CHARS} cap")
        return rendered

    def render(self, name: str, context: dict[str, Any]) -> RenderedReply:
        subject = one_line(self._render(f"{name}/subject.txt", context))
        text = self._render(f"{name}/text.txt", context)
        try:
            html: str | None = self._render(f"{name}/html.html", context)
        except TemplateNotFound:
            html = None
        return RenderedReply(subject, text.strip() + "\n", html)


def compose(
    *,
    rendered: RenderedReply,
    from_address: str,
    from_name: str,
    to: str,
    in_reply_to: str | None,
    references: tuple[str, ...],
    loop_token: str,
    now: datetime,
    auto_submitted: str = "auto-replied",
) -> EmailMessage:
    """The outgoing message with every header robot-mail.md asks for, and our own Message-ID made before sending."""
    message = EmailMessage()
    message["From"] = formataddr((one_line(from_name), from_address))
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=from_address.rsplit("@", 1)[-1])
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        chain = [r for r in references if r != in_reply_to] + [in_reply_to]
        message["References"] = " ".join(chain[-20:])
    message["Auto-Submitted"] = auto_submitted
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    message["Precedence"] = "bulk"
    message["X-Loop"] = loop_token
    message.set_content(rendered.text)
    if rendered.html:
        message.add_alternative(rendered.html, subtype="html")
    return message
