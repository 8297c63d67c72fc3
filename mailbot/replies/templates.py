"""The words of the email we send: Jinja2 templates rendered safely (the message itself is mailbot.mail.compose).

Templates live as `templates/NAME/subject.txt`, `text.txt` and (optionally) `html.html`; an admin directory can
override any file. Rendering runs in Jinja2's immutable sandbox with StrictUndefined, so a template can neither
reach into Python nor silently print an empty variable; printing None is refused too ("Dear None," is the same
mistake in another form). Because a broken admin edit must never stop mail, `render_or_default` falls back to
the shipped file and reports the problem for a staff alert.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mailbot.mail.compose import RenderedReply, one_line
from mailbot.replies.filters import longdate, refuse_none
from mailbot.replies.loader import OverrideLoader, search_roots

MAX_RENDERED_CHARS = 100_000
PARTS = ("subject.txt", "text.txt", "html.html")
LANGUAGES = ("en", "cy")


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
class Rendering:
    """What `render_or_default` produced; `problem` is set when the override failed and the default was used."""

    reply: RenderedReply
    problem: TemplateProblem | None = None


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
    def _environment(loader: OverrideLoader) -> ImmutableSandboxedEnvironment:
        env = ImmutableSandboxedEnvironment(
            loader=loader,
            undefined=StrictUndefined,
            finalize=refuse_none,
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
