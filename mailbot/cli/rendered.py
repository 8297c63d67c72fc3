"""A rendered mail shown at a terminal (a template preview, the digest preview): subject, text, and where the HTML
part went. Apart from the commands that use it, so that `digest` does not import the template commands."""

from __future__ import annotations

from pathlib import Path

import click

from mailbot.mail.compose import RenderedReply


def show_rendered(rendered: RenderedReply, html_file: str | None) -> None:
    click.echo(f"Subject: {rendered.subject}\n")
    click.echo(rendered.text, nl=False)
    if rendered.html is None:
        click.echo("(no HTML part)", err=True)
    elif html_file == "-":
        click.echo(rendered.html)
    elif html_file:
        Path(html_file).write_text(rendered.html, encoding="utf-8")
        click.echo(f"(HTML part written to {html_file})", err=True)
    else:
        click.echo(f"(an HTML part of {len(rendered.html)} characters: see it with --html FILE)", err=True)


__all__ = ["show_rendered"]
