"""Administrators' pages: who may sign in (users) and what everyone did (the audit trail).

Roles are checked here, on the server, for every request: a staff account gets 403 whatever it posts.
"""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailbot.store.accounts import ROLES, AccountError, add_user, record_action
from mailbot.store.models import StaffAction, User
from mailbot.web.context import web_context
from mailbot.web.linking import link, unlink
from mailbot.web.passwords import one_time_password
from mailbot.web.security import checked_form, form_text, require_user

AUDIT_PAGE = 100


async def users_page(request: Request, *, error: str | None = None, created: tuple[str, str] | None = None,
                     status_code: int = 200) -> Response:
    web = web_context(request)
    require_user(request, "admin")
    with web.session() as session:
        users = list(session.scalars(select(User).order_by(func.lower(User.name))))
    return web.render(request, "users.html", status_code=status_code, users=users, roles=ROLES, error=error,
                      created=created, mailboxes=sorted(web.by_mailbox), tenant=web.settings.web.oidc_tenant_id)


async def add(request: Request) -> Response:
    web = web_context(request)
    admin = require_user(request, "admin")
    form = await checked_form(request)
    name, role = form_text(form, "name").strip(), form_text(form, "role")
    mailboxes = tuple(m for m in form.getlist("mailboxes") if isinstance(m, str) and m in web.by_mailbox)
    password = one_time_password()
    try:
        with web.session() as session:
            add_user(session, name, role, web.hasher.hash(password), display_name=form_text(form, "display_name"),
                     mailboxes=mailboxes)
            record_action(session, admin.name, "user_added", user=name, role=role, mailboxes=list(mailboxes))
    except AccountError as exc:
        return await users_page(request, error=str(exc), status_code=400)
    # Shown once, on this page only: the person changes it at first sign-in.
    return await users_page(request, created=(name, password))


async def change(request: Request) -> Response:
    """Set a role, deactivate or reactivate, reset the password, or link/unlink the Microsoft identity of one
    account."""
    web = web_context(request)
    admin = require_user(request, "admin")
    form = await checked_form(request)
    what = form_text(form, "what")
    created, error = None, None
    if request.path_params["user_id"] == admin.id and what in ("deactivate", "role"):
        return await users_page(request, error="You cannot deactivate yourself or change your own role "
                                "(another administrator can).", status_code=400)
    with web.session() as session:
        user = session.get(User, request.path_params["user_id"])
        if user is None:
            raise HTTPException(404, "There is no such user.")
        if what == "role" and form_text(form, "role") in ROLES:
            user.role = form_text(form, "role")
            record_action(session, admin.name, "user_role", user=user.name, role=user.role)
        elif what == "deactivate":
            user.active = False
            record_action(session, admin.name, "user_deactivated", user=user.name)
        elif what == "reactivate":
            user.active = True
            record_action(session, admin.name, "user_reactivated", user=user.name)
        elif what == "link":
            try:
                link(session, user, form_text(form, "tid"), form_text(form, "oid"))
            except AccountError as exc:  # nothing was changed
                error = str(exc)
            else:
                record_action(session, admin.name, "user_linked", user=user.name, tid=user.oidc_tid,
                              oid=user.oidc_oid)
        elif what == "unlink":
            unlink(user)
            record_action(session, admin.name, "user_unlinked", user=user.name)
        elif what == "reset":
            password = one_time_password()
            user.password_hash, user.must_change_password = web.hasher.hash(password), True
            record_action(session, admin.name, "password_reset", user=user.name)
            created = (user.name, password)
        else:
            raise HTTPException(400, "Nothing to change.")
    if error:
        return await users_page(request, error=error, status_code=400)
    if created:
        return await users_page(request, created=created)
    return RedirectResponse("/admin/users", status_code=303)


async def audit_page(request: Request) -> Response:
    web = web_context(request)
    require_user(request, "admin")
    action = request.query_params.get("action", "")
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    with web.session() as session:
        query = select(StaffAction).order_by(StaffAction.id.desc())
        if action:
            query = query.where(StaffAction.action == action)
        rows = list(session.scalars(query.offset((page - 1) * AUDIT_PAGE).limit(AUDIT_PAGE + 1)))
        actions = list(session.scalars(select(StaffAction.action).distinct().order_by(StaffAction.action)))
    return web.render(request, "audit.html", rows=rows[:AUDIT_PAGE], more=len(rows) > AUDIT_PAGE, page=page,
                      action=action, actions=actions)


ROUTES = [
    Route("/admin/users", users_page, methods=["GET"]),
    Route("/admin/users", add, methods=["POST"]),
    Route("/admin/users/{user_id:int}", change, methods=["POST"]),
    Route("/admin/audit", audit_page, methods=["GET"]),
]
