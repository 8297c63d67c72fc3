"""`mailbot web` serves the staff web app; `mailbot users` manages who may sign in to it."""

from __future__ import annotations

import click

from mailbot.cli import _all_settings, _database, fail, main, operator, start_logging
from mailbot.store.accounts import ROLES, AccountError, add_user, find_user, record_action
from mailbot.web.linking import link, unlink
from mailbot.web.passwords import hasher, one_time_password


@main.command("web")
@click.option("--host", default=None, help="Address to listen on (default: web.host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: web.port, 8025).")
@click.pass_context
def web(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the staff web app on the configured database, beside `mailbot run`."""
    import uvicorn

    from mailbot.store.db import DriverMissing, SchemaProblem, open_existing
    from mailbot.web.app import create_app

    settings = _all_settings(ctx)
    start_logging(ctx, settings.log_level)
    try:  # the web app never creates or migrates the database: `mailbot run` or `mailbot db upgrade` does
        database = open_existing(settings.database_url)
    except (SchemaProblem, DriverMissing) as exc:
        fail(ctx, str(exc))
    app = create_app(settings, database)
    bind_host, bind_port = host or settings.web.host, port or settings.web.port
    click.echo(f"Web: http://{bind_host}:{bind_port}/", err=True)
    uvicorn.run(app, host=bind_host, port=bind_port, log_level=settings.log_level.lower(), proxy_headers=True,
                forwarded_allow_ips="127.0.0.1", server_header=False)


@main.group()
def users() -> None:
    """Accounts for the staff web app."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="staff: casework; admin: also users and wording.")
@click.option("--display-name", default="", help="How the person is named on pages (default: NAME).")
@click.option("--mailbox", "mailboxes", multiple=True, help="Limit to this mailbox address (repeat; default: all).")
@click.option("--as", "as_name", default=None, help="Who is adding the account (default: your system user name).")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, display_name: str, mailboxes: tuple[str, ...],
              as_name: str | None) -> None:
    """Add an account; prints a one-time password, to be changed at first sign-in."""
    _settings, db = _database(ctx)
    password = one_time_password()
    try:
        with db.session() as session:
            add_user(session, name, role, hasher().hash(password), display_name=display_name, mailboxes=mailboxes)
            record_action(session, operator(as_name), "user_added", via="cli", user=name, role=role)
    except AccountError as exc:
        click.echo(f"mailbot: {exc}", err=True)
        ctx.exit(1)
    click.echo(f"added {name} ({role}); one-time password: {password}")


@users.command("reset-password")
@click.argument("name")
@click.option("--as", "as_name", default=None, help="Who is resetting it (default: your system user name).")
@click.pass_context
def users_reset(ctx: click.Context, name: str, as_name: str | None) -> None:
    """Give an account a new one-time password (to be changed at the next sign-in); reactivates it."""
    _settings, db = _database(ctx)
    password = one_time_password()
    with db.session() as session:
        user = find_user(session, name)
        if user is None:
            click.echo(f"mailbot: no user {name!r}", err=True)
            ctx.exit(1)
        user.password_hash, user.must_change_password, user.active = hasher().hash(password), True, True
        record_action(session, operator(as_name), "password_reset", via="cli", user=user.name)
    click.echo(f"{name}: one-time password: {password}")


@users.command("link")
@click.argument("name")
@click.option("--tid", required=True, help="The Entra ID tenant (directory) id: web.oidc_tenant_id.")
@click.option("--oid", required=True, help="The person's object id in that tenant (Entra admin centre, Users).")
@click.option("--as", "as_name", default=None, help="Who is linking it (default: your system user name).")
@click.pass_context
def users_link(ctx: click.Context, name: str, tid: str, oid: str, as_name: str | None) -> None:
    """Let an account sign in with Microsoft: bind it to one Entra ID identity (tenant id + object id, never an
    e-mail address)."""
    _settings, db = _database(ctx)
    try:
        with db.session() as session:
            user = find_user(session, name)
            if user is None:
                raise AccountError(f"no user {name!r}")
            link(session, user, tid, oid)
            record_action(session, operator(as_name), "user_linked", via="cli", user=user.name, tid=user.oidc_tid,
                          oid=user.oidc_oid)
    except AccountError as exc:
        click.echo(f"mailbot: {exc}", err=True)
        ctx.exit(1)
    click.echo(f"{name}: signs in with Microsoft as object id {oid.strip().lower()} in tenant {tid.strip().lower()}")


@users.command("unlink")
@click.argument("name")
@click.option("--as", "as_name", default=None, help="Who is unlinking it (default: your system user name).")
@click.pass_context
def users_unlink(ctx: click.Context, name: str, as_name: str | None) -> None:
    """Stop an account signing in with Microsoft (its password, if any, still works)."""
    _settings, db = _database(ctx)
    with db.session() as session:
        user = find_user(session, name)
        if user is None:
            click.echo(f"mailbot: no user {name!r}", err=True)
            ctx.exit(1)
        unlink(user)
        record_action(session, operator(as_name), "user_unlinked", via="cli", user=user.name)
    click.echo(f"{name}: no longer signs in with Microsoft")
