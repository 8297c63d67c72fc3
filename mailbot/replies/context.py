"""The variables each template gets (documented in templates/README.md), built in one place per template.

Every template, to a requester or to staff, starts from the same `mailbox_variables`, so a new mailbox setting
reaches all of them at once. The staff templates' contexts are built here too, and the catalogue's sample data
goes through the same functions, so a sample can never offer a template a variable the real mail lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from mailbot.clock.workdays import LONDON
from mailbot.config import Settings
from mailbot.replies.digest_model import DUE_SOON_WORKING_DAYS, Digest


def mailbox_variables(settings: Settings) -> dict[str, Any]:
    """Who is writing: the variables every template gets about the mailbox it answers for."""
    mailbox = settings.mailbox
    return {
        "organisation": mailbox.organisation,
        "mailbox_address": mailbox.address,
        "mailbox_display_name": mailbox.display_name,
    }


def staff_alert_context(settings: Settings, *, template: str, language: str, problems: Sequence[str],
                        message_id: str | None, reference: str | None, occurred_at: datetime) -> dict[str, Any]:
    """For `staff_alert`: which template broke, in which language, and the mail it broke on."""
    return {
        **mailbox_variables(settings),
        "template": template,
        "language": language,
        "problems": list(problems),
        "message_id": message_id,
        "enquiry_reference": reference,
        "occurred_at": occurred_at.astimezone(LONDON),
    }


def staff_notice_context(settings: Settings, *, title: str, lines: Sequence[str], message_id: str | None,
                         reference: str | None, occurred_at: datetime) -> dict[str, Any]:
    """For `staff_notice`: what needs a person, in a title and a few lines."""
    return {
        **mailbox_variables(settings),
        "title": title,
        "lines": list(lines),
        "message_id": message_id,
        "enquiry_reference": reference,
        "occurred_at": occurred_at.astimezone(LONDON),
    }


def digest_context(digest: Digest, settings: Settings) -> dict[str, Any]:
    """For `digest`: the gathered digest, and the horizon its "due soon" section looks ahead."""
    return {
        **mailbox_variables(settings),
        "digest": digest,
        "due_soon_days": DUE_SOON_WORKING_DAYS,
    }
