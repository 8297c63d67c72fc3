"""`mailbot demo`: the seed exchange through embedded servers and the real bot (creates its own database)."""

from __future__ import annotations

import errno
import sys

import click

from mailbot.cli import fail, main, setup_logging


@main.command()
@click.option("--serve", is_flag=True, help="Keep the servers and the bot running; print how to connect.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the demo database goes, kept after it ends (default: a temporary directory, removed at "
                   "exit).")
@click.option("--imap-port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The embedded IMAP server's port on 127.0.0.1 (0: any free port).")
@click.option("--smtp-port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The embedded SMTP server's port on 127.0.0.1 (0: any free port).")
@click.option("--password", default=None, help="The demo mailboxes' password (default: a new one each run).")
@click.pass_context
def demo(ctx: click.Context, serve: bool, data_dir: str | None, imap_port: int, smtp_port: int,
         password: str | None) -> None:
    """Play the seed exchange through embedded IMAP and SMTP servers and the real bot.

    With --serve, a mailbox for you as a member of the public is served too: send the bot a request from a mail
    client and read its answer there.
    """
    setup_logging(ctx.obj.get("log_level") or "WARNING", ctx.obj.get("log_format") or "text")
    try:
        from mailbot.demo.play import run_demo
    except ModuleNotFoundError as exc:
        if exc.name not in ("pymap", "aiosmtpd"):
            raise
        fail(ctx, f"the demo's embedded mail servers are not installed ({exc.name}): pip install 'mailbot[demo]' "
                  "(in a checkout: pip install -e '.[demo]')")
    if password == "":
        fail(ctx, "--password must not be empty", 2)
    try:
        status = run_demo(serve=serve, data_dir=data_dir, imap_port=imap_port, smtp_port=smtp_port,
                          password=password)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        fail(ctx, f"a demo port is already in use ({exc.strerror}): choose others with --imap-port and "
                  "--smtp-port, or 0 for any free port")
    sys.exit(status)
