"""The command line. Its commands and JSON fields are a contract: scripts outside the project rely on them."""

from __future__ import annotations

import getpass
import importlib
import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy.exc import OperationalError

from mailbot.config import ConfigError, Settings, load_settings, require_for_run

if TYPE_CHECKING:
    from mailbot.judging.decision import Decision
    from mailbot.judging.settings import JudgeSettings
    from mailbot.store.db import Database

EXIT_CONFIG = 2


def setup_logging(level: str) -> None:
    # Messages are named by Message-ID and enquiry reference only; no module logs bodies or addresses at INFO.
    logging.basicConfig(level=getattr(logging, level), format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("imapclient").setLevel(logging.WARNING)


def operator(as_name: str | None) -> str:
    """Who is acting at the command line, for the audit trail: --as NAME, else the operating-system user."""
    if as_name:
        return as_name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _database(ctx: click.Context) -> tuple[Settings, Database]:
    from mailbot.store.db import Database

    settings = _settings(ctx)
    try:
        return settings, Database(settings.database_url)
    except OperationalError as exc:
        click.echo(f"mailbot: database unavailable: {str(exc.orig).strip().splitlines()[0]}", err=True)
        ctx.exit(1)


def _all_settings(ctx: click.Context) -> Settings:
    """The whole configuration (every mailbox)."""
    try:
        return load_settings(ctx.obj.get("config_path"))
    except ConfigError as exc:
        click.echo(f"mailbot: configuration error: {exc}", err=True)
        ctx.exit(EXIT_CONFIG)


def _settings(ctx: click.Context) -> Settings:
    """The settings of the mailbox a command is about: --mailbox-name, or the top-level (default) one."""
    settings = _all_settings(ctx)
    try:
        return settings.for_mailbox(ctx.obj.get("mailbox_name") or "default")
    except ConfigError as exc:
        click.echo(f"mailbot: configuration error: {exc}", err=True)
        ctx.exit(EXIT_CONFIG)


# Commands whose modules are imported only when they are asked for (or listed): importing every command's modules
# cost about 1.5 s of CPU before any command ran (docs/operations.md, "At the size of a real authority").
LAZY_COMMANDS = {"digest": "digest", "doctor": "doctor", "evaluate": "evaluate", "messages": "messages",
                 "requeue": "messages", "requests": "requests", "rules": "rules", "templates": "templates",
                 "web": "web", "users": "web"}


class LazyGroup(click.Group):
    """`main`: a command module registers its commands on `main` when imported, which happens on first use."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            importlib.import_module(f"mailbot.cli.{LAZY_COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in sorted(set(LAZY_COMMANDS.values())):
            importlib.import_module(f"mailbot.cli.{module}")
        return super().list_commands(ctx)


@click.group(cls=LazyGroup)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="MAILBOT_CONFIG",
              help="TOML settings file (default: embedded defaults). Also MAILBOT_CONFIG.")
@click.option("--mailbox-name", "mailbox_name", envvar="MAILBOT_MAILBOX", metavar="NAME",
              help="Which configured mailbox a command is about ([mailboxes.NAME]; default: the top-level one). "
                   "`run` serves every mailbox unless this is given. Also MAILBOT_MAILBOX.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, mailbox_name: str | None) -> None:
    """mailbot answers a UK public authority's FOI mailbox: lawful, threaded, on time."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["mailbox_name"] = mailbox_name


@main.command()
@click.option("--once", is_flag=True, help="Run one poll-judge-reply-send cycle and exit.")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Poll the mailboxes on a schedule, judge each message, reply, and send the outbox."""
    from mailbot.config.permissions import loose_files, secret_files
    from mailbot.service import Bot, run_forever
    from mailbot.store.db import Database

    # Before anything is created: the database, its journals, the leader lock and any file a library writes hold
    # personal data, so they are the bot user's alone (systemd's UMask=0077 says the same; this covers a shell).
    os.umask(0o077)
    settings = _all_settings(ctx)
    setup_logging(settings.log_level)
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
            require_for_run(mailbox)
        db = Database(settings.database_url)  # one database, shared by every mailbox
        bots = [Bot(mailbox, db=db) for mailbox in mailboxes]
    except ConfigError as exc:
        click.echo(f"mailbot: configuration error: {exc}", err=True)
        ctx.exit(EXIT_CONFIG)
    except OperationalError as exc:
        click.echo(f"mailbot: database unavailable: {str(exc.orig).strip().splitlines()[0]}", err=True)
        ctx.exit(1)
    if once:
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
        ctx.exit(1 if failed else 0)
    run_forever(bots)


def check_settings(settings: Settings, mailbox: str | None) -> JudgeSettings:
    """The judge's settings for `check`: the configured mailbox's, or those of the address given with --mailbox."""
    from dataclasses import replace

    judge_settings = settings.judge_settings()
    if mailbox:
        # The own domains as configured, else (the default) the given mailbox's domain, not the configured one's.
        judge_settings = replace(judge_settings, mailbox=mailbox, loop_token=f"mailbot {mailbox}",
                                 own_domains=settings.mailbox.own_domains)
    return judge_settings


def check_record(path: str, decision: Decision) -> dict[str, Any]:
    """One line of `check --json`: a contract for scripts, and what the labelled corpus (tests/) is checked against."""
    return {
        "file": path, "kind": decision.kind, "regime": decision.regime,
        "applicant_name": decision.applicant_name, "address": decision.address,
        "valid": decision.valid if decision.kind in ("request", "follow_up") else None,
        "missing": list(decision.missing), "references": list(decision.references),
        "action": decision.action, "reasons": list(decision.reasons),
    }


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per file.")
@click.option("--mailbox", help="The address the bot answers from (mail from it is a loop).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def check(ctx: click.Context, as_json: bool, mailbox: str | None, files: tuple[str, ...]) -> None:
    """Judge .eml files without a mailbox or database and say what the bot would do."""
    from mailbot.judging.judge import judge
    from mailbot.mail.parse import parse_message

    judge_settings = check_settings(_settings(ctx), mailbox)
    for path in files:
        decision = judge(parse_message(Path(path).read_bytes()), None, judge_settings)
        record = check_record(path, decision)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{path}: {decision.kind} → {decision.action}"
                       + (f" ({decision.regime})" if decision.regime else "")
                       + (f"; missing {', '.join(decision.missing)}" if decision.missing else ""))
            for reason in decision.reasons:
                click.echo(f"    - {reason}")


@main.command()
@click.argument("received", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--regime", type=click.Choice(["foi", "eir", "sar", "internal_review"]), default="foi",
              show_default=True)
@click.option("--extended", is_flag=True, help="With the extension the regime allows (s10(3), EIR reg 7, "
              "review, SAR three months).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def deadline(ctx: click.Context, received: datetime, regime: str, extended: bool, as_json: bool) -> None:
    """The due date of a request received on RECEIVED (YYYY-MM-DD), and why."""
    from mailbot.clock.deadlines import ClockEvent, compute_deadline

    settings = _settings(ctx)
    day = received.date()  # click.DateTime gives a datetime
    events = [ClockEvent(day, "extended")] if extended else []
    result = compute_deadline(regime, day, events, settings.clock_policy())
    assert result.due is not None
    if as_json:
        click.echo(json.dumps({"regime": regime, "received": day.isoformat(), "due": result.due.isoformat(),
                               "extended": extended, "why": result.why, "calendar": result.calendar}))
    else:
        click.echo(f"{result.due:%A} {result.due.day} {result.due:%B %Y}  ({result.why})")


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply every Alembic migration (also done at every start)."""
    _settings, database = _database(ctx)
    database.dispose()
    click.echo(f"database at head: {database.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.option("--serve", is_flag=True, help="Keep the servers and the bot running; print how to connect.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the demo database goes (default: a fresh temporary directory).")
def demo(serve: bool, data_dir: str | None) -> None:
    """Play the seed exchange through embedded IMAP and SMTP servers and the real bot."""
    from mailbot.demo.play import run_demo

    setup_logging(os.environ.get("MAILBOT_LOG_LEVEL", "WARNING"))
    sys.exit(run_demo(serve=serve, data_dir=data_dir))


# The command groups register themselves on `main` when imported, which LazyGroup does on first use.

if __name__ == "__main__":
    main()
