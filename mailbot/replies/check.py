"""`mailbot templates check`: everything that could make a template fail, found before a requester's mail does.

Every file (shipped and admin, English and Welsh) must compile; every template must render, in both languages,
with every sample context in the catalog, within the size cap, with the enquiry reference in its subject; and
no rendered text line may be over 78 columns once its paragraphs are wrapped (a warning: `warnings`); and
every file in the admin directory must be one mailbot reads — a misspelt directory name would otherwise be an
override that silently never applies — and must really be inside it (a symlink out is reported, never read).

Renders run under the bot's own time and memory budgets, so a template that would hang the bot is reported with
the line it was stopped at, and the check still ends within seconds: once a file has run over budget, templates
that include it are not rendered again (it is reported once).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import meta
from jinja2.exceptions import TemplateError, TemplateSyntaxError

from mailbot.config import Settings
from mailbot.replies.catalog import CATALOG, render_limit, sample_contexts
from mailbot.replies.loader import OutsideTemplateDir, read_template_file, shipped_templates_dir
from mailbot.replies.templates import (
    LANGUAGES,
    PARTS,
    RenderBudget,
    TemplateProblem,
    Templates,
)


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[TemplateProblem, ...]
    files: int  # files compiled
    renders: int  # template renderings tried (templates × languages × samples)
    # Lines over 78 columns once wrapped: reported with their file and line, but not problems, because the mail
    # still goes out with this wording and some such lines are right (a URL longer than a line); the exit status is
    # for what would make mailbot send the shipped wording instead.
    warnings: tuple[TemplateProblem, ...] = ()


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
                compiler.parse(read_template_file(path, root), str(relative), str(path))
            except OutsideTemplateDir as exc:
                add(TemplateProblem(_template_of(relative), str(path), None, exc.message or "refused"))
            except UnicodeDecodeError:
                add(TemplateProblem(_template_of(relative), str(path), None, "not UTF-8 text"))
            except TemplateSyntaxError as exc:
                add(TemplateProblem(_template_of(relative), str(path), exc.lineno, f"syntax error: {exc.message}"))
    renders = 0
    budget = RenderBudget(settings.templates.render_seconds, settings.templates.render_memory_mb)
    over_budget: set[str] = set()  # files a render was stopped in: each reported once
    for language in LANGUAGES:
        templates = Templates(admin if admin and admin.is_dir() else None, language, budget)
        for name in CATALOG:
            for context in sample_contexts(name, settings, language):
                if over_budget and _files_used(templates, name) & over_budget:
                    break
                renders += 1
                for problem in templates.problems(name, context, max_chars=render_limit(name)):
                    add(problem)
                    if problem.over_budget:
                        over_budget.add(problem.path)
    if admin is not None and admin.is_dir() and settings.templates.language != "en":
        for problem in _shadowed(admin, settings.templates.language):
            add(problem)
    ordered = sorted(problems.values(), key=lambda p: (p.path, p.line or 0, p.message))
    return CheckReport(tuple(p for p in ordered if not p.warning), files, renders,
                       tuple(p for p in ordered if p.warning))


def _files_used(templates: Templates, name: str) -> set[str]:
    """Every file a template's parts include, extend or import by a constant name (and those files', in turn)."""
    found: set[str] = set()
    pending = [f"{name}/{part}" for part in PARTS]
    seen: set[str] = set()
    while pending:
        wanted = pending.pop()
        if wanted in seen:
            continue
        seen.add(wanted)
        try:
            path = templates.loader.locate(wanted)
            if path is None:
                continue
            found.add(str(path))
            source = templates.loader.get_source(templates.env, wanted)[0]
            pending.extend(ref for ref in meta.find_referenced_templates(templates.env.parse(source)) if ref)
        except (TemplateError, OSError, UnicodeDecodeError):
            continue  # reported by the compile step
    return found


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
