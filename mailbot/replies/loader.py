"""Where a template file comes from: the admin directory first, then the shipped templates, language first.

Jinja2's FileSystemLoader does the search (first root that has the file wins; `split_template_path` refuses
"..", so a name can never leave its roots; symlinks inside a root are followed, as they always were). It is
subclassed for what it lacks, each of which the tests pin:

* a cached template is stale as soon as its file's *text* changes, not its mtime (two edits within one
  timestamp tick must not be missed), *or* another root would now win (an admin creates or deletes an
  override): FileSystemLoader's uptodate only compares the one file's mtime;
* `steady()`, one run of the decision runner, in which each name is looked up and checked once: a backlog's
  replies then cost no file reads, and an edit made meanwhile takes effect from the next run;
* `locate()`, the file a name resolves to, so a broken template's alert names the admin file or the shipped one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from jinja2.loaders import split_template_path

__all__ = ["OverrideLoader", "search_roots", "shipped_templates_dir"]


def shipped_templates_dir() -> Path:
    """The templates that ship with mailbot: inside the wheel, or the repository's `templates/` when editable."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_shipped_templates"
    return packaged if packaged.is_dir() else package.parent / "templates"


def search_roots(admin_dir: Path | None, language: str, shipped: Path | None = None) -> list[Path]:
    """Where a file is looked for, first match wins: the language's own files (admin, then shipped) before the
    English ones, so a Welsh deployment never silently loses a Welsh text to an English-only override."""
    shipped = shipped or shipped_templates_dir()
    bases = ([admin_dir] if admin_dir else []) + [shipped]
    roots = [base / language for base in bases] if language != "en" else []
    return roots + bases


class OverrideLoader(FileSystemLoader):
    """FileSystemLoader over several roots, reloading on a changed text or a changed winner (see the module)."""

    def __init__(self, roots: Sequence[Path]) -> None:
        # Normalised, so that a located path is the very string FileSystemLoader names the file by.
        self.roots = tuple(Path(os.path.normpath(root)) for root in roots)
        super().__init__(self.roots, encoding="utf-8")
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
        pieces = split_template_path(name)  # refuses "..", as FileSystemLoader does
        found = next((candidate for candidate in (root.joinpath(*pieces) for root in self.roots)
                      if candidate.is_file()), None)
        if self._steady:
            self._located[name] = found
        return found

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, _ = super().get_source(environment, template)
        path = Path(filename)
        if self._steady:
            self._checked.add(template)

        def uptodate() -> bool:
            if self._steady and template in self._checked:
                return True
            try:
                fresh = self.locate(template) == path and path.read_text(encoding="utf-8") == source
            except OSError:
                return False
            if fresh and self._steady:
                self._checked.add(template)
            return fresh

        return source, filename, uptodate
