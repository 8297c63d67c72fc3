"""The overview: requests received and answered per month and the on-time rate, as an inline SVG chart with the
same figures as a table beside it (for screen readers, and for anyone who wants the numbers); then a quarter's FOI
statistics in the Cabinet Office's categories (as `mailbot stats`), with the per-request CSV behind them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mailbot.store.quarterly import COLUMNS, QuarterError, quarter_of, quarter_span, quarter_stats, summary
from mailbot.store.statistics import Month, monthly
from mailbot.web.context import web_context
from mailbot.web.security import require_user
from mailbot.web.views.requests import today_for

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 40, 30, 20


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Chart:
    """Coordinates only: the template draws them (no inline styles, so the page keeps its CSP)."""

    received: list[Bar]
    answered: list[Bar]
    rate_points: str  # "x,y x,y …" for the on-time rate (0–100%), months with answers only
    labels: list[tuple[float, str]]
    bar_width: float
    top: int
    ticks: list[tuple[float, int]]


def chart(months: list[Month]) -> Chart:
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(months), 1)
    bar = slot * 0.35
    top = max([m.received for m in months] + [m.answered for m in months] + [1])
    scale = plot_h / top

    def y(value: float) -> float:
        return TOP + plot_h - value * scale

    received, answered, points, labels = [], [], [], []
    for i, m in enumerate(months):
        x = LEFT + i * slot + slot * 0.1
        received.append(Bar(x, y(m.received), m.received * scale))
        answered.append(Bar(x + bar, y(m.answered), m.answered * scale))
        labels.append((LEFT + i * slot + slot / 2, m.month.strftime("%b %y")))
        if m.on_time_rate is not None:
            points.append(f"{x + bar * 1.5:.1f},{TOP + plot_h * (1 - m.on_time_rate):.1f}")
    ticks = [(y(v), v) for v in sorted({0, top // 2, top})]
    return Chart(received, answered, " ".join(points), labels, bar, top, ticks)


def chosen_quarter(request: Request, today: date) -> str:
    """`?quarter=2026Q3`, else the last quarter that has ended (what an authority publishes next)."""
    given = request.query_params.get("quarter", "")
    try:
        return quarter_of(quarter_span(given)[0])
    except QuarterError:
        start = quarter_span(quarter_of(today))[0]
        return quarter_of(date.fromordinal(start.toordinal() - 1))


def quarter_problem(request: Request) -> str | None:
    """What is wrong with a `?quarter=` given by hand (the form's own pattern stops a browser sending one), said
    rather than silently answered with another quarter's figures."""
    given = request.query_params.get("quarter", "")
    try:
        if given:
            quarter_span(given)
    except QuarterError as exc:
        return str(exc)
    return None


async def overview_page(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    today = today_for(request)
    quarter = chosen_quarter(request, today)
    with web.session() as session:
        months = monthly(session, today, mailboxes=user.mailboxes)
        figures, _rows = quarter_stats(session, quarter, web.settings.clock_policy(), today, list(user.mailboxes))
    answered = sum(m.answered for m in months)
    on_time = sum(m.on_time for m in months)
    return web.render(request, "overview.html", months=months, chart=chart(months), width=WIDTH, height=HEIGHT,
                      left=LEFT, bottom=BOTTOM, top=TOP, answered=answered, on_time=on_time, quarter=quarter,
                      quarter_rows=summary(figures), quarter_error=quarter_problem(request))


async def quarter_csv(request: Request) -> Response:
    """One row per request received or answered in the quarter: no names, no addresses."""
    web = web_context(request)
    user = require_user(request)
    today = today_for(request)
    problem = quarter_problem(request)
    if problem:  # a file named for one quarter must not hold another's rows
        raise HTTPException(400, problem)
    quarter = chosen_quarter(request, today)
    with web.session() as session:
        _figures, rows = quarter_stats(session, quarter, web.settings.clock_policy(), today, list(user.mailboxes))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(row.csv() for row in rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="requests-{quarter}.csv"'})


ROUTES = [Route("/overview", overview_page, methods=["GET"]),
          Route("/overview/requests.csv", quarter_csv, methods=["GET"])]
