"""`mailbot config`: the documented example, the effective settings and where each value came from, and the
files that ship with the package (the systemd unit, the docs), so an admin needs no checkout of the repository."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import click

from mailbot.cli import _settings, fail, main

# The secrets a deployment may set, as `config show` names them, and the variable each is read from.
SECRETS = (("imap.password", "imap_password"), ("smtp.password", "smtp_password"),
           ("web.secret", "web_secret"), ("web.oidc_secret", "web_oidc_secret"))
MASK = "********"


@main.group("config")
def config_group() -> None:
    """The settings: the documented example, and the effective values with where each came from."""


@config_group.command("example")
def config_example() -> None:
    """Print the example settings file: every key with its default and what it does."""
    from mailbot.cli.shipped import example_settings

    click.echo(example_settings(), nl=False)


@config_group.command("systemd")
def config_systemd() -> None:
    """Print a hardened systemd unit for `mailbot run` (Type=notify, ProtectSystem=strict, …)."""
    from mailbot.cli.shipped import systemd_unit

    click.echo(systemd_unit(), nl=False)


@config_group.command("files")
def config_files() -> None:
    """Where the shipped example, systemd unit and documentation are on this machine."""
    from mailbot.cli.shipped import shipped_path

    click.echo(f"example settings: {shipped_path('config', 'mailbot.example.toml')}")
    click.echo(f"systemd unit:     {shipped_path('config', 'mailbot.service')}")
    click.echo(f"documentation:    {shipped_path('docs')}  (operations.md: running it; architecture.md: the code)")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and not value:
        return "{}"
    return json.dumps(value, ensure_ascii=False, default=str)  # strings, numbers and arrays: TOML spells them so


def _lines(values: dict[str, Any], given: dict[str, Any], prefix: str, origin: str) -> list[tuple[str, str, str]]:
    """(dotted key, value, source) for every leaf; tables (other than empty ones) are followed into."""
    rows = []
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        here = given.get(key) if isinstance(given, dict) else None
        if isinstance(value, dict) and value and key != "mailboxes":
            rows += _lines(value, here if isinstance(here, dict) else {}, dotted + ".", origin)
        else:
            source = origin if isinstance(given, dict) and key in given else "default"
            rows.append((dotted, _toml_value(value), source))
    return rows


def _secret_rows(settings: Any) -> list[tuple[str, str, str]]:
    rows = []
    names = [f"{settings.mailbox_name.replace('-', '_')}_" if settings.mailbox_name != "default" else "", ""]
    for shown, key in _needed_secrets(settings):
        for prefix in dict.fromkeys(names):
            variable = f"MAILBOT_{prefix}{key}".upper()
            if os.environ.get(variable):
                rows.append((shown, MASK, f"environment {variable}"))
                break
            if os.environ.get(f"{variable}_FILE"):
                rows.append((shown, MASK, f"file named by {variable}_FILE"))
                break
        else:
            rows.append((shown, "(not set)", f"MAILBOT_{key.upper()} or MAILBOT_{key.upper()}_FILE"))
    return rows


def _needed_secrets(settings: Any) -> tuple[tuple[str, str], ...]:
    """The secrets this mailbox's settings use: an OAuth mailbox's credential instead of its IMAP password."""
    from mailbot.mailserver.oauth import SECRETS as OAUTH_SECRETS

    oauth = tuple((f"oauth2.{key.removeprefix('oauth2_')}", key) for key in OAUTH_SECRETS[settings.oauth2.provider]) \
        if settings.uses_oauth2 else ()
    plain = tuple((shown, key) for shown, key in SECRETS
                  if not (shown == "imap.password" and settings.imap.auth == "oauth2")
                  and not (shown == "smtp.password" and settings.smtp.auth == "oauth2"))
    return oauth + plain


def _flag_required(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A key `mailbot run` needs the file to state, left at the demo's default, says so (doctor fails on it)."""
    from mailbot.config.settings import REQUIRED_TO_RUN

    return [(key, value, "default: the demo's; set it (required to run)" if source == "default"
             and key in REQUIRED_TO_RUN else source) for key, value, source in rows]


@config_group.command("show")
@click.pass_context
def config_show(ctx: click.Context) -> None:
    """The effective settings of the mailbox (--mailbox-name), each with its source: default, the file, or the
    environment. Secrets are masked; they are never in the file."""
    settings = _settings(ctx)  # checked first: a broken file is reported as every other command reports it
    path = ctx.obj.get("config_path")
    given: dict[str, Any] = {}
    if path:
        try:
            given = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(ctx, f"{path}: {exc}", 2)
        name = settings.mailbox_name
        if name != "default":  # the mailbox's own table counts as the file too
            from mailbot.config.settings import merge_tables

            given = merge_tables({k: v for k, v in given.items() if k != "mailboxes"}, given["mailboxes"][name])
    origin = f"file {path}" if path else "file"
    via = "MAILBOT_CONFIG" if path and os.environ.get("MAILBOT_CONFIG") == path else "--config"
    click.echo(f"# settings: {path} (from {via})" if path else "# settings: none given; every value is the default")
    if settings.mailbox_name != "default":
        click.echo(f"# mailbox: {settings.mailbox_name}")
    rows = _flag_required(_lines(settings.model_dump(mode="json"), given, "", "file")) + _secret_rows(settings)
    width = min(max(len(key) + len(value) + 3 for key, value, _ in rows), 56)
    for key, value, source in rows:
        line = f"{key} = {value}"
        click.echo(f"{line:<{width}}  # {origin if source == 'file' else source}")
