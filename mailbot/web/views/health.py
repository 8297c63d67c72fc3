"""GET /healthz: for a load balancer or monitoring, without signing in; names no person and no message."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mailbot import __version__
from mailbot.runners.outages import open_outages
from mailbot.store.models import FolderState, OutboxMessage
from mailbot.web.context import web_context


async def healthz(request: Request) -> Response:
    web = web_context(request)
    try:
        with web.session() as session:
            polls = dict(session.execute(select(FolderState.mailbox, func.max(FolderState.updated_at))
                                         .group_by(FolderState.mailbox)).all())
            failed = int(session.scalar(select(func.count()).select_from(OutboxMessage)
                                        .where(OutboxMessage.status == "failed")) or 0)
            outages = {settings.mailbox.address: [row.detail for row in open_outages(session, settings.mailbox.address)]
                       for settings in web.settings.all_mailboxes()}
    except Exception as exc:  # noqa: BLE001 - a health check reports the database's failure, it does not raise it
        return JSONResponse({"status": "error", "version": __version__, "error": f"database: {type(exc).__name__}"},
                            status_code=503)
    mailboxes = {
        settings.mailbox.address: {"last_poll": polls[settings.mailbox.address].isoformat()
                                   if polls.get(settings.mailbox.address) else None,
                                   "outages": outages[settings.mailbox.address]}
        for settings in web.settings.all_mailboxes()
    }
    # "degraded" while the bot has recorded an outage (the relay or IMAP down): the page still answers 200, so a
    # load balancer keeps serving staff, and monitoring sees the word change.
    status = "degraded" if any(outages.values()) else "ok"
    return JSONResponse({"status": status, "version": __version__, "mailboxes": mailboxes, "failed_replies": failed})


ROUTES = [Route("/healthz", healthz, methods=["GET"])]
