"""`mailbot doctor`: is anything wrong right now? For the moments when mail to staff is exactly what is broken.

It reads only the database and the files on this machine, never the mail servers: an outage of the relay (or of
IMAP) is what the running bot recorded (runners/outages.py), together with the mail waiting because of it, replies
refused for good, quarantined messages and files other users can read. Exit status 1 when anything needs a person.
"""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from mailbot.cli import _database, main


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


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Outages, mail waiting or refused, quarantined messages, files readable by others; exit 1 if any."""
    from mailbot.runners.outages import open_outages
    from mailbot.store.models import InboundMessage, OutboxMessage

    settings, db = _database(ctx)
    mailbox = settings.mailbox.address
    now = datetime.now(UTC)
    problems: list[str] = []
    with db.session() as session:
        for row in open_outages(session, mailbox):
            problems.append(f"OUTAGE {row.detail} (last failure {_as_utc(row.last_at):%Y-%m-%d %H:%M} UTC, "
                            f"{row.occurrences} failed attempts)")
        waiting = session.execute(select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.mailbox == mailbox, OutboxMessage.status.in_(("queued", "sending")))).one()
        failed = session.scalar(select(func.count()).where(OutboxMessage.mailbox == mailbox,
                                                            OutboxMessage.status == "failed")) or 0
        quarantined = session.scalar(select(func.count()).where(InboundMessage.mailbox == mailbox,
                                                                 InboundMessage.status == "quarantined")) or 0
    db.dispose()
    count, oldest = waiting
    if count:
        age = now - _as_utc(oldest)
        line = f"{count} message(s) waiting to be sent, the oldest queued {str(age).split('.')[0]} ago"
        if age.total_seconds() > 3600:  # mail waits a minute or two in normal running; an hour is the relay
            problems.append(line)
        else:
            click.echo(line)
    if failed:
        problems.append(f"{failed} repl{'ies' if failed != 1 else 'y'} refused for good by the mail server: "
                        "`mailbot messages list --unanswered` shows them, `mailbot requeue --failed` retries them")
    if quarantined:
        problems.append(f"{quarantined} quarantined message(s): `mailbot requeue --all` once the cause is fixed")
    problems += _file_problems(ctx.obj.get("config_path"), settings.database_url)
    for problem in problems:
        click.echo(f"PROBLEM: {problem}")
    if not problems:
        click.echo(f"{mailbox}: no outage recorded, nothing refused or quarantined, files private")
    ctx.exit(1 if problems else 0)
