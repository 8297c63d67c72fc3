"""The command line. Its commands and JSON fields are a contract: scripts outside the project rely on them.

Start-up time is part of the contract too (`benchmarks/bench_startup.py`): this module imports click and the
standard library only; each command imports what it needs (the settings, SQLAlchemy, the judge) when it runs.
"""

from __future__ import annotations

import getpass
import importlib
import logging
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from mailbot.cli.logs import LOG_FORMATS, LOG_LEVELS, setup_logging

if TYPE_CHECKING:
    from mailbot.config import Settings
    from mailbot.store.db import Database

EXIT_CONFIG = 2
EXIT_NO_DATABASE = 1

__all__ = ["EXIT_CONFIG", "LAZY_COMMANDS", "config_error", "fail", "main", "operator", "setup_logging", "start_logging"]


def operator(as_name: str | None) -> str:
    """Who is acting at the command line, for the audit trail: --as NAME, else the operating-system user."""
    if as_name:
        return as_name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def fail(ctx: click.Context, message: str, status: int = 1) -> NoReturn:
    """One line on standard error, prefixed with the program's name, and the exit status that says what kind."""
    click.echo(f"mailbot: {message}", err=True)
    ctx.exit(status)


def config_error(ctx: click.Context, error: Exception) -> NoReturn:
    """Every problem the settings have, one line each (all of them at once, not the first only), and exit 2."""
    for line in str(error).splitlines():
        click.echo(f"mailbot: configuration error: {line}", err=True)
    ctx.exit(EXIT_CONFIG)


def _database(ctx: click.Context, *, create: bool = False) -> tuple[Settings, Database]:
    """The configured database. Only `run`, `db upgrade` and the demo pass create=True: every other command opens
    a database that exists at the current schema, and says so (exit 1) rather than creating or migrating one."""
    from sqlalchemy.exc import OperationalError

    from mailbot.store.db import Database, DriverMissing, SchemaProblem, open_existing

    settings = _settings(ctx)
    try:
        return settings, (Database(settings.database_url) if create else open_existing(settings.database_url))
    except (SchemaProblem, DriverMissing) as exc:
        fail(ctx, str(exc), EXIT_NO_DATABASE)
    except OperationalError as exc:
        fail(ctx, f"database unavailable: {str(exc.orig).strip().splitlines()[0]}")


def _all_settings(ctx: click.Context) -> Settings:
    """The whole configuration (every mailbox)."""
    from mailbot.config import ConfigError, load_settings

    try:
        return load_settings(ctx.obj.get("config_path"))
    except ConfigError as exc:
        config_error(ctx, exc)


def _settings(ctx: click.Context) -> Settings:
    """The settings of the mailbox a command is about: --mailbox-name, or the top-level (default) one."""
    from mailbot.config import ConfigError

    settings = _all_settings(ctx)
    try:
        return settings.for_mailbox(ctx.obj.get("mailbox_name") or "default")
    except ConfigError as exc:
        config_error(ctx, exc)


def start_logging(ctx: click.Context, configured_level: str) -> None:
    """For the long-running commands: --log-level (or MAILBOT_LOG_LEVEL) over the configured log_level."""
    setup_logging(ctx.obj.get("log_level") or configured_level, ctx.obj.get("log_format") or "text")


# Commands whose modules are imported only when they are asked for: importing every command's modules cost about
# 1.5 s before any command ran. Each module registers its commands on `main` when imported.
LAZY_COMMANDS = {"check": "check", "config": "config", "db": "db", "deadline": "deadline", "demo": "demo",
                 "digest": "digest", "doctor": "doctor", "evaluate": "evaluate", "messages": "messages",
                 "requeue": "messages", "requests": "requests", "rules": "rules", "templates": "templates",
                 "web": "web", "users": "web", "retention": "retention", "stats": "stats", "person": "person"}
# Options of `main` that may also follow the command (`mailbot run --config x.toml`), as people type them.
GLOBAL_OPTIONS = ("--config", "--mailbox-name", "--log-level", "--log-format")


def hoist_global_options(args: list[str]) -> list[str]:
    """Moves global options written after the command to before it, where click looks for them. Stops at `--`;
    a command's own options never share these names."""
    hoisted: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and rest:
            takes_next = "=" not in arg and index + 1 < len(args)
            hoisted.extend(args[index:index + 2] if takes_next else [arg])
            index += 2 if takes_next else 1
            continue
        rest.append(arg)
        index += 1
    return hoisted + rest


class LazyGroup(click.Group):
    """`main`: commands are imported on first use; `--help` lists them from their source without importing any."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            importlib.import_module(f"mailbot.cli.{LAZY_COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(LAZY_COMMANDS))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from mailbot.cli.summaries import summaries

        names = self.list_commands(ctx)
        unloaded = summaries({module for name, module in LAZY_COMMANDS.items() if name not in self.commands})
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:  # a stand-in command shortens a summary exactly as the real one would
            command = self.commands.get(name) or click.Command(name, help=unloaded.get(name, ""))
            rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mailbot")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"mailbot {_version()} (Python {sys.version.split()[0]})")
        ctx.exit(0)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Global options may also follow the command (`mailbot run --config mailbot.toml`). "
                    "Shell completion: docs/operations.md, \"Shell completion\".")
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Print the version and exit.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="MAILBOT_CONFIG",
              help="TOML settings file (default: embedded defaults). Also MAILBOT_CONFIG.")
@click.option("--mailbox-name", "mailbox_name", envvar="MAILBOT_MAILBOX", metavar="NAME",
              help="Which configured mailbox a command is about ([mailboxes.NAME]; default: the top-level one). "
                   "`run` serves every mailbox unless this is given. Also MAILBOT_MAILBOX.")
@click.option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), envvar="MAILBOT_LOG_LEVEL",
              help="Log from this level up (default: the file's log_level). Also MAILBOT_LOG_LEVEL.")
@click.option("--log-format", type=click.Choice(LOG_FORMATS), envvar="MAILBOT_LOG_FORMAT",
              help="text (default) or json: one JSON object a line, for log collectors. Also MAILBOT_LOG_FORMAT.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, mailbox_name: str | None, log_level: str | None,
         log_format: str | None) -> None:
    """mailbot answers a UK public authority's FOI mailbox: lawful, threaded, on time."""
    obj: dict[str, Any] = ctx.ensure_object(dict)
    obj.update(config_path=config_path, mailbox_name=mailbox_name, log_level=log_level and log_level.upper(),
               log_format=log_format)
    if log_level or log_format:  # the one-shot commands log only when asked to
        setup_logging(log_level or "WARNING", log_format or "text")


@main.command()
@click.option("--once", is_flag=True, help="Run one poll-judge-reply-send cycle and exit.")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Poll the mailboxes on a schedule, judge each message, reply, and send the outbox."""
    from sqlalchemy.exc import OperationalError

    from mailbot.config import ConfigError, require_for_run
    from mailbot.config.permissions import loose_files, secret_files
    from mailbot.service import Bot, run_forever
    from mailbot.store.db import Database, DriverMissing

    # Before anything is created: the database, its journals, the leader lock and any file a library writes hold
    # personal data, so they are the bot user's alone (systemd's UMask=0077 says the same; this covers a shell).
    os.umask(0o077)
    settings = _all_settings(ctx)
    start_logging(ctx, settings.log_level)
    for problem in loose_files([ctx.obj.get("config_path"), *secret_files()]):
        logging.getLogger("mailbot").warning("%s", problem)
    if ctx.obj.get("config_path") is None:
        click.echo("mailbot: configuration error: no configuration file; pass --config or set MAILBOT_CONFIG "
                   "(every key is documented in config/mailbot.example.toml)", err=True)
        ctx.exit(EXIT_CONFIG)
    chosen = ctx.obj.get("mailbox_name")
    try:
        mailboxes = [settings.for_mailbox(chosen)] if chosen else settings.all_mailboxes()
        for mailbox in mailboxes:
            try:
                require_for_run(mailbox)
            except ConfigError as exc:  # keys of the file: name it (and the mailbox), as a loading error does
                where = ctx.obj["config_path"] + (f" [mailboxes.{mailbox.mailbox_name}]"
                                                   if mailbox.mailbox_name != "default" else "")
                raise ConfigError("\n".join(f"{where}: {line}" for line in str(exc).splitlines())) from None
        db = Database(settings.database_url)  # one database, shared by every mailbox
        bots = [Bot(mailbox, db=db) for mailbox in mailboxes]
    except ConfigError as exc:
        config_error(ctx, exc)
    except OperationalError as exc:
        click.echo(f"mailbot: database unavailable: {str(exc.orig).strip().splitlines()[0]}", err=True)
        ctx.exit(1)
    except DriverMissing as exc:
        fail(ctx, str(exc))
    if once:
        from mailbot.cli.progress import progress_on_terminal

        with progress_on_terminal():
            failed = _once(bots)
        ctx.exit(1 if failed else 0)
    notify_systemd("READY=1")  # under systemd's Type=notify: started, settings checked, database migrated
    run_forever(bots)


def _once(bots: list[Any]) -> bool:
    """One cycle for each mailbox; True if any failed (another instance leading it, its IMAP unreachable or a login
    refused)."""
    failed = False
    for bot in bots:
        if not bot.lead():
            click.echo(f"mailbot: another instance holds the scheduler lock of {bot.settings.mailbox.address}; "
                       "nothing done for it", err=True)
            failed = True
            continue
        stats = bot.cycle()
        bot.leader.release()
        for error in (stats.imap_error, stats.smtp_error):
            if error is not None:
                click.echo(f"mailbot: {bot.settings.mailbox.address}: {error}", err=True)
        failed = failed or stats.imap_error is not None or stats.smtp_error is not None
    for bot in bots:
        bot.close()
    return failed


def notify_systemd(state: str) -> None:
    """sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET, when systemd gave one (Type=notify)."""
    import socket

    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        logging.getLogger("mailbot").warning("could not tell systemd %s (%s)", state, exc)
