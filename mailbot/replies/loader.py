"""Where a template file comes from: the admin directory first, then the shipped templates, language first.

Jinja2's FileSystemLoader does the search (first root that has the file wins). It is subclassed for what it
lacks, each of which the tests pin:

* a file may never be read from outside the directory it was found in: FileSystemLoader refuses a ".." piece but
  follows any symlink, so `_partials/x.txt -> /etc/passwd` in an admin directory mailed the password file to a
  requester. Here a name with ".." or an absolute name is refused outright, and a file is opened and then its
  *real* path (the kernel's, /proc/self/fd, so a symlink swapped in between a check and the read cannot win)
  must lie inside the real path of its root; a symlink within the root is still followed;

* a cached template is stale as soon as its file's *text* changes, not its mtime (two edits within one
  timestamp tick must not be missed), *or* another root would now win (an admin creates or deletes an
  override): FileSystemLoader's uptodate only compares the one file's mtime;
* `steady()`, one run of the decision runner, in which each name is looked up and checked once: a backlog's
  replies then cost no file reads, and an edit made meanwhile takes effect from the next run;
* `locate()`, the file a name resolves to, so a broken template's alert names the admin file or the shipped one.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, TemplateNotFound
from jinja2.loaders import split_template_path

__all__ = ["MAX_TEMPLATE_BYTES", "OutsideTemplateDir", "OverrideLoader", "read_template_file", "search_roots",
           "shipped_templates_dir"]

MAX_TEMPLATE_BYTES = 1_000_000  # a template is a letter; a bigger file is a mistake (or /dev/zero behind a link)


class OutsideTemplateDir(TemplateNotFound):
    """A template name or file that leads outside its template directory: refused, never read.

    A TemplateNotFound, so anything that treats a missing file as unusable treats this one so too; `path` is the
    file at fault (None for a name refused before any file was looked at)."""

    def __init__(self, name: str, message: str, path: Path | None = None) -> None:
        super().__init__(name, message)
        self.path = path


def _inside(path: str | Path, boundary: Path) -> bool:
    return Path(path).is_relative_to(boundary)


def read_template_file(path: Path, root: Path, name: str | None = None) -> str:
    """The text of `path`, found under `root`, if it really is a regular file inside `root`; else OutsideTemplateDir.

    The file is opened first and its real path taken from the open descriptor, so what is checked is what is read.
    UnicodeDecodeError when it is not UTF-8."""
    boundary = Path(os.path.realpath(root))
    name = name or str(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # O_NONBLOCK: a FIFO must not block the bot
    try:
        proc = f"/proc/self/fd/{fd}"
        real = os.readlink(proc) if os.path.islink(proc) else os.path.realpath(path)
        if not _inside(real, boundary):
            raise OutsideTemplateDir(name, f"{path} leads to {real}, outside its template directory {boundary}: "
                                           "refused (a template may only use files inside its own directory)", path)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OutsideTemplateDir(name, f"{path} is not a regular file: refused", path)
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise OutsideTemplateDir(name, f"{path} is larger than {MAX_TEMPLATE_BYTES:,} bytes: refused", path)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    return data.decode("utf-8")


def _pieces(name: str) -> list[str]:
    """split_template_path, with a reason when a name tries to leave its directory."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise OutsideTemplateDir(name, f"{name}: an absolute path is refused; name a file inside the template "
                                       "directory, e.g. _partials/signature.txt")
    try:
        return split_template_path(name)
    except TemplateNotFound:
        raise OutsideTemplateDir(name, f"{name}: '..' (or a backslash) is refused; name a file inside the template "
                                       "directory, e.g. _partials/signature.txt") from None


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
        self._located: dict[str, tuple[Path, Path] | None] = {}
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
        """The file `name` resolves to (first root that has it), None when none has; OutsideTemplateDir for a name
        that tries to leave the roots or a file (a symlink, or inside a symlinked directory) that leads out."""
        found = self._find(name)
        return found[0] if found else None

    def _find(self, name: str) -> tuple[Path, Path] | None:
        """The file and the root it was found in."""
        if self._steady and name in self._located:
            return self._located[name]
        pieces = _pieces(name)
        found = next(((candidate, root) for candidate, root in ((root.joinpath(*pieces), root) for root in self.roots)
                      if candidate.is_file()), None)
        if found is not None and not _inside(os.path.realpath(found[0]), Path(os.path.realpath(found[1]))):
            raise OutsideTemplateDir(name, f"{found[0]} leads to {os.path.realpath(found[0])}, outside its template "
                                           f"directory {found[1]}: refused", found[0])
        if self._steady:
            self._located[name] = found
        return found

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        found = self._find(template)
        if found is None:
            raise TemplateNotFound(template)
        path, root = found
        source = read_template_file(path, root, template)
        filename = str(path)
        if self._steady:
            self._checked.add(template)

        def uptodate() -> bool:
            if self._steady and template in self._checked:
                return True
            try:
                fresh = self.locate(template) == path and read_template_file(path, root, template) == source
            except (OSError, UnicodeDecodeError, TemplateNotFound):
                return False
            if fresh and self._steady:
                self._checked.add(template)
            return fresh

        return source, filename, uptodate
