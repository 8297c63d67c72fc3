"""The words of the email we send: Jinja2 templates rendered safely (the message itself is mailbot.mail.compose).

Templates live as `templates/NAME/subject.txt`, `text.txt` and (optionally) `html.html`; an admin directory can
override any file. Rendering runs in Jinja2's immutable sandbox with StrictUndefined, so a template can neither
reach into Python nor silently print an empty variable; printing None is refused too ("Dear None," is the same
mistake in another form). No file is read from outside its directory (`loader`). An admin's templates are rendered
in a separate process under a time and a memory budget (`worker`, `budget`), so a runaway one is stopped and
reported like any other mistake. Because a broken admin edit must never stop mail, `render_or_default` falls back
to the shipped files — rendered here, in the bot's own process, so the fallback never depends on the worker — and
reports the problem for a staff alert.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailbot.mail.compose import RenderedReply
from mailbot.replies.budget import RenderBudget, took_over, used_over
from mailbot.replies.engine import (
    MAX_RENDERED_CHARS,
    PARTS,
    Engine,
    TemplateProblem,
    TemplateRenderError,
)
from mailbot.replies.loader import OutsideTemplateDir, OverrideLoader, search_roots
from mailbot.replies.worker import RenderInterrupted, Request, WorkerFailed, worker_for

if TYPE_CHECKING:
    from mailbot.config import Settings

__all__ = ["LANGUAGES", "MAX_RENDERED_CHARS", "PARTS", "RenderBudget", "RenderInterrupted", "Rendering",
           "TemplateProblem", "TemplateRenderError", "Templates"]

LANGUAGES = ("en", "cy")
_runs = count(1)


@dataclass(frozen=True)
class Rendering:
    """What `render_or_default` produced; `problem` is set when the override failed and the default was used."""

    reply: RenderedReply
    problem: TemplateProblem | None = None


class Templates:
    """Loads templates from the admin directory first, then the shipped ones; renders the parts of a reply."""

    def __init__(self, admin_dir: str | Path | None = None, language: str = "en",
                 budget: RenderBudget | None = None) -> None:
        self.admin_dir = Path(admin_dir) if admin_dir else None
        self.language = language
        self.budget = budget or RenderBudget()
        self.engine = Engine(search_roots(self.admin_dir, language), self.budget.memory_mb)
        self.default = Engine(search_roots(None, language), self.budget.memory_mb) if self.admin_dir else self.engine
        self._run: int | None = None
        self._over_budget: dict[str, TemplateProblem] = {}
        self._stopping = threading.Event()

    @classmethod
    def from_settings(cls, settings: Settings, language: str | None = None) -> Templates:
        section = settings.templates
        return cls(section.dir or None, language or section.language,
                   RenderBudget(section.render_seconds, section.render_memory_mb))

    def interrupt(self) -> None:
        """The bot is stopping: abandon an admin template's render in hand at once (RenderInterrupted), and any
        later one, rather than wait out its budget. Shipped templates render in-process and are not affected."""
        self._stopping.set()

    @property
    def loader(self) -> OverrideLoader:
        return self.engine.loader

    @property
    def env(self) -> Any:
        """The environment over the admin's and the shipped files, for compiling (rendering goes through render)."""
        return self.engine.env

    @property
    def roots(self) -> tuple[Path, ...]:
        return self.loader.roots

    @contextmanager
    def steady(self) -> Iterator[None]:
        """For one run over a backlog: every file is read and checked once, not for every reply; and a template
        that ran over budget is not tried again in the run (the shipped wording goes at once, the same problem)."""
        outer = self._run is None
        if outer:
            self._run = next(_runs)
        try:
            with self.engine.loader.steady(), self.default.loader.steady():
                yield
        finally:
            if outer:
                self._run = None
                self._over_budget.clear()

    def source_of(self, path: str) -> Path | None:
        """The file that `path` (e.g. `digest/text.txt`) resolves to now (None also for one refused as outside)."""
        try:
            return self.loader.locate(path)
        except OutsideTemplateDir:
            return None

    def render(self, name: str, context: dict[str, Any], *, max_chars: int = MAX_RENDERED_CHARS) -> RenderedReply:
        """Render with the admin overrides; raises TemplateRenderError on any failure or failed safety check (and
        RenderInterrupted, which is no fault of the template, when the bot is stopping)."""
        if self.default is self.engine:
            return self.engine.render_reply(name, context, max_chars)
        if name in self._over_budget:
            raise TemplateRenderError(self._over_budget[name])
        kind, value = self._remote("render", name, context, max_chars)
        if kind == "ok":
            assert isinstance(value, RenderedReply)
            return value
        problem = value if isinstance(value, TemplateProblem) else self._budget_problem(name, str(value))
        if problem.over_budget and self._run is not None:
            self._over_budget[name] = problem
        raise TemplateRenderError(problem)

    def render_default(self, name: str, context: dict[str, Any], *,
                       max_chars: int = MAX_RENDERED_CHARS) -> RenderedReply:
        """Render with the shipped files only, in this process."""
        return self.default.render_reply(name, context, max_chars)

    def render_or_default(self, name: str, context: dict[str, Any], *,
                          max_chars: int = MAX_RENDERED_CHARS) -> Rendering:
        """Never lets an admin's mistake stop mail: on failure, the shipped default and the problem to report.

        Raises only when the shipped default fails too (a bug in mailbot itself, which the tests render)."""
        try:
            return Rendering(self.render(name, context, max_chars=max_chars))
        except TemplateRenderError as exc:
            if self.default is self.engine:
                raise
            return Rendering(self.render_default(name, context, max_chars=max_chars), exc.problem)

    def problems(self, name: str, context: dict[str, Any], *,
                 max_chars: int = MAX_RENDERED_CHARS) -> list[TemplateProblem]:
        """Every part tried on its own, so one broken part does not hide another (for `templates check`), under the
        same budgets as a real reply."""
        if self.default is self.engine:
            return self.engine.problems(name, context, max_chars)
        kind, value = self._remote("problems", name, context, max_chars)
        if kind == "problems":
            return list(value)
        return [value if isinstance(value, TemplateProblem) else self._budget_problem(name, str(value))]

    def _remote(self, op: str, name: str, context: dict[str, Any], max_chars: int) -> tuple[str, Any]:
        request = Request(op, tuple(str(root) for root in self.roots), self._run, name, context, max_chars,
                          self.budget.seconds)
        try:
            return worker_for(self.budget).call(request, self._stopping.is_set)
        except WorkerFailed as exc:
            message = took_over(self.budget.seconds) if exc.timed_out else (
                f"{exc}; it may have used over {self.budget.memory_mb} MB")
            return "problem", self._budget_problem(name, message)

    def _budget_problem(self, name: str, message: str) -> TemplateProblem:
        """A render that ran out of budget where no template line could be named: blame the admin's file(s)."""
        admin_files = []
        for part in PARTS:
            try:
                path = self.loader.locate(f"{name}/{part}")
            except OutsideTemplateDir:
                continue
            if path is not None and self.admin_dir is not None and path.is_relative_to(self.admin_dir):
                admin_files.append(str(path))
        where = admin_files[0] if len(admin_files) == 1 else str((self.admin_dir or Path()) / name)
        return TemplateProblem(name, where, None, message if message else used_over(self.budget.memory_mb), True)
