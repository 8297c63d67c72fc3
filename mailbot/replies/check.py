"""`mailbot templates check`: everything that could make a template fail, found before a requester's mail does.

Every file (shipped and admin, English and Welsh) must compile; every template must render, in both languages,
with every sample context in the catalog, within the size cap, with the enquiry reference in its subject; and
every file in the admin directory must be one mailbot reads — a misspelt directory name would otherwise be an
override that silently never applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2.exceptions import TemplateSyntaxError

from mailbot.config import Settings
from mailbot.replies.catalog import CATALOG, render_limit, sample_contexts
from mailbot.replies.loader import shipped_templates_dir
from mailbot.replies.templates import (
    LANGUAGES,
    PARTS,
    TemplateProblem,
    Templates,
)


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[TemplateProblem, ...]
    files: int  # files compiled
    renders: int  # template renderings tried (templates × languages × samples)


def _template_of(relative: Path) -> str:
    parts = relative.parts[1:] if relative.parts[:1] == ("cy",) else relative.parts
    return parts[0] if parts else ""


def _layout_problem(relative: Path) -> str | None:
    """Why a file in a template root is never read by mailbot, or None when it is."""
    parts = relative.parts
    if parts[:1] == ("cy",):
        parts = parts[1:]
    if not parts:
        return None
    if parts[0] == "_partials":
        return None
    if len(parts) == 1:
        return "not read by mailbot: files belong in a template directory or _partials/"
    if parts[0] not in CATALOG:
        return (f"not read by mailbot: there is no template named {parts[0]!r} "
                f"(templates: {', '.join(CATALOG)})")
    if len(parts) != 2 or parts[1] not in PARTS:
        return f"not read by mailbot: a template directory holds only {', '.join(PARTS)}"
    return None


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts)
                  and not p.name.upper().startswith("README"))


def check_templates(settings: Settings, admin_dir: str | Path | None = None) -> CheckReport:
    """Every problem with the shipped templates plus the admin directory, each located `path:line`."""
    admin = Path(admin_dir) if admin_dir else None
    problems: dict[str, TemplateProblem] = {}

    def add(problem: TemplateProblem) -> None:
        problems.setdefault(str(problem), problem)

    roots = [shipped_templates_dir()] + ([admin] if admin else [])
    if admin is not None and not admin.is_dir():
        add(TemplateProblem("", str(admin), None, "the admin template directory (templates.dir) does not exist"))
        roots = roots[:1]
    compiler = Templates(None).env
    files = 0
    for root in roots:
        for path in _files(root):
            relative = path.relative_to(root)
            reason = _layout_problem(relative)
            if reason:
                add(TemplateProblem(_template_of(relative), str(path), None, reason))
                continue
            files += 1
            try:
                compiler.parse(path.read_text(encoding="utf-8"), str(relative), str(path))
            except UnicodeDecodeError:
                add(TemplateProblem(_template_of(relative), str(path), None, "not UTF-8 text"))
            except TemplateSyntaxError as exc:
                add(TemplateProblem(_template_of(relative), str(path), exc.lineno, f"syntax error: {exc.message}"))
    renders = 0
    for language in LANGUAGES:
        templates = Templates(admin if admin and admin.is_dir() else None, language)
        for name in CATALOG:
            for context in sample_contexts(name, settings, language):
                renders += 1
                for problem in templates.problems(name, context, max_chars=render_limit(name)):
                    add(problem)
    if admin is not None and admin.is_dir() and settings.templates.language != "en":
        for problem in _shadowed(admin, settings.templates.language):
            add(problem)
    ordered = sorted(problems.values(), key=lambda p: (p.path, p.line or 0, p.message))
    return CheckReport(tuple(ordered), files, renders)


def _shadowed(admin: Path, language: str) -> list[TemplateProblem]:
    """English overrides that a shipped file in the configured language takes precedence over."""
    shipped_language = shipped_templates_dir() / language
    found = []
    for path in _files(admin):
        relative = path.relative_to(admin)
        if relative.parts[:1] == (language,) or _layout_problem(relative):
            continue
        if (shipped_language / relative).is_file():
            found.append(TemplateProblem(
                _template_of(relative), str(path), None,
                f"not used while templates.language = {language!r}: the shipped {language}/{relative} comes first; "
                f"put your override in {admin / language / relative}"))
    return found
