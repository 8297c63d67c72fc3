"""Mail from the bot to staff (alerts, the digest): queued in the outbox like every reply, so it is committed with
whatever caused it and retried until it goes.

Each recipient gets their own outbox row (the outbox sends one recipient per message, so a refused address is
retried or failed on its own). Staff mail is marked `Auto-Submitted: auto-generated` — it answers nobody — and its
Reply-To names the staff recipients, so a colleague's "reply all" about a digest reaches the team rather than the
bot's mailbox, where it would be judged as if it were a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mailbot.config import Settings
from mailbot.mail.compose import RenderedReply, compose
from mailbot.store.models import OutboxMessage


def queue_staff_mail(session: Session, settings: Settings, rendered: RenderedReply, recipients: Sequence[str],
                     template: str, now: datetime) -> list[str]:
    """Queue one message per recipient; returns their Message-IDs."""
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
