"""`mailbot deadline`: the due date of a request received on a day, and why; no database, no mailbox."""

from __future__ import annotations

import json
from datetime import date

import click

from mailbot.cli import _settings, main


class ReceivedDate(click.ParamType):
    """A calendar date as YYYY-MM-DD; a day that does not exist (2022-02-30) is called invalid, not mis-formatted."""

    name = "date"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        parts = text.split("-")
        if len(parts) != 3 or not all(part.isdigit() for part in parts) or len(parts[0]) != 4:
            self.fail(f"{text!r} is not a date as YYYY-MM-DD (e.g. 2024-03-15)", param, ctx)
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError as exc:
            self.fail(f"{text!r} is an invalid date: {exc}", param, ctx)


@main.command()
@click.argument("received", type=ReceivedDate(), metavar="RECEIVED")
@click.option("--regime", type=click.Choice(["foi", "eir", "sar", "internal_review"]), default="foi",
              show_default=True, help="The law the request falls under.")
@click.option("--extended", is_flag=True, help="With the extension the regime allows (s10(3), EIR reg 7, "
              "review, SAR three months).")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: regime, received, due, extended, why, calendar.")
@click.pass_context
def deadline(ctx: click.Context, received: date, regime: str, extended: bool, as_json: bool) -> None:
    """The due date of a request received on RECEIVED (YYYY-MM-DD), and why."""
    from mailbot.clock.deadlines import ClockEvent, compute_deadline

    settings = _settings(ctx)
    events = [ClockEvent(received, "extended")] if extended else []
    result = compute_deadline(regime, received, events, settings.clock_policy())
    assert result.due is not None
    if as_json:
        click.echo(json.dumps({"regime": regime, "received": received.isoformat(), "due": result.due.isoformat(),
                               "extended": extended, "why": result.why, "calendar": result.calendar}))
    else:
        click.echo(f"{result.due:%A} {result.due.day} {result.due:%B %Y}  ({result.why})")
