"""Turning a decision into the email we send: Jinja2 templates rendered safely, headers that stop loops.

Templates live as `templates/NAME/subject.txt`, `text.txt` and (optionally) `html.html`; an admin directory can
override any file. Rendering runs in Jinja2's immutable sandbox with StrictUndefined, so a template can neither
reach into Python nor silently print an empty variable; printing None is refused too ("Dear None," is the same
mistake in another form). Because a broken admin edit must never stop mail, `render_or_default` falls back to
the shipped file and reports the problem for a staff alert.
"""

from __future__ import annotations

import binascii
import random
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from email import policy as email_policy
from email import quoprimime
from email.message import EmailMessage
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
    packaged = Path(__file__).resolve().parent / "_shipped_templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


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


# The email package's default policy parses every header into an object when it is set and refolds it from that
# parse tree when the message is written: most of the cost of a reply. A header whose value is short, printable
# ASCII in a shape that parsing and refolding give back unchanged is written as it is; anything else (non-ASCII,
# long, a line break, an encoded-word look-alike, an unusual address) goes through the email package exactly as
# before. tests/test_compose.py checks the bytes against building the message with EmailMessage.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_ADDRESS = rf"{_DOT_ATOM}@{_DOT_ATOM}"
_MAILBOX = rf"(?:{_ATEXT}+(?: {_ATEXT}+)* <{_ADDRESS}>|{_ADDRESS})"
_UNSTRUCTURED = re.compile(r"[!-~]+(?: [!-~]+)*")
_VERBATIM = {
    "from": re.compile(_MAILBOX),
    "to": re.compile(_MAILBOX),
    "reply-to": re.compile(rf"{_MAILBOX}(?:, {_MAILBOX})*"),
    "message-id": re.compile(rf"<{_DOT_ATOM}@{_DOT_ATOM}>"),
}
_MAX_LINE = 78  # the default policy's max_line_length
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))  # as email.generator makes them


def _header(name: str, value: str) -> str:
    """One header line (folded if it must be), exactly as EmailMessage would write it."""
    pattern = _VERBATIM.get(name.lower(), _UNSTRUCTURED)
    if len(name) + 2 + len(value) <= _MAX_LINE and "=?" not in value and pattern.fullmatch(value):
        return f"{name}: {value}\n"
    policy = email_policy.default
    # header_store_parse refuses line breaks (header injection) just as `message[name] = value` does.
    return policy.header_store_parse(name, value)[1].fold(policy=policy)  # type: ignore[no-any-return]


def _encode_text(text: str) -> tuple[str, bytes]:
    """The transfer encoding and body the email package chooses for UTF-8 text (contentmanager's heuristics under
    the default policy): 7bit or 8bit when every line fits, else the shorter of quoted-printable and base64."""
    lines = text.encode("utf-8").splitlines()
    body = b"\n".join(lines) + b"\n"
    if max((len(line) for line in lines), default=0) <= _MAX_LINE:
        return ("7bit" if body.isascii() else "8bit"), body
    sniff = b"\n".join(lines[:10]) + b"\n"
    sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), _MAX_LINE)
    if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
        per_line = _MAX_LINE // 4 * 3
        return "base64", b"".join(binascii.b2a_base64(body[i:i + per_line]) for i in range(0, len(body), per_line))
    if len(lines) <= 10:
        return "quoted-printable", sniff_qp.encode("ascii")
    return "quoted-printable", quoprimime.body_encode(body.decode("latin-1"), _MAX_LINE).encode("ascii")


def _text_part(text: str, subtype: str) -> tuple[str, bytes]:
    """The Content-Type and Content-Transfer-Encoding lines of a UTF-8 text part, and its encoded body."""
    cte, body = _encode_text(text)
    return f'Content-Type: text/{subtype}; charset="utf-8"\nContent-Transfer-Encoding: {cte}\n', body


def _ascii(head: str) -> bytes:
    """Header text as bytes the way the email package writes it (bytes it carried through as surrogates kept)."""
    return head.encode("ascii", "surrogateescape")


def _boundary(parts: Sequence[bytes]) -> str:
    """A random boundary in email.generator's format that no part contains."""
    boundary = "=" * 15 + str(random.randrange(sys.maxsize)).zfill(_BOUNDARY_DIGITS) + "=="
    candidate, counter = boundary, 0
    while any(candidate.encode("ascii") in part for part in parts):
        candidate, counter = f"{boundary}.{counter}", counter + 1
    return candidate


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
    """The outgoing message with every header robot-mail.md asks for, and our own Message-ID made before sending.

    The bytes are those EmailMessage (default policy) would produce — text/plain, or multipart/alternative with an
    HTML part, UTF-8 — written directly, because building them through EmailMessage was most of a reply's cost.
    """
    message_id = make_msgid(domain=from_address.rsplit("@", 1)[-1])
    headers = [_header("From", formataddr((one_line(from_name), from_address))), _header("To", to)]
    if reply_to:
        headers.append(_header("Reply-To", ", ".join(one_line(address) for address in reply_to)))
    headers += [_header("Subject", one_line(rendered.subject)), _header("Date", format_datetime(now)),
                _header("Message-ID", message_id)]
    if in_reply_to:
        headers.append(_header("In-Reply-To", in_reply_to))
        chain = [r for r in references if r != in_reply_to] + [in_reply_to]
        headers.append(_header("References", " ".join(chain[-20:])))
    headers += [_header("Auto-Submitted", auto_submitted), _header("X-Auto-Response-Suppress", "OOF, AutoReply"),
                _header("Precedence", "bulk"), _header("X-Loop", loop_token)]
    text_headers, text_body = _text_part(rendered.text, "plain")
    if not rendered.html:
        head = "".join(headers) + text_headers + "MIME-Version: 1.0\n\n"
        return ComposedMessage(message_id, _ascii(head) + text_body)
    html_headers, html_body = _text_part(rendered.html, "html")
    parts = [(text_headers + "\n").encode("ascii") + text_body,
             (html_headers + "MIME-Version: 1.0\n\n").encode("ascii") + html_body]
    boundary = _boundary(parts)
    head = "".join(headers) + f'MIME-Version: 1.0\nContent-Type: multipart/alternative;\n boundary="{boundary}"\n\n'
    delimiter = f"--{boundary}\n".encode("ascii")
    return ComposedMessage(message_id, _ascii(head) + delimiter + parts[0] + b"\n" + delimiter + parts[1]
                           + f"\n--{boundary}--\n".encode("ascii"))
