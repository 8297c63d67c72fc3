"""Turning a decision into the email we send: Jinja2 templates rendered safely, headers that stop loops.

Templates live as `templates/NAME/subject.txt`, `text.txt` and (optionally) `html.html`; an admin directory can
override any file. Rendering runs in Jinja2's immutable sandbox with StrictUndefined, so a template can neither
reach into Python nor silently print an empty variable; printing None is refused too ("Dear None," is the same
mistake in another form). Because a broken admin edit must never stop mail, `render_or_default` falls back to
the shipped file and reports the problem for a staff alert.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from email import policy as email_policy
from email.charset import QP, Charset
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import BytesHeaderParser
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
)
from jinja2.exceptions import TemplateRuntimeError, TemplateSyntaxError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_RENDERED_CHARS = 100_000
PARTS = ("subject.txt", "text.txt", "html.html")
LANGUAGES = ("en", "cy")

WELSH_MONTHS = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
                "Tachwedd", "Rhagfyr")


def shipped_templates_dir() -> Path:
    """The templates that ship with mailbot: inside the wheel, or the repository's `templates/` when editable."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_shipped_templates"
    return packaged if packaged.is_dir() else package.parent / "templates"


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def longdate(value: date | datetime | None, language: str = "en") -> str:
    """"13th June 2022" as the authority's letters write dates; `longdate("cy")` gives "13 Mehefin 2022".

    A missing date is an error rather than an empty string, so "we will reply by ." can never be sent.
    """
    if value is None:
        raise TemplateRuntimeError("longdate was given no date (None); guard it with {% if ... %}")
    if language == "cy":
        return f"{value.day} {WELSH_MONTHS[value.month - 1]} {value.year}"
    return f"{ordinal(value.day)} {value:%B %Y}"


def _refuse_none(value: Any) -> Any:
    """Jinja2 finalize hook: StrictUndefined catches a misspelt name, this catches a known one that is empty."""
    if value is None:
        raise TemplateRuntimeError("printed a value that is missing (None); use {% if %} or `or` for a default")
    return value


def one_line(value: str) -> str:
    """A header value: line breaks can never reach the wire (header injection), whitespace collapsed."""
    return re.sub(r"\s+", " ", value).strip()


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a template, located as precisely as Jinja2 allows, printed `path:line: message`."""

    template: str  # the template's name, e.g. acknowledgement_foi
    path: str  # the file at fault (an admin override or a shipped file)
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.message}"


class TemplateRenderError(Exception):
    """A template could not be rendered (or failed a safety check); `problem` says where and why."""

    def __init__(self, problem: TemplateProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class RenderedReply:
    subject: str
    text: str
    html: str | None


@dataclass(frozen=True)
class Rendering:
    """What `render_or_default` produced; `problem` is set when the override failed and the default was used."""

    reply: RenderedReply
    problem: TemplateProblem | None = None


class OverrideLoader(BaseLoader):
    """Finds a file in the first of several roots that has it; a cached template is stale as soon as its file's
    text changes *or* another root would now win (an admin creates an override), so edits need no restart.

    Inside `steady()` (one run of the decision runner) each name is looked up and checked once: a backlog's replies
    then cost no file reads, and an edit made meanwhile takes effect from the next run.
    """

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(roots)
        self._steady = 0
        self._located: dict[str, Path | None] = {}
        self._checked: set[str] = set()

    @contextmanager
    def steady(self) -> Iterator[None]:
        self._steady += 1
        try:
            yield
        finally:
            self._steady -= 1
            if not self._steady:
                self._located.clear()
                self._checked.clear()

    def locate(self, name: str) -> Path | None:
        if self._steady and name in self._located:
            return self._located[name]
        pieces = split_template_path(name)  # refuses "..", so a name can never leave its root
        found = next((candidate for candidate in (root.joinpath(*pieces) for root in self.roots)
                      if candidate.is_file()), None)
        if self._steady:
            self._located[name] = found
        return found

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.locate(template)
        if path is None:
            raise TemplateNotFound(template)
        source = path.read_text(encoding="utf-8")
        if self._steady:
            self._checked.add(template)

        def uptodate() -> bool:
            if self._steady and template in self._checked:
                return True
            # Comparing the text, not the mtime: two edits within one timestamp tick must not be missed.
            try:
                fresh = self.locate(template) == path and path.read_text(encoding="utf-8") == source
            except OSError:
                return False
            if fresh and self._steady:
                self._checked.add(template)
            return fresh

        return source, str(path), uptodate


def search_roots(admin_dir: Path | None, language: str, shipped: Path | None = None) -> list[Path]:
    """Where a file is looked for, first match wins: the language's own files (admin, then shipped) before the
    English ones, so a Welsh deployment never silently loses a Welsh text to an English-only override."""
    shipped = shipped or shipped_templates_dir()
    bases = ([admin_dir] if admin_dir else []) + [shipped]
    roots = [base / language for base in bases] if language != "en" else []
    return roots + bases


class Templates:
    """Loads templates from the admin directory first, then the shipped ones; renders the parts of a reply."""

    def __init__(self, admin_dir: str | Path | None = None, language: str = "en") -> None:
        self.admin_dir = Path(admin_dir) if admin_dir else None
        self.language = language
        self.loader = OverrideLoader(search_roots(self.admin_dir, language))
        self.env = self._environment(self.loader)
        self.default_loader = OverrideLoader(search_roots(None, language))
        self.default_env = self._environment(self.default_loader) if self.admin_dir else self.env

    @staticmethod
    def _environment(loader: BaseLoader) -> ImmutableSandboxedEnvironment:
        env = ImmutableSandboxedEnvironment(
            loader=loader,
            undefined=StrictUndefined,
            finalize=_refuse_none,
            autoescape=lambda name: bool(name and name.endswith(".html")),
            keep_trailing_newline=True,
            auto_reload=True,  # an admin's edit takes effect without a restart (from the next run: see steady())
        )
        env.filters["longdate"] = longdate
        return env

    @property
    def roots(self) -> tuple[Path, ...]:
        return self.loader.roots

    @contextmanager
    def steady(self) -> Iterator[None]:
        """For one run over a backlog: every file is read and checked once, not for every reply."""
        with self.loader.steady(), self.default_loader.steady():
            yield

    def source_of(self, path: str) -> Path | None:
        """The file that `path` (e.g. `digest/text.txt`) resolves to now."""
        return self.loader.locate(path)

    def render(self, name: str, context: dict[str, Any], *, max_chars: int = MAX_RENDERED_CHARS) -> RenderedReply:
        """Render with the admin overrides; raises TemplateRenderError on any failure or failed safety check."""
        return self._render_reply(self.env, self.loader, name, context, max_chars)

    def render_default(self, name: str, context: dict[str, Any], *,
                       max_chars: int = MAX_RENDERED_CHARS) -> RenderedReply:
        """Render with the shipped files only."""
        return self._render_reply(self.default_env, self.default_loader, name, context, max_chars)

    def render_or_default(self, name: str, context: dict[str, Any], *,
                          max_chars: int = MAX_RENDERED_CHARS) -> Rendering:
        """Never lets an admin's mistake stop mail: on failure, the shipped default and the problem to report.

        Raises only when the shipped default fails too (a bug in mailbot itself, which the tests render)."""
        try:
            return Rendering(self.render(name, context, max_chars=max_chars))
        except TemplateRenderError as exc:
            if self.default_env is self.env:
                raise
            return Rendering(self.render_default(name, context, max_chars=max_chars), exc.problem)

    def problems(self, name: str, context: dict[str, Any], *,
                 max_chars: int = MAX_RENDERED_CHARS) -> list[TemplateProblem]:
        """Every part tried on its own, so one broken part does not hide another (for `templates check`)."""
        found = []
        for part in PARTS:
            try:
                rendered = self._render(self.env, self.loader, name, part, context, max_chars)
                if part == "subject.txt":
                    self._check_subject(self.loader, name, one_line(rendered), context)
            except TemplateNotFound:
                pass  # no HTML part: allowed
            except TemplateRenderError as exc:
                found.append(exc.problem)
        return found

    @staticmethod
    def _check_subject(loader: OverrideLoader, name: str, subject: str, context: dict[str, Any]) -> None:
        reference = context.get("reference")
        if isinstance(reference, str) and reference and reference not in subject:
            raise TemplateRenderError(TemplateProblem(
                name, str(loader.locate(f"{name}/subject.txt")), 1,
                "the subject must contain {{ reference }}: replies are threaded by the enquiry reference"))

    def _render_reply(self, env: Environment, loader: OverrideLoader, name: str, context: dict[str, Any],
                      max_chars: int) -> RenderedReply:
        subject = one_line(self._render(env, loader, name, "subject.txt", context, max_chars))
        self._check_subject(loader, name, subject, context)
        text = self._render(env, loader, name, "text.txt", context, max_chars)
        try:
            html: str | None = self._render(env, loader, name, "html.html", context, max_chars)
        except TemplateNotFound as exc:
            if exc.name != f"{name}/html.html":  # the html exists but includes a missing file
                raise TemplateRenderError(TemplateProblem(name, str(loader.locate(f"{name}/html.html")), None,
                                                          f"template not found: {exc.name}")) from exc
            html = None
        return RenderedReply(subject, text.strip() + "\n", html)

    @staticmethod
    def _render(env: Environment, loader: OverrideLoader, name: str, part: str, context: dict[str, Any],
                max_chars: int) -> str:
        path = f"{name}/{part}"
        top = loader.locate(path)
        if top is None:
            if part == "html.html":
                raise TemplateNotFound(path)
            raise TemplateRenderError(TemplateProblem(name, path, None, f"{path} is missing"))
        chunks: list[str] = []
        size = 0
        try:
            # Streamed, so a runaway loop is stopped at the cap instead of filling memory first.
            for chunk in env.get_template(path).generate(context):
                size += len(chunk)
                if size > max_chars:
                    raise TemplateRenderError(TemplateProblem(
                        name, str(top), None, f"rendered more than the {max_chars}-character cap"))
                chunks.append(chunk)
        except TemplateNotFound as exc:
            if exc.name == path and part == "html.html":
                raise
            raise TemplateRenderError(_locate(name, exc, top, loader.roots, f"template not found: {exc.name}")) \
                from exc
        except TemplateError as exc:
            raise TemplateRenderError(_locate(name, exc, top, loader.roots)) from exc
        except TemplateRenderError:
            raise
        except Exception as exc:  # e.g. a filter given the wrong type: still the template's fault, not the bot's
            raise TemplateRenderError(_locate(name, exc, top, loader.roots,
                                              f"{type(exc).__name__}: {exc}")) from exc
        return "".join(chunks)


def _locate(name: str, exc: BaseException, top: Path, roots: Sequence[Path],
            message: str | None = None) -> TemplateProblem:
    """The file and line at fault: a syntax error names them; otherwise the innermost template frame does."""
    text = message or (exc.message if isinstance(exc, TemplateError) and exc.message else str(exc))
    if isinstance(exc, TemplateSyntaxError):
        return TemplateProblem(name, exc.filename or str(top), exc.lineno, f"syntax error: {text}")
    root_names = tuple(str(root) for root in roots)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(root_names):
            return TemplateProblem(name, frame.filename, frame.lineno, text)
    return TemplateProblem(name, str(top), None, text)


class ComposedMessage:
    """An outgoing message as the bytes we store, send and copy to Sent, with its Message-ID known up front.

    Headers can still be read like an EmailMessage's (`message["Subject"]`), parsed from the bytes on first use:
    the runners never need that, so they never pay for it.
    """

    __slots__ = ("_headers", "message_id", "raw")

    def __init__(self, message_id: str, raw: bytes) -> None:
        self.message_id = message_id
        self.raw = raw
        self._headers: EmailMessage | None = None

    def as_bytes(self) -> bytes:
        return self.raw

    def __getitem__(self, name: str) -> Any:
        if self._headers is None:
            self._headers = BytesHeaderParser(policy=email_policy.default).parsebytes(self.raw)  # type: ignore[assignment]
        return self._headers[name]  # type: ignore[index]


# Built with the email package's MIME classes on its compat32 policy: the default policy parses every header into
# an object when it is set and refolds it when the message is written, which made composing most of a reply's cost;
# compat32 stores the strings and encodes them (RFC 2047 where they are not ASCII) as it writes. It does not refuse
# line breaks in header values the way the default policy does, so _header_value does (no header injection).
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in the raw message, lines wrapped at 76: the shorter choice for our letters


class _Compat32Writer(type(email_policy.compat32)):  # type: ignore[misc]
    """compat32 as it writes, with one shortcut: a header that is ASCII, has no line break and fits on its line is
    written as it stands — which is what compat32's Header would write for it, only without building a Header.
    Most of a reply's nineteen headers are such (tests/test_compose.py holds the two to the same bytes)."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (isinstance(value, str) and len(name) + len(value) + 2 <= (self.max_line_length or 78)
                and _PLAIN_HEADER.fullmatch(value)):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)  # type: ignore[no-any-return]


# Printable ASCII with single spaces between words: what Header.encode leaves exactly as it is.
_PLAIN_HEADER = re.compile(r"[!-~]+(?: [!-~]+)*")
_WRITE = _Compat32Writer(mangle_from_=False)  # "From " opening a line is text, not an mbox separator
_NEWLINES = re.compile(r"\r\n?")


def _header_value(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("a header value may not contain a line break")
    return value


def _address(address: str) -> str:
    """An address for a header: a domain written in Unicode goes in its ASCII (IDNA) form, which every mail system
    understands, rather than as an encoded word, which no mail system accepts as an address."""
    local, at, domain = address.rpartition("@")
    if at and not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return f"{local}{at}{domain}" if at else address


def _text_part(text: str, subtype: str) -> MIMEText:
    text = _NEWLINES.sub("\n", text)
    return MIMEText(text if text.endswith("\n") else text + "\n", subtype, _UTF8_QP)  # ends its last line


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
    reply_to: Sequence[str] = (),
) -> ComposedMessage:
    """The outgoing message with every header robot-mail.md asks for, and our own Message-ID made before sending:
    text/plain, or multipart/alternative with the HTML part, in UTF-8 (quoted-printable)."""
    message_id = make_msgid(domain=from_address.rsplit("@", 1)[-1])
    body = _text_part(rendered.text, "plain")
    # The boundary is ours rather than random so that the generator need not search the parts for it: "=_" can
    # never open a quoted-printable line ("=" there is always followed by two hex digits or the line's end).
    message = MIMEMultipart("alternative", boundary="=_" + message_id.strip("<>").replace("@", "."),
                            _subparts=[body, _text_part(rendered.html, "html")]) if rendered.html else body
    headers = [("From", formataddr((one_line(from_name), _address(from_address)))), ("To", _address(to))]
    if reply_to:
        headers.append(("Reply-To", ", ".join(_address(one_line(address)) for address in reply_to)))
    headers += [("Subject", one_line(rendered.subject)), ("Date", format_datetime(now)), ("Message-ID", message_id)]
    if in_reply_to:
        chain = [r for r in references if r != in_reply_to] + [in_reply_to]
        headers += [("In-Reply-To", in_reply_to), ("References", " ".join(chain[-20:]))]
    headers += [("Auto-Submitted", auto_submitted), ("X-Auto-Response-Suppress", "OOF, AutoReply"),
                ("Precedence", "bulk"), ("X-Loop", loop_token)]
    for name, value in headers:
        message[name] = _header_value(value)
    return ComposedMessage(message_id, message.as_bytes(policy=_WRITE))
