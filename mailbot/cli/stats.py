"""`mailbot stats`: the quarterly FOI statistics (s45 Code of Practice), and the per-request rows behind them."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime

import click

from mailbot.cli import _database, main
from mailbot.clock.workdays import LONDON


@main.command("stats")
@click.option("--quarter", required=True, metavar="YYYYQn", help="The quarter, e.g. 2026Q3.")
@click.option("--csv", "as_csv", is_flag=True, help="The figures as CSV: measure, by received, by answered.")
@click.option("--per-request", is_flag=True,
              help="One CSV row per request received or answered in the quarter (no names or addresses).")
@click.pass_context
def stats(ctx: click.Context, quarter: str, as_csv: bool, per_request: bool) -> None:
    """FOI and EIR statistics for a quarter, in the Cabinet Office's categories, counted both by the quarter a
    request was received and by the quarter it was answered."""
    from mailbot.store.quarterly import COLUMNS, QuarterError, quarter_stats, summary

    settings, db = _database(ctx)
    today = datetime.now(UTC).astimezone(LONDON).date()
    try:
        with db.session() as session:
            figures, rows = quarter_stats(session, quarter, settings.clock_policy(), today,
                                          [settings.mailbox.address])
    except QuarterError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from None
    if per_request:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(row.csv() for row in rows)
        return
    lines = summary(figures)
    if as_csv:
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(["measure", f"received in {figures.quarter}", f"answered in {figures.quarter}"])
        out.writerows(lines)
        return
    click.echo(f"FOI and EIR requests, {figures.quarter} (as at {today}): counted by the quarter a request was "
               f"received, and by the quarter it was answered")
    received, answered = "RECEIVED", "ANSWERED"
    width = max(len(measure) for measure, _, _ in lines)  # the longest label sets the column, so figures line up
    click.echo(f"  {'MEASURE':<{width}}  {received}  {answered}")
    for measure, by_received, by_answered in lines:
        figures_at = f"{by_received or '—':>{len(received)}}  {by_answered or '—':>{len(answered)}}"
        click.echo(f"  {measure:<{width}}  {figures_at}")


__all__ = ["stats"]
