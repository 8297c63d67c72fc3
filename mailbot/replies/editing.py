"""Editing an admin override from the web: the proposed text tried on a copy of the admin directory first.

Only files the shipped set has can be overridden (so no path a person types can name anything else), the copy is
checked with `check_templates` under the bot's own budgets, and a save replaces the file in one rename: the bot,
the CLI and the web app then read the same directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mailbot.config import Settings
from mailbot.mail.compose import RenderedReply
from mailbot.replies.catalog import CATALOG, render_limit, sample_contexts
from mailbot.replies.check import check_templates
from mailbot.replies.loader import read_template_file, shipped_templates_dir
from mailbot.replies.templates import RenderBudget, TemplateProblem, TemplateRenderError, Templates

MAX_TEMPLATE_BYTES = 64 * 1024
PREVIEW_OF_PARTIAL = "acknowledgement_foi"  # a shared part (signature, layout) is previewed in a typical reply


class EditError(Exception):
    """An edit that cannot be tried or saved as given; the message says why."""


def editable_files() -> list[str]:
    """Every shipped template file, as a path relative to the template directory ("cy/…" for Welsh)."""
    root = shipped_templates_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts)
                  and not p.name.upper().startswith("README"))


def _checked(path: str) -> str:
    if path not in editable_files():
        raise EditError("That is not one of mailbot's template files.")
    return path


def shipped_text(path: str) -> str:
    root = shipped_templates_dir()
    return read_template_file(root / _checked(path), root)


def override_text(admin_dir: Path | None, path: str) -> str | None:
    if admin_dir is None:
        return None
    target = admin_dir / _checked(path)
    if not target.is_file():
        return None
    return read_template_file(target, admin_dir)


def language_and_name(path: str) -> tuple[str, str]:
    """Which language and which template a file belongs to (a shared part: the typical reply that uses it)."""
    parts = Path(path).parts
    language = "cy" if parts[0] == "cy" else "en"
    parts = parts[1:] if language == "cy" else parts
    name = parts[0] if parts[0] in CATALOG else PREVIEW_OF_PARTIAL
    return language, name


@contextmanager
def trial(admin_dir: Path | None, path: str, content: str) -> Iterator[Path]:
    """A temporary copy of the admin directory with `content` at `path`; removed afterwards."""
    if len(content.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise EditError(f"A template file may be at most {MAX_TEMPLATE_BYTES // 1024} KB.")
    _checked(path)
    with tempfile.TemporaryDirectory(prefix="mailbot-template-") as tmp:
        copy = Path(tmp) / "admin"
        copy.mkdir()
        if admin_dir is not None and admin_dir.is_dir():
            for relative in editable_files():  # regular files mailbot reads, never links out
                source = admin_dir / relative
                if source.is_file() and not source.is_symlink():
                    (copy / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, copy / relative)
        (copy / path).parent.mkdir(parents=True, exist_ok=True)
        (copy / path).write_text(content.replace("\r\n", "\n"), encoding="utf-8")
        yield copy


@dataclass(frozen=True)
class Tried:
    """What an edit would do: the reply rendered with sample data, and any problem with file:line."""

    rendered: RenderedReply | None
    problems: tuple[str, ...]


def _shown(problem: TemplateProblem, copy: Path) -> str:
    return str(problem).replace(str(copy), "templates.dir")


def preview(settings: Settings, admin_dir: Path | None, path: str, content: str, sample: int = 0) -> Tried:
    """The template rendered from the edited copy under the bot's budgets (an edit that hangs says so)."""
    language, name = language_and_name(path)
    budget = RenderBudget(settings.templates.render_seconds, settings.templates.render_memory_mb)
    with trial(admin_dir, path, content) as copy:
        contexts = sample_contexts(name, settings, language)
        engine = Templates(copy, language, budget)
        try:
            rendered = engine.render(name, contexts[min(sample, len(contexts) - 1)], max_chars=render_limit(name))
        except TemplateRenderError as exc:
            return Tried(None, (_shown(exc.problem, copy),))
    return Tried(rendered, ())


def check(settings: Settings, admin_dir: Path | None, path: str, content: str) -> tuple[str, ...]:
    """Every problem the whole admin directory would have with this edit, as `file:line: message`."""
    with trial(admin_dir, path, content) as copy:
        report = check_templates(settings, copy)
        return tuple(_shown(p, copy) for p in report.problems)


def save(admin_dir: Path, path: str, content: str) -> None:
    """Write the override in one rename, so the bot never reads half a file."""
    target = admin_dir / _checked(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".edit-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content.replace("\r\n", "\n"))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def revert(admin_dir: Path, path: str) -> bool:
    """Back to the shipped wording: the override goes. False if there was none."""
    target = admin_dir / _checked(path)
    if not target.is_file():
        return False
    target.unlink()
    return True


__all__ = ["EditError", "Tried", "check", "editable_files", "language_and_name", "override_text", "preview",
           "revert", "save", "shipped_text"]
