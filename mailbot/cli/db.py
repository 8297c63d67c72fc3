"""`mailbot db`: the database schema. `db upgrade` is one of the three commands that create and migrate."""

from __future__ import annotations

import click

from mailbot.cli import _database, main


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create the database if need be and apply every Alembic migration (`run` does too, at every start)."""
    _settings, database = _database(ctx, create=True)
    database.dispose()
    click.echo(f"database at head: {database.engine.url.render_as_string(hide_password=True)}")
