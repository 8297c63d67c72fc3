"""A reply to one inbound message, queued: its template's variables, the rendering (the shipped wording if an
admin's override fails, with staff alerted), the composed mail and its outbox row, all in the caller's transaction.

The bot's own replies (runners/act.py) and the ones staff ask for (runners/triage.py, runners/held.py) go through
here, so a reply says the same thing, threads the same way and is sent by the same outbox whoever asked for it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from mailbot.config import Settings
from mailbot.judging.decision import Decision
from mailbot.judging.readers.subjects import clean_subject
from mailbot.judging.reading import Reading, read_message
from mailbot.judging.values import Regime
from mailbot.mail.addresses import sendable
from mailbot.mail.compose import compose
from mailbot.mail.echo import defang, echo_subject
from mailbot.mail.lognames import log_name
from mailbot.mail.message import InboundMessage as Parsed
from mailbot.replies.context import mailbox_variables
from mailbot.replies.templates import Templates
from mailbot.runners.alerts import alert_template_problem
from mailbot.store import models

log = logging.getLogger(__name__)

# Inserted, never read back in the same transaction: a plain INSERT spares the ORM's unit of work.
_INSERT_OUTBOX = insert(models.OutboxMessage.__table__)


def summary_of(own_text: str, limit: int = 600) -> str:
    """The author's own words, trimmed, for the templates' "I note you seek the following"."""
    text = own_text.strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def reading_of(parsed: Parsed, decision: Decision) -> Reading:
    """What the judge read from the message; read again only for a decision made by hand (a template preview)."""
    return decision.reading or read_message(parsed)


class Replier:
    def __init__(self, settings: Settings, templates: Templates) -> None:
        self.settings = settings
        self.templates = templates

    def reply(self, session: Session, row: models.InboundMessage, parsed: Parsed, decision: Decision,
              case: models.Case | None, review: models.Review | None, template: str, now: datetime, *,
              automatic: bool = True) -> str:
        """Queue `template` to `decision.address`, in reply to `row`; the new Message-ID.

        `automatic`: the bot's one reply to `row` (unique per inbound message); False for one a person asked for
        later (a second Section 8 notice, an acknowledgement on release), which threads to `row` all the same."""
        context = self.context(row, parsed, decision, case, review)
        # A broken admin override must never stop the reply: the shipped wording goes out and staff are alerted
        # (in this same transaction, so the alert exists exactly when the reply does).
        rendering = self.templates.render_or_default(template, context)
        if rendering.problem is not None:
            log.error("template %s failed for %s; sent the shipped default instead: %s", template,
                      log_name(parsed.message_id, decision.address), rendering.problem)
            alert_template_problem(session, self.settings, self.templates, rendering.problem,
                                   message_id=parsed.message_id, reference=case.reference if case else None, now=now)
        mailbox = self.settings.mailbox
        recipient = sendable(decision.address or "")  # or ValueError: the message is quarantined, staff told
        message = compose(
            rendered=rendering.reply, from_address=mailbox.address, from_name=mailbox.display_name,
            to=recipient, in_reply_to=parsed.message_id, references=parsed.references,
            loop_token=mailbox.x_loop, now=now,
        )
        session.execute(_INSERT_OUTBOX, {
            "mailbox": mailbox.address, "inbound_id": row.id if automatic else None,
            "case_id": case.id if case else None, "template": template, "message_id": message.message_id,
            "in_reply_to": parsed.message_id, "recipient": recipient, "raw": message.raw, "status": "queued",
            "next_attempt_at": now,
        })
        return message.message_id

    def context(self, row: models.InboundMessage, parsed: Parsed, decision: Decision, case: models.Case | None,
                review: models.Review | None) -> dict[str, Any]:
        """Every variable a template may use (documented in templates/README.md)."""
        received = review.received if review else (case.received if case and case.received else row.received_date)
        reading = reading_of(parsed, decision)
        return {
            **mailbox_variables(self.settings),
            "requester_name": decision.applicant_name or (case.applicant_name if case else None),
            "reference": case.reference if case else None,
            "regime": (case.regime if case else decision.regime) or Regime.FOI,
            "received": received,
            "first_received": case.first_received if case else row.received_date,
            "due": review.due if review else (case.due if case else None),
            "due_why": review.due_why if review else (case.due_why if case else None),
            "request_due": case.due if case else None,
            "missing": list(decision.missing),
            # The sender's words echoed without live links, the subject cut short: a forger's subject must not
            # reach the person they named as a link in our mail (mail/echo.py).
            "subject": echo_subject(parsed.subject),
            "subject_stem": echo_subject(clean_subject(case.subject) if case else reading.subject) or "Your request",
            "request_summary": defang(summary_of(reading.own_text)),
        }


__all__ = ["Replier", "reading_of", "summary_of"]
