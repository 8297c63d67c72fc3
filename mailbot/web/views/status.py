"""Is the bot working? Per mailbox: the last finished poll, the outbox, failed replies, quarantine, open outages,
and on PostgreSQL which connection holds the leader's lock. What `mailbot doctor` says, for staff without a shell."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mailbot.runners.outages import open_outages
from mailbot.store.leader import lock_key
from mailbot.store.models import FolderState, InboundMessage, OutboxMessage
from mailbot.web.context import web_context
from mailbot.web.security import may_see_mailbox, require_user


def _count(session: Any, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _leader(session: Any, mailbox: str, postgresql: bool) -> str:
    if not postgresql:
        return "one instance at a time (the SQLite lock file beside the database)"
    row = session.execute(text(
        "SELECT a.client_addr, a.application_name, a.backend_start FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
        "AND ((l.classid::bigint << 32) | l.objid::bigint) = :key"), {"key": lock_key(mailbox) & 0xFFFFFFFFFFFFFFFF}
    ).first()
    if row is None:
        return "no instance holds the lock: is `mailbot run` running?"
    return f"the instance connected from {row.client_addr or 'this machine'} since {row.backend_start:%d %b %Y %H:%M}"


async def status_page(request: Request) -> Response:
    web = web_context(request)
    user = require_user(request)
    boxes = []
    now = datetime.now(UTC)
    with web.session() as session:
        for address in sorted(web.by_mailbox):
            if not may_see_mailbox(user, address):
                continue
            polled = session.scalar(select(func.max(FolderState.updated_at)).where(FolderState.mailbox == address))
            boxes.append({
                "address": address,
                "polled": polled,
                "queued": _count(session, select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.mailbox == address, OutboxMessage.status.in_(("queued", "sending")))),
                "failed": _count(session, select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.mailbox == address, OutboxMessage.status == "failed")),
                "quarantined": _count(session, select(func.count()).select_from(InboundMessage).where(
                    InboundMessage.mailbox == address, InboundMessage.status == "quarantined")),
                "waiting": _count(session, select(func.count()).select_from(InboundMessage).where(
                    InboundMessage.mailbox == address, InboundMessage.status == "new")),
                "outages": list(open_outages(session, address)),
                "leader": _leader(session, address, web.db.is_postgresql),
            })
    return web.render(request, "status.html", boxes=boxes, now=now)


ROUTES = [Route("/status", status_page, methods=["GET"])]
