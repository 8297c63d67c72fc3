"""`mailbot demo`: the seed exchange played through real servers and the real bot, with nothing to install.

An embedded pymap IMAP server and aiosmtpd SMTP server run on loopback; the three messages of the Cleveland
Police case are delivered with their 2022 receipt dates; the bot polls, judges, replies and sends through exactly
the code `mailbot run` uses; every reply and the resulting requests table are printed.
"""

from __future__ import annotations

import email
import email.policy
import json
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click

from mailbot.config import Settings, settings_from_mapping
from mailbot.demo.embedded import EmbeddedMailServers, SentMessage
from mailbot.service import Bot
from mailbot.store.accounts import add_user, find_user
from mailbot.store.db import Database
from mailbot.store.models import Case
from mailbot.store.quarterly import quarter_of
from mailbot.store.queries import cases_for_listing
from mailbot.web.passwords import hasher, one_time_password

SEED = Path(__file__).resolve().parent / "data" / "seed-cleveland"
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted")


def demo_settings(servers: EmbeddedMailServers, scenario: dict, data_dir: Path, poll_seconds: int = 5) -> Settings:
    extra = scenario.get("settings", {})
    return settings_from_mapping({
        "data_dir": str(data_dir),
        "mailbox": {"address": scenario["mailbox"], "organisation": extra.get("organisation", "Cleveland Police")},
        "imap": {"host": servers.imap_host, "port": servers.imap_port, "security": "none", "username": servers.user},
        "smtp": {"host": servers.smtp_host, "port": servers.smtp_port, "security": "none"},
        "references": {"format": extra.get("enquiry_reference_format", "{seq}/{year}"),
                       "next": extra.get("enquiry_reference_next", 1)},
        "schedule": {"poll_seconds": poll_seconds},
    }, "demo settings")


def show_reply(sent: SentMessage) -> None:
    message = email.message_from_bytes(sent.raw, policy=email.policy.default)
    click.echo("-" * 78)
    for name in SHOWN_HEADERS:
        if message[name]:
            click.echo(f"{name}: {message[name]}")
    body = message.get_body(("plain",))
    click.echo("")
    click.echo(body.get_content().rstrip() if body else "")


def show_requests(bot: Bot) -> None:
    click.echo("=" * 78)
    click.echo(f"{'REFERENCE':<12} {'STATUS':<8} {'REGIME':<7} {'APPLICANT':<14} {'RECEIVED':<11} DUE")
    with bot.db.session() as session:
        cases: list[Case] = cases_for_listing(session, bot.settings.mailbox.address)
        for case in cases:
            click.echo(f"{case.reference or '#' + str(case.id):<12} {case.status:<8} {case.regime:<7} "
                       f"{case.applicant_name or '-':<14} {case.received or '-'!s:<11} {case.due or '-'!s}")
            for review in case.reviews:
                click.echo(f"{'':<12} internal review received {review.received}, due {review.due}")


def demo_admin(db: Database) -> str:
    """The demo's admin account with a password made for this run (returned); a kept --data-dir already has the
    last run's account, which gets the new password rather than stopping the demo."""
    password = one_time_password()
    with db.session() as session:
        admin = find_user(session, "admin")
        if admin is None:
            admin = add_user(session, "admin", "admin", None, display_name="Demo administrator")
        admin.password_hash, admin.role, admin.active = hasher().hash(password), "admin", True
        admin.must_change_password = False
    return password


def serve_web(settings: Settings, bot: Bot) -> tuple[str, str]:
    """The staff web app on the demo's database, in a background thread, with an admin whose password is made
    for this run (never a fixed default)."""
    from mailbot.web.app import create_app
    from mailbot.web.serving import serve_in_thread

    password = demo_admin(bot.db)
    served = serve_in_thread(create_app(settings, bot.db, secret_key=secrets.token_urlsafe(32)))
    return served.url + "/", password


PUBLIC_USER = "you@public.example"  # the member of the public's own mailbox on the embedded server


def run_demo(*, serve: bool = False, data_dir: str | None = None, imap_port: int = 0, smtp_port: int = 0,
             password: str | None = None) -> int:
    """The seed exchange, then (with `serve`) the servers kept up for a mail client. The database goes in
    `data_dir`, or in a temporary directory that is removed at exit."""
    if data_dir:
        return _play(Path(data_dir), serve, imap_port, smtp_port, password, kept=True)
    with tempfile.TemporaryDirectory(prefix="mailbot-demo-") as workdir:
        return _play(Path(workdir), serve, imap_port, smtp_port, password)


def keep_settings(settings: Settings) -> Path:
    """A settings file beside the kept database, so that every other command can look at what the demo did."""
    path = Path(settings.data_dir) / "demo.toml"
    path.write_text(f"# `mailbot --config {path} requests list` (or messages, digest, stats, web …) reads the demo's "
                    f"database\ndata_dir = {json.dumps(str(Path(settings.data_dir).resolve()))}\n\n[mailbox]\n"
                    f"address = {json.dumps(settings.mailbox.address)}\n"
                    f"organisation = {json.dumps(settings.mailbox.organisation)}\n", encoding="utf-8")
    path.chmod(0o600)  # as `mailbot doctor` asks of a settings file
    return path


def _play(workdir: Path, serve: bool, imap_port: int, smtp_port: int, password: str | None,
          kept: bool = False) -> int:
    scenario = json.loads((SEED / "scenario.json").read_text(encoding="utf-8"))
    password = password or secrets.token_urlsafe(12)
    with EmbeddedMailServers(password=password, user=scenario["mailbox"], imap_port=imap_port, smtp_port=smtp_port,
                             more_users={PUBLIC_USER: password}) as servers:
        settings = demo_settings(servers, scenario, workdir)
        bot = Bot(settings, imap_password=password, smtp_password="")
        click.echo(f"mailbot demo: {settings.mailbox.organisation} <{settings.mailbox.address}>, "
                   f"database {settings.database_url}")
        shown = 0
        for step in scenario["steps"]:
            when = datetime.fromisoformat(step["internaldate"])
            servers.append((SEED / step["deliver"]).read_bytes(), when)
            click.echo("=" * 78)
            click.echo(f"delivered {step['deliver']} (received {when:%d %B %Y %H:%M %Z}); polling")
            bot.cycle()
            for sent in servers.sent[shown:]:
                show_reply(sent)
            shown = len(servers.sent)
        show_requests(bot)
        if kept:
            path = keep_settings(settings)
            click.echo(f"The database is kept in {workdir}: look at it with `mailbot --config {path} requests list` "
                       "(or any other command).")
        if not serve:
            bot.close()
            return 0
        # The web app first: mail that arrives while it starts must not be counted as handled below.
        web_url, web_password = serve_web(settings, bot)
        seed_quarter = quarter_of(datetime.fromisoformat(scenario["steps"][0]["internaldate"]).date())
        show_how_to_connect(servers, settings, web_url, web_password, seed_quarter)
        handled = len(servers.sent)

        def relay(_stats: object) -> None:
            # The embedded SMTP server delivers nothing by itself: mail for the bot's mailbox goes into its INBOX,
            # mail for the member of the public into theirs (the bot's answer arrives in their mail client).
            nonlocal handled
            new, handled = servers.sent[handled:], len(servers.sent)
            for sent in new:
                recipients = {r.lower() for r in sent.rcpt_tos}
                if servers.user.lower() in recipients:
                    servers.append(sent.raw, datetime.now(UTC))
                    click.echo(f"delivered a message from {sent.mail_from} to the bot's INBOX")
                if PUBLIC_USER in recipients:
                    servers.append(sent.raw, datetime.now(UTC), user=PUBLIC_USER)
                    click.echo(f"delivered the bot's answer to {PUBLIC_USER}'s INBOX:")
                if servers.user.lower() not in recipients:
                    show_reply(sent)

        bot.run_forever(after_cycle=relay)
    return 0


def show_how_to_connect(servers: EmbeddedMailServers, settings: Settings, web_url: str, web_password: str,
                        seed_quarter: str) -> None:
    click.echo("=" * 78)
    click.echo(f"Web: {web_url}  sign in as admin / {web_password}")
    click.echo(f"(The seed exchange is from {seed_quarter[:4]}, before the Overview's twelve months: its statistics "
               f"are at {web_url}overview?quarter={seed_quarter}#quarter)")
    click.echo("Serving. To write to the bot as a member of the public, set up a mail client with:")
    click.echo(f"  your address  {PUBLIC_USER}   password {servers.more_users[PUBLIC_USER]}")
    click.echo(f"  IMAP          {servers.imap_host} port {servers.imap_port}, no encryption, user {PUBLIC_USER}")
    click.echo(f"  SMTP          {servers.smtp_host} port {servers.smtp_port}, no encryption, same user and password "
               "(or none)")
    click.echo(f"and send a request to {servers.user}. The bot answers within "
               f"{2 * settings.schedule.poll_seconds} s, into your INBOX.")
    click.echo(f"The bot's own mailbox: IMAP user {servers.user}, password {servers.password}.")
    click.echo("Keep these settings between runs with --imap-port, --smtp-port and --password. Ctrl-C stops.")
