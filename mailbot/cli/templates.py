"""`mailbot templates`: an admin's edits checked before they go live, and any reply previewed before it is sent."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from mailbot.cli import _database, _settings, main
from mailbot.mail.compose import RenderedReply
from mailbot.replies.templates import LANGUAGES, TemplateRenderError, Templates
from mailbot.store.models import Case
from mailbot.store.queries import find_case_by_reference
from mailbot.replies.catalog import (
    CATALOG,
    NoSuchContext,
    render_limit,
    sample_contexts,
    stored_context,
)
from mailbot.replies.check import check_templates


@main.group()
def templates() -> None:
    """Reply templates: check an admin directory's edits; preview what a message will say."""


@templates.command("check")
@click.option("--dir", "admin_dir", type=click.Path(file_okay=False),
              help="The admin directory to check (default: templates.dir from the settings).")
@click.pass_context
def templates_check(ctx: click.Context, admin_dir: str | None) -> None:
    """Compile and test-render every template, shipped and admin, in English and Welsh; one `path:line: message`
    per problem, exit status 1 if there is any."""
    settings = _settings(ctx)
    report = check_templates(settings, admin_dir or settings.templates.dir or None)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(f"{report.files} files compiled, {report.renders} test renders: "
               f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}", err=True)
    ctx.exit(1 if report.problems else 0)


def _case(ctx: click.Context, session: Session, mailbox: str, ref: str) -> Case:
    case = (session.get(Case, int(ref[1:])) if ref.startswith("#") and ref[1:].isdigit()
            else find_case_by_reference(session, mailbox, ref))
    if case is None or case.mailbox != mailbox:
        click.echo(f"mailbot: no request {ref}", err=True)
        ctx.exit(1)
    return case


@templates.command("preview")
@click.argument("name", type=click.Choice(list(CATALOG)))
@click.option("--enquiry", "ref", help="Render with a stored enquiry's data (its reference, or #id while held).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the HTML part to FILE ('-' for standard output).")
@click.option("--language", type=click.Choice(LANGUAGES), help="Default: templates.language from the settings.")
@click.option("--sample", type=click.IntRange(min=1), default=1, show_default=True,
              help="Which sample data set (templates with branches have several).")
@click.pass_context
def templates_preview(ctx: click.Context, name: str, ref: str | None, html_file: str | None, language: str | None,
                      sample: int) -> None:
    """Render template NAME as it would be sent now (admin overrides included) with sample or stored data."""
    settings = _settings(ctx)
    language = language or settings.templates.language
    engine = Templates(settings.templates.dir or None, language)
    if ref:
        settings, db = _database(ctx)
        try:
            with db.session() as session:
                context = stored_context(session, settings, engine, _case(ctx, session, settings.mailbox.address,
                                                                          ref), name)
        except NoSuchContext as exc:
            click.echo(f"mailbot: {exc}", err=True)
            ctx.exit(1)
        finally:
            db.dispose()
    else:
        samples = sample_contexts(name, settings, language)
        if sample > len(samples):
            click.echo(f"mailbot: {name} has {len(samples)} sample data set(s)", err=True)
            ctx.exit(2)
        context = samples[sample - 1]
    try:
        rendered = engine.render(name, context, max_chars=render_limit(name))
    except TemplateRenderError as exc:
        click.echo(str(exc.problem), err=True)
        click.echo("(when sending, mailbot would use the shipped template instead and alert staff)", err=True)
        ctx.exit(1)
    _show(rendered, html_file)


def _show(rendered: RenderedReply, html_file: str | None) -> None:
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


__all__ = ["templates"]
