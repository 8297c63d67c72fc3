"""Mail from the bot to staff (alerts, notices, the digest): rendered, composed and queued here and nowhere else.

It is queued in the outbox like every reply, so it is committed with whatever caused it and retried until it goes.
Each recipient gets their own outbox row (the outbox sends one recipient per message, so a refused address is
retried or failed on its own). Staff mail is marked `Auto-Submitted: auto-generated` — it answers nobody — and its
Reply-To names the staff recipients, so a colleague's "reply all" about a digest reaches the team rather than the
bot's mailbox, where it would be judged as if it were a request.

Callers decide *whether* staff hear of something (`alerts`, the digest's schedule) and supply the template's own
variables (`replies.context`); what the mail looks like on the wire is decided only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mailbot.config import Settings
from mailbot.mail.compose import RenderedReply, compose
from mailbot.replies.templates import MAX_RENDERED_CHARS, Rendering, Templates
from mailbot.store.models import OutboxMessage


def render_staff_mail(templates: Templates, template: str, context: dict[str, Any], *,
                      max_chars: int = MAX_RENDERED_CHARS) -> Rendering:
    """The admin's wording, or the shipped one when the admin's is broken (`problem` then says why, for the
    caller to report as its mail requires)."""
    return templates.render_or_default(template, context, max_chars=max_chars)


def render_staff_alert(templates: Templates, context: dict[str, Any]) -> RenderedReply:
    """The alert about a broken template; when the alert's own override is broken too, the shipped alert goes out
    and lists that problem as well, since no other mail would tell staff of it."""
    rendering = render_staff_mail(templates, "staff_alert", context)
    if rendering.problem is None:
        return rendering.reply
    return templates.render_default("staff_alert", {**context,
                                                    "problems": [*context["problems"], str(rendering.problem)]})


def queue_staff_mail(session: Session, settings: Settings, rendered: RenderedReply, recipients: Sequence[str],
                     template: str, now: datetime) -> list[str]:
    """Queue one message per recipient, in the caller's transaction; returns their Message-IDs."""
    mailbox = settings.mailbox
    message_ids: list[str] = []
    for recipient in recipients:
        message = compose(
            rendered=rendered, from_address=mailbox.address, from_name=mailbox.display_name, to=recipient,
            in_reply_to=None, references=(), loop_token=mailbox.x_loop, now=now, auto_submitted="auto-generated",
            reply_to=recipients,
        )
        message_id = message.message_id  # known up front: no need to parse the headers back
        session.add(OutboxMessage(
            mailbox=mailbox.address, inbound_id=None, case_id=None, template=template, message_id=message_id,
            in_reply_to=None, recipient=recipient, raw=message.raw, status="queued", next_attempt_at=now,
        ))
        message_ids.append(message_id)
    session.flush()
    return message_ids



def compose_filed_notice(settings: Settings, rendered: RenderedReply, now: datetime) -> bytes:
    """A staff notice that is filed in the mailbox over IMAP rather than mailed: for when the relay is what broke.
    The same headers as mailed staff mail, addressed to the staff (or the mailbox) for the reader's benefit."""
    mailbox = settings.mailbox
    recipients = settings.staff.recipients
    return compose(
        rendered=rendered, from_address=mailbox.address, from_name=mailbox.display_name,
        to=recipients[0] if recipients else mailbox.address, in_reply_to=None, references=(),
        loop_token=mailbox.x_loop, now=now, auto_submitted="auto-generated", reply_to=recipients,
    ).raw
