"""`mailbot templates`: an admin's edits checked before they go live, and any reply previewed before it is sent."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.cli import _database, _settings, main
from mailbot.cli.rendered import show_rendered
from mailbot.config import Settings
from mailbot.judging.decision import Decision as JudgedDecision
from mailbot.judging.values import Action, Kind, Regime
from mailbot.mail.parse import parse_message
from mailbot.replies.catalog import CATALOG, REPLY_TEMPLATES, render_limit, sample_contexts
from mailbot.replies.check import check_templates
from mailbot.replies.templates import LANGUAGES, TemplateRenderError, Templates
from mailbot.runners.replying import Replier
from mailbot.store.models import Case, Decision, InboundMessage, Review
from mailbot.store.queries import find_case_by_reference


@main.group()
def templates() -> None:
    """Reply templates: check an admin directory's edits; preview what a message will say."""


@templates.command("check")
@click.option("--dir", "admin_dir", type=click.Path(file_okay=False),
              help="The admin directory to check (default: templates.dir from the settings).")
@click.pass_context
def templates_check(ctx: click.Context, admin_dir: str | None) -> None:
    """Compile and test-render every template, shipped and admin, in English and Welsh; one `path:line: message`
    per problem, exit status 1 if there is any; warnings (a line over 78 columns) are listed too, `path:line:
    warning: …`, but do not change the exit status."""
    settings = _settings(ctx)
    report = check_templates(settings, admin_dir or settings.templates.dir or None)
    for problem in (*report.problems, *report.warnings):
        click.echo(str(problem))
    click.echo(f"{report.files} files compiled, {report.renders} test renders: "
               f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}, "
               f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}", err=True)
    ctx.exit(1 if report.problems else 0)


class NoSuchContext(Exception):
    """A stored enquiry cannot supply what the template needs (e.g. no internal review to acknowledge)."""


def stored_context(session: Session, settings: Settings, templates: Templates, case: Case,
                   name: str) -> dict[str, Any]:
    """The context a reply about `case` would get now, built by the same code that builds real replies (which is
    why this lives above the runners rather than in the template catalogue)."""
    if name not in REPLY_TEMPLATES:
        raise NoSuchContext(f"{name} is not a reply about an enquiry; preview it without --enquiry")
    review = None
    if name == "acknowledgement_review":
        review = session.scalars(select(Review).where(Review.case_id == case.id).order_by(Review.id.desc())).first()
        if review is None:
            raise NoSuchContext(f"{case.reference or '#' + str(case.id)} has no internal review")
    inbound_id = (review.inbound_id if review else
                  session.scalars(select(Decision.inbound_id).where(Decision.case_id == case.id)
                                  .order_by(Decision.id.desc())).first())
    row = session.get(InboundMessage, inbound_id) if inbound_id is not None else None
    if row is None:
        raise NoSuchContext(f"{case.reference or '#' + str(case.id)} has no stored message")
    # Only the case's own values feed the context: no action is carried out, so none is named.
    decision = JudgedDecision(kind=Kind.REQUEST, action=Action.NONE, reasons=(), regime=Regime(case.regime),
                              applicant_name=case.applicant_name, address=case.address,
                              missing=tuple(case.missing or ()))
    return Replier(settings, templates).context(row, parse_message(row.raw), decision, case, review)


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
    engine = Templates.from_settings(settings, language)
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
    show_rendered(rendered, html_file)


__all__ = ["templates"]
