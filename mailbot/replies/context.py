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

# EIR reg 11(2) and (4): a requester has 40 working days to ask for reconsideration, and the authority 40 to
# decide. Statute, not policy, so not a setting; a variable all the same, so no template writes the number.
EIR_RECONSIDERATION_WORKING_DAYS = 40
ICO_COMPLAINT_URL = "https://ico.org.uk/make-a-complaint/"


def clock_variables(settings: Settings) -> dict[str, Any]:
    """The periods the replies quote, from the same settings the clock counts with, so a reply can never
    promise a period the due date was not computed from."""
    clock = settings.clock
    return {
        "working_days": clock.working_days,
        "foi_extension_working_days": clock.foi_extension_working_days,
        "eir_extended_working_days": clock.working_days + clock.eir_extension_working_days,
        "review_extended_working_days": clock.working_days + clock.review_extension_working_days,
        "sar_extended_months": clock.sar_extended_months,
        "eir_reconsideration_working_days": EIR_RECONSIDERATION_WORKING_DAYS,
        "ico_complaint_url": ICO_COMPLAINT_URL,
    }


def mailbox_variables(settings: Settings) -> dict[str, Any]:
    """Who is writing, and the periods the law gives: the variables every template gets."""
    mailbox = settings.mailbox
    return {
        "organisation": mailbox.organisation,
        "mailbox_address": mailbox.address,
        "mailbox_display_name": mailbox.display_name,
        **clock_variables(settings),
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
