"""Mail to staff has one composer (`runners.staff_mail`), every template one source of the mailbox's variables
(`replies.context.mailbox_variables`), and one table says which template acknowledges which regime; checked here
on their own, on real SQLite and PostgreSQL for the outbox rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from mailbot.clock.workdays import LONDON
from mailbot.config import settings_from_mapping
from mailbot.replies.catalog import (
    ACKNOWLEDGEMENTS,
    CATALOG,
    MAILBOX_VARIABLES,
    REPLY_TEMPLATES,
    STAFF_ALERT_VARIABLES,
    STAFF_NOTICE_VARIABLES,
    acknowledged_regime,
    acknowledgement_template,
    sample_contexts,
)
from mailbot.replies.context import mailbox_variables, staff_alert_context, staff_notice_context
from mailbot.replies.templates import Templates
from mailbot.runners.staff_mail import queue_staff_mail, render_staff_alert, render_staff_mail
from mailbot.store.db import Database
from mailbot.store.models import OutboxMessage

STAFF = ("ir-team@council.example", "head-of-ir@council.example")
SETTINGS = settings_from_mapping({
    "mailbox": {"address": "foi@council.example", "organisation": "Test Council", "display_name": "FOI Desk",
                "loop_token": "mailbot-test-loop"},
    "staff": {"recipients": list(STAFF)},
})
NOW = datetime(2024, 3, 4, 9, 30, tzinfo=UTC)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def notice() -> dict[str, Any]:
    return staff_notice_context(SETTINGS, title="a message was quarantined after 3 failed attempts",
                                lines=["Last error: RuntimeError: boom"], message_id="<q-1@example.org>",
                                reference="7/2024", occurred_at=NOW)


def alert(problem: str = "/etc/t/acknowledgement_foi/text.txt:1: 'x' is undefined") -> dict[str, Any]:
    return staff_alert_context(SETTINGS, template="acknowledgement_foi", language="en", problems=[problem],
                               message_id="<m-1@example.org>", reference="7/2024", occurred_at=NOW)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


# -- the mailbox's variables -------------------------------------------------------------------------------------


def test_mailbox_variables_come_from_the_settings() -> None:
    assert mailbox_variables(SETTINGS) == {"organisation": "Test Council", "mailbox_address": "foi@council.example",
                                           "mailbox_display_name": "FOI Desk", "working_days": 20,
                                           "foi_extension_working_days": 20, "eir_extended_working_days": 40,
                                           "review_extended_working_days": 40, "sar_extended_months": 3,
                                           "eir_reconsideration_working_days": 40,
                                           "ico_complaint_url": "https://ico.org.uk/make-a-complaint/"}
    assert tuple(mailbox_variables(SETTINGS)) == MAILBOX_VARIABLES


@pytest.mark.parametrize("name", list(CATALOG))
def test_every_template_gets_the_same_mailbox_variables(name: str) -> None:
    for context in sample_contexts(name, SETTINGS):
        assert {key: context[key] for key in MAILBOX_VARIABLES} == mailbox_variables(SETTINGS)


def test_staff_contexts_offer_exactly_the_documented_variables_in_london_time() -> None:
    assert set(notice()) == set(STAFF_NOTICE_VARIABLES) and set(alert()) == set(STAFF_ALERT_VARIABLES)
    assert notice()["occurred_at"] == NOW and notice()["occurred_at"].tzinfo is LONDON


# -- which template acknowledges which regime --------------------------------------------------------------------


def test_each_regime_has_one_acknowledgement_and_each_acknowledgement_one_regime() -> None:
    assert set(ACKNOWLEDGEMENTS) == {"foi", "eir", "sar", "internal_review"}
    for regime in ACKNOWLEDGEMENTS:
        template = acknowledgement_template(regime)
        assert template in REPLY_TEMPLATES and acknowledged_regime(template) == regime
    assert acknowledgement_template("internal_review") == "acknowledgement_review"
    assert acknowledged_regime("section8_notice") is None and acknowledged_regime("follow_up_received") is None
    with pytest.raises(KeyError):
        acknowledgement_template("unknown")


# -- rendering staff mail ----------------------------------------------------------------------------------------


def test_a_broken_staff_override_falls_back_to_the_shipped_wording(tmp_path: Path) -> None:
    broken = write(tmp_path, "staff_notice/text.txt", "{{ titel }}\n")
    rendering = render_staff_mail(Templates(tmp_path), "staff_notice", notice())
    assert rendering.problem is not None and str(rendering.problem).startswith(f"{broken}:1:")
    assert rendering.reply == Templates().render("staff_notice", notice())


def test_an_alert_whose_own_override_is_broken_reports_that_too(tmp_path: Path) -> None:
    assert render_staff_alert(Templates(tmp_path), alert()) == Templates().render("staff_alert", alert())
    broken = write(tmp_path, "staff_alert/text.txt", "{{ template }\n")
    rendered = render_staff_alert(Templates(tmp_path), alert())
    # Each problem as its file and line, then the message on the next line, indented (the text part is 72 columns).
    assert f"  {broken}:1:\n      syntax error" in rendered.text
    assert "  /etc/t/acknowledgement_foi/text.txt:1:\n      'x' is undefined" in rendered.text


# -- composing and queuing it ------------------------------------------------------------------------------------


def test_one_outbox_message_per_recipient_answering_nobody(db: Database) -> None:
    rendered = render_staff_mail(Templates(), "staff_notice", notice()).reply
    with db.session() as session:
        ids = queue_staff_mail(session, SETTINGS, rendered, STAFF, "staff_notice", NOW)
    with db.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [row.message_id for row in rows] == ids and len(set(ids)) == 2
        assert [row.recipient for row in rows] == list(STAFF)
        assert {(row.template, row.status, row.inbound_id, row.case_id, row.in_reply_to) for row in rows} == {
            ("staff_notice", "queued", None, None, None)}
        messages = [message_from_bytes(row.raw, policy=policy.default) for row in rows]
    for message, recipient, message_id in zip(messages, STAFF, ids, strict=True):
        assert isinstance(message, EmailMessage)
        assert message["From"] == "FOI Desk <foi@council.example>"
        assert message["To"] == recipient
        assert message["Reply-To"] == "ir-team@council.example, head-of-ir@council.example"
        assert message["Message-ID"] == message_id and message["Subject"] == rendered.subject
        assert message["Auto-Submitted"] == "auto-generated" and message["X-Loop"] == "mailbot-test-loop"
        assert message["In-Reply-To"] is None and message["References"] is None
        assert "RuntimeError: boom" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_no_recipients_queue_nothing(db: Database) -> None:
    rendered = render_staff_mail(Templates(), "staff_notice", notice()).reply
    with db.session() as session:
        assert queue_staff_mail(session, SETTINGS, rendered, (), "staff_notice", NOW) == []
    with db.session() as session:
        assert session.scalars(select(OutboxMessage)).all() == []
