"""Rendering one set of template roots in this process: the sandboxed environment, the parts of a reply, and the
problem (file, line, message) when a template fails.

The bot's own process renders only the shipped templates this way; an admin's directory is rendered by the same
code inside the budgeted worker process (`worker`), so a runaway template stops there, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateNotFound, meta
from jinja2.exceptions import TemplateSyntaxError

from mailbot.mail.compose import RenderedReply, one_line
from mailbot.replies.budget import BudgetedSandbox, OverBudget, RenderBudget, used_over
from mailbot.replies.filters import longdate, ordinal_words, refuse_none
from mailbot.replies.loader import OutsideTemplateDir, OverrideLoader
from mailbot.replies.wrapping import LINE_LIMIT, columns, long_lines, wrap_text

MAX_RENDERED_CHARS = 100_000
PARTS = ("subject.txt", "text.txt", "html.html")


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a template, located as precisely as Jinja2 allows, printed `path:line: message`."""

    template: str  # the template's name, e.g. acknowledgement_foi
    path: str  # the file at fault (an admin override or a shipped file)
    line: int | None
    message: str
    over_budget: bool = False  # it ran out of time or memory (the worker that rendered it is replaced)
    warning: bool = False  # worth fixing, but the mail goes out with this wording (a line over 78 columns)

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.message}"


class TemplateRenderError(Exception):
    """A template could not be rendered (or failed a safety check); `problem` says where and why."""

    def __init__(self, problem: TemplateProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def environment(loader: OverrideLoader, memory_mb: int = RenderBudget.memory_mb) -> BudgetedSandbox:
    env = BudgetedSandbox(
        loader=loader,
        undefined=StrictUndefined,
        finalize=refuse_none,
        autoescape=lambda name: bool(name and name.endswith(".html")),
        keep_trailing_newline=True,
        auto_reload=True,  # an admin's edit takes effect without a restart (from the next run: see steady())
    )
    env.memory_mb = memory_mb
    env.filters["longdate"] = longdate
    env.filters["ordinal_words"] = ordinal_words
    return env


class Engine:
    """One search path (roots, first match wins) and its environment, rendering in the calling process."""

    def __init__(self, roots: Sequence[Path], memory_mb: int = RenderBudget.memory_mb) -> None:
        self.loader = OverrideLoader(roots)
        self.env = environment(self.loader, memory_mb)
        self.memory_mb = memory_mb

    def render_reply(self, name: str, context: dict[str, Any], max_chars: int) -> RenderedReply:
        subject = one_line(self.render_part(name, "subject.txt", context, max_chars))
        self.check_subject(name, subject, context)
        text = wrap_text(self.render_part(name, "text.txt", context, max_chars))
        try:
            html: str | None = self.render_part(name, "html.html", context, max_chars)
        except TemplateNotFound as exc:
            if exc.name != f"{name}/html.html":  # the html exists but includes a missing file
                raise TemplateRenderError(TemplateProblem(name, str(self.loader.locate(f"{name}/html.html")), None,
                                                          f"template not found: {exc.name}")) from exc
            html = None
        return RenderedReply(subject, text.strip() + "\n", html)

    def problems(self, name: str, context: dict[str, Any], max_chars: int) -> list[TemplateProblem]:
        """Every part tried on its own, so one broken part does not hide another (for `templates check`)."""
        found = []
        for part in PARTS:
            try:
                rendered = self.render_part(name, part, context, max_chars)
                if part == "subject.txt":
                    self.check_subject(name, one_line(rendered), context)
                if part == "text.txt":
                    found += self.long_line_warnings(name, wrap_text(rendered))
            except TemplateNotFound:
                pass  # no HTML part: allowed
            except TemplateRenderError as exc:
                found.append(exc.problem)
                if exc.problem.over_budget:
                    break  # the budget is spent (and this process is about to be replaced)
        return found

    def long_line_warnings(self, name: str, text: str) -> list[TemplateProblem]:
        """Lines still over 78 columns once paragraphs are filled: an indented or list line, or a word (a URL) too
        long for any line. Each is located at the template line its first words come from, when one holds them."""
        found = []
        for number, line in long_lines(text.strip() + "\n"):
            path, where = self._source_of(name, line)
            found.append(TemplateProblem(name, path, where, (
                f"warning: line {number} of the rendered text is {columns(line)} characters, over {LINE_LIMIT}; "
                "mail clients break it into ragged half-lines (paragraphs are wrapped for you, but indented, "
                "list and quoted lines and single long words are not)"), warning=True))
        return found

    def _source_of(self, name: str, line: str) -> tuple[str, int | None]:
        top = f"{name}/text.txt"
        probe = " ".join(line.split()[:3])
        pending, seen = [top], set()
        while pending:
            wanted = pending.pop(0)
            if wanted in seen:
                continue
            seen.add(wanted)
            try:
                source, filename, _ = self.loader.get_source(self.env, wanted)
                pending += [ref for ref in meta.find_referenced_templates(self.env.parse(source)) if ref]
            except (TemplateError, OSError, UnicodeDecodeError):
                continue
            for number, text in enumerate(source.split("\n"), 1):
                if probe and probe in " ".join(text.split()):
                    return str(filename), number
        return str(self.loader.locate(top)), None

    def check_subject(self, name: str, subject: str, context: dict[str, Any]) -> None:
        reference = context.get("reference")
        if isinstance(reference, str) and reference and reference not in subject:
            raise TemplateRenderError(TemplateProblem(
                name, str(self.loader.locate(f"{name}/subject.txt")), 1,
                "the subject must contain {{ reference }}: replies are threaded by the enquiry reference"))

    def render_part(self, name: str, part: str, context: dict[str, Any], max_chars: int) -> str:
        path = f"{name}/{part}"
        roots = self.loader.roots
        try:
            top = self.loader.locate(path)
        except OutsideTemplateDir as exc:
            raise TemplateRenderError(TemplateProblem(name, str(exc.path or path), None, exc.message or path)) from exc
        if top is None:
            if part == "html.html":
                raise TemplateNotFound(path)
            raise TemplateRenderError(TemplateProblem(name, path, None, f"{path} is missing"))
        chunks: list[str] = []
        size = 0
        try:
            # Streamed, so a runaway loop is stopped at the cap instead of filling memory first.
            for chunk in self.env.get_template(path).generate(context):
                size += len(chunk)
                if size > max_chars:
                    raise TemplateRenderError(TemplateProblem(
                        name, str(top), None, f"rendered more than the {max_chars}-character cap"))
                chunks.append(chunk)
            return "".join(chunks)
        except OverBudget as exc:
            raise TemplateRenderError(_locate(name, exc, top, roots, str(exc), over_budget=True)) from None
        except MemoryError as exc:
            chunks.clear()
            raise TemplateRenderError(_locate(name, exc, top, roots, used_over(self.memory_mb),
                                              over_budget=True)) from None
        except OutsideTemplateDir as exc:
            raise TemplateRenderError(_locate(name, exc, top, roots, exc.message)) from exc
        except TemplateNotFound as exc:
            if exc.name == path and part == "html.html":
                raise
            raise TemplateRenderError(_locate(name, exc, top, roots, f"template not found: {exc.name}")) from exc
        except TemplateError as exc:
            raise TemplateRenderError(_locate(name, exc, top, roots)) from exc
        except TemplateRenderError:
            raise
        except Exception as exc:  # e.g. a filter given the wrong type: still the template's fault, not the bot's
            raise TemplateRenderError(_locate(name, exc, top, roots, f"{type(exc).__name__}: {exc}")) from exc


def _locate(name: str, exc: BaseException, top: Path, roots: Sequence[Path], message: str | None = None, *,
            over_budget: bool = False) -> TemplateProblem:
    """The file and line at fault: a syntax error names them; otherwise the innermost template frame does (a frame
    of compiled template code is mapped back to its template line, as Jinja2 does only for the exceptions it
    handles itself, which OverBudget is not)."""
    text = message or (exc.message if isinstance(exc, TemplateError) and exc.message else str(exc))
    if isinstance(exc, TemplateSyntaxError):
        return TemplateProblem(name, exc.filename or str(top), exc.lineno, f"syntax error: {text}")
    root_names = tuple(str(root) for root in roots)
    where: tuple[str, int] | None = None
    tb = exc.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        filename = tb.tb_frame.f_code.co_filename
        if template is not None and template.filename:
            where = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        elif filename.startswith(root_names):  # a frame Jinja2 already rewrote to the template's own line
            where = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if where is not None:
        return TemplateProblem(name, where[0], where[1], text, over_budget)
    return TemplateProblem(name, str(top), None, text, over_budget)
