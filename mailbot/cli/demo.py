"""`mailbot demo`: the seed exchange through embedded servers and the real bot (creates its own database)."""

from __future__ import annotations

import sys

import click

from mailbot.cli import main, setup_logging


@main.command()
@click.option("--serve", is_flag=True, help="Keep the servers and the bot running; print how to connect.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the demo database goes (default: a fresh temporary directory).")
@click.pass_context
def demo(ctx: click.Context, serve: bool, data_dir: str | None) -> None:
    """Play the seed exchange through embedded IMAP and SMTP servers and the real bot."""
    from mailbot.demo.play import run_demo

    setup_logging(ctx.obj.get("log_level") or "WARNING", ctx.obj.get("log_format") or "text")
    sys.exit(run_demo(serve=serve, data_dir=data_dir))
