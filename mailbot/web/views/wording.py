"""Administrators change reply wording here: each template file with the shipped text beside the override, a
preview rendered from the edit under the bot's own sandbox and budgets, a save that first runs the template check
(problems shown as `file:line`), every saved version kept with who saved it, and a revert to the shipped wording.

Files are saved into `templates.dir`, the directory the bot and `mailbot templates` already read.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailbot.replies.editing import (
    EditError,
    check,
    editable_files,
    language_and_name,
    override_text,
    preview,
    revert,
    save,
    shipped_text,
)
from mailbot.store.accounts import record_action
from mailbot.store.models import TemplateVersion
from mailbot.web.context import WebContext, web_context
from mailbot.web.security import checked_form, form_text, require_user


def _admin_dir(web: WebContext) -> Path | None:
    configured = web.settings.templates.dir
    return Path(configured) if configured else None


async def list_page(request: Request) -> Response:
    web = web_context(request)
    require_user(request, "admin")
    admin_dir = _admin_dir(web)
    files = [(path, admin_dir is not None and (admin_dir / path).is_file()) for path in editable_files()]
    return web.render(request, "wording_list.html", files=files, admin_dir=admin_dir)


async def edit_page(request: Request, *, content: str | None = None, tried: object = None,
                    problems: tuple[str, ...] = (), saved: bool = False, status_code: int = 200,
                    path: str | None = None) -> Response:
    web = web_context(request)
    require_user(request, "admin")
    path = path if path is not None else request.query_params.get("path", "")
    admin_dir = _admin_dir(web)
    try:
        shipped = shipped_text(path)
        current = override_text(admin_dir, path)
    except EditError as exc:
        raise HTTPException(404, str(exc)) from None
    with web.session() as session:
        versions = list(session.scalars(select(TemplateVersion).where(TemplateVersion.path == path)
                                        .order_by(TemplateVersion.id.desc()).limit(20)))
    language, name = language_and_name(path)
    return web.render(request, "wording_edit.html", status_code=status_code, path=path, shipped=shipped,
                      current=current, content=content if content is not None else (current or shipped),
                      tried=tried, problems=problems, saved=saved or request.query_params.get("saved") == "1",
                      versions=versions, admin_dir=admin_dir, language=language, template_name=name)


async def act(request: Request) -> Response:
    web = web_context(request)
    admin = require_user(request, "admin")
    form = await checked_form(request)
    path, what = form_text(form, "path"), form_text(form, "what")
    content = form_text(form, "content")
    admin_dir = _admin_dir(web)
    try:
        if what == "preview":
            # Rendering runs in the budgeted worker; off the event loop, so a slow template slows only this page.
            tried = await asyncio.to_thread(preview, web.settings, admin_dir, path, content)
            return await edit_page(request, content=content, tried=tried, problems=tried.problems, path=path)
        if admin_dir is None:
            raise EditError("Set templates.dir in the settings (a directory the bot can read) to save edits.")
        if what == "save":
            problems = await asyncio.to_thread(check, web.settings, admin_dir, path, content)
            if problems:
                return await edit_page(request, content=content, problems=problems, status_code=400, path=path)
            save(admin_dir, path, content)
            stored: str | None = content
        elif what == "revert":
            if not revert(admin_dir, path):
                raise EditError("There is no override to remove: the shipped wording is in use.")
            stored = None
        else:
            raise HTTPException(400, "Nothing to do.")
    except EditError as exc:
        return await edit_page(request, content=content, problems=(str(exc),), status_code=400, path=path)
    with web.session() as session:
        session.add(TemplateVersion(path=path, content=stored, actor=admin.name))
        record_action(session, admin.name, "template_saved" if stored is not None else "template_reverted",
                      path=path)
    return RedirectResponse(f"/admin/templates/edit?path={path}&saved=1", status_code=303)


ROUTES = [
    Route("/admin/templates", list_page, methods=["GET"]),
    Route("/admin/templates/edit", edit_page, methods=["GET"]),
    Route("/admin/templates/edit", act, methods=["POST"]),
]
