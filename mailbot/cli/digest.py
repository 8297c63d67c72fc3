"""`mailbot digest`: the staff digest, previewed (nothing recorded) or sent now (recorded, so never repeated)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from mailbot.cli import EXIT_CONFIG, _database, config_error, main
from mailbot.cli.rendered import show_rendered
from mailbot.clock.workdays import LONDON
from mailbot.config import ConfigError, secret
from mailbot.replies.templates import Templates
from mailbot.runners.digest import DigestError, DigestRunner


def utc_now() -> datetime:
    return datetime.now(UTC)


@main.command("digest")
@click.option("--preview", is_flag=True, help="Print the digest that would be sent now; record nothing (the "
              "default).")
@click.option("--send", is_flag=True, help="Send the digest now (covering everything since the last one).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="With --preview: write the HTML part to FILE ('-' for standard output).")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
              help="With --preview: as of this UK time instead of now.")
@click.pass_context
def digest(ctx: click.Context, preview: bool, send: bool, html_file: str | None, at: datetime | None) -> None:
    """The staff digest: due today, overdue, due soon, new, held, mail not answered, and the on-time rate.

    Without --send it is only printed (a preview): sending is never what a bare command does.
    """
    if preview and send:
        raise click.UsageError("give one of --preview or --send")
    preview = not send
    if send and (html_file or at):
        raise click.UsageError("--html and --at go with --preview")
    settings, db = _database(ctx)
    runner = DigestRunner(settings, db, Templates.from_settings(settings))
    now = at.replace(tzinfo=LONDON) if at else utc_now()
    try:
        if preview:
            _digest, rendered = runner.preview(now)
            show_rendered(rendered, html_file)
            return
        from mailbot.mailserver.imap import Credential
        from mailbot.mailserver.oauth import token_source
        from mailbot.mailserver.sentfolder import SentFolder
        from mailbot.runners.send import Outbox

        tokens = token_source(settings) if settings.uses_oauth2 else None  # one for SMTP and the copy in Sent
        password = secret("smtp_password")
        if settings.smtp.auth == "password" and settings.smtp.username and password is None:
            raise ConfigError("smtp.username is set but MAILBOT_SMTP_PASSWORD (or _FILE) is not")
        outcome = runner.issue(now, scheduled=False)
        if not outcome.issued:
            click.echo(f"mailbot: digest not sent: {outcome.reason}", err=True)
            ctx.exit(1)
        # For the copy in Sent, as the running bot keeps.
        imap_login: Credential | None = tokens if settings.imap.auth == "oauth2" else secret("imap_password")
        sent_folder = SentFolder(settings, imap_login) if imap_login is not None else None
        stats = Outbox(settings, db, password, sent_folder,
                       tokens=tokens if settings.smtp.auth == "oauth2" else None).send_pending(utc_now)
    except ConfigError as exc:
        config_error(ctx, exc)
    except DigestError as exc:
        click.echo(f"mailbot: {exc}", err=True)
        ctx.exit(EXIT_CONFIG)
    finally:
        db.dispose()
    assert outcome.period_start is not None and outcome.period_end is not None
    click.echo(f"digest #{outcome.digest_id} ({outcome.period_start.astimezone(LONDON):%Y-%m-%d %H:%M} to "
               f"{outcome.period_end.astimezone(LONDON):%Y-%m-%d %H:%M}) queued for {len(outcome.message_ids)} "
               f"recipient{'s' if len(outcome.message_ids) != 1 else ''}; sent {stats.sent}, "
               f"deferred {stats.deferred} (the running bot retries)")


__all__ = ["digest"]
