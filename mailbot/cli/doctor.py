"""`mailbot doctor`: does everything work, and if not, what is the fix? The first thing to run after setting mailbot
up, after changing its settings or secrets, and whenever mail to staff is exactly what is broken.

One line per check, ✔ passed, ✘ failed with the fix, – skipped with the reason: the configuration, the secrets,
the database and its migrations, the templates, the calendar, an OAuth token (and how long the credential has
left), the IMAP login and folders, the SMTP login (nothing is sent unless --send-test ADDRESS), then what the
running bot recorded — outages, mail waiting or refused, quarantined messages — and files other users can read.
`--offline` skips the three that talk to servers (for a machine that cannot reach them, or a look at the state
alone). Exit status 0 only when nothing failed.
"""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from mailbot.cli import _settings, main

if TYPE_CHECKING:
    from mailbot.runners.checkup import Check
    from mailbot.store.db import Database


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _file_problems(config_path: str | None, database_url: str) -> list[str]:
    from mailbot.config.permissions import loose_files, secret_files

    problems = loose_files([config_path, *secret_files()])
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        files = [database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm")]
        problems += loose_files(files)
        try:
            mode = stat.S_IMODE(database.parent.stat().st_mode)
        except OSError:
            mode = 0
        if mode & 0o077:
            problems.append(f"{database.parent} (the data directory) is open to other users (mode {mode:o}): "
                            "chmod 700 it")
    return problems


def _state(db: Database, mailbox: str, now: datetime) -> list[Check]:
    """What the running bot recorded: outages, mail waiting or refused for good, quarantined messages."""
    from mailbot.runners.checkup import fail, ok
    from mailbot.runners.outages import open_outages
    from mailbot.store.models import InboundMessage, OutboxMessage

    checks: list[Check] = []
    with db.session() as session:
        for row in open_outages(session, mailbox):
            checks.append(fail("outage", f"{row.detail} (last failure {_as_utc(row.last_at):%Y-%m-%d %H:%M} UTC, "
                                         f"{row.occurrences} failed attempts)"))
        waiting = session.execute(select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.mailbox == mailbox, OutboxMessage.status.in_(("queued", "sending")))).one()
        failed = session.scalar(select(func.count()).where(OutboxMessage.mailbox == mailbox,
                                                            OutboxMessage.status == "failed")) or 0
        quarantined = session.scalar(select(func.count()).where(InboundMessage.mailbox == mailbox,
                                                                 InboundMessage.status == "quarantined")) or 0
    count, oldest = waiting
    if count:
        age = now - _as_utc(oldest)
        line = f"{count} message(s) waiting to be sent, the oldest queued {str(age).split('.')[0]} ago"
        # Mail waits a minute or two in normal running; an hour is the relay.
        checks.append(fail("outbox", line, "see the outage above, or `mailbot messages list`")
                      if age.total_seconds() > 3600 else ok("outbox", line))
    if failed:
        checks.append(fail("outbox", f"{failed} repl{'ies' if failed != 1 else 'y'} refused for good by the mail "
                           "server", "`mailbot messages list --unanswered` shows them, `mailbot requeue --failed` "
                           "retries them"))
    if quarantined:
        checks.append(fail("quarantine", f"{quarantined} quarantined message(s)",
                           "`mailbot requeue --all` once the cause is fixed"))
    if all(check.status == "ok" for check in checks):
        checks.append(ok("state", "no outage recorded, nothing refused or quarantined"))
    return checks


@main.command()
@click.option("--offline", is_flag=True,
              help="Check this machine only: skip the IMAP, SMTP and OAuth token checks.")
@click.option("--send-test", "send_test", metavar="ADDRESS",
              help="Also send one short test message to ADDRESS through the SMTP login.")
@click.pass_context
def doctor(ctx: click.Context, offline: bool, send_test: str | None) -> None:
    """Check the settings, secrets, database, templates, calendar, OAuth, IMAP and SMTP logins and the recorded
    state; one line each (✔, ✘ with the fix, – skipped); exit 1 if anything failed."""
    from mailbot.runners import checkup

    settings = _settings(ctx)
    config_path = ctx.obj.get("config_path")
    now = datetime.now(UTC)
    today = now.date()
    found = checkup.Credentials()
    checks: list[checkup.Check] = [checkup.configuration(settings, config_path), checkup.secrets(settings, found)]
    database, db = checkup.database(settings)
    checks += [database, checkup.templates(settings), checkup.calendar(settings, today)]
    if offline:
        checks += [checkup.skip(name, "--offline") for name in (
            ["OAuth token"] if settings.uses_oauth2 else []) + ["IMAP login", "SMTP login"]]
        checks += checkup.credential_expiry(settings, found.tokens, today) if settings.uses_oauth2 else []
    else:
        checks += checkup.oauth_token(settings, found.tokens, today)
        checks.append(checkup.imap_login(settings, found.imap))
        if db is not None:
            checks.append(checkup.smtp_login(settings, db, found, send_test, lambda: datetime.now(UTC)))
    if db is not None:
        checks += _state(db, settings.mailbox.address, now)
        db.dispose()
    checks += [checkup.fail("files", problem) for problem in _file_problems(config_path, settings.database_url)]
    for check in checks:
        click.echo(check.line)
    failed = [check for check in checks if check.status == "fail"]
    click.echo(f"{settings.mailbox.address}: " + (f"{len(failed)} check(s) failed" if failed else "all checks passed"))
    ctx.exit(1 if failed else 0)
