"""A new enquiry's due date is derived without reading its (not yet existing) clock events; it must be exactly
what casework derives from the stored events, for every regime (real Dovecot, SQLite and PostgreSQL)."""

from __future__ import annotations

from servers import DovecotAccount, SmtpSink
from sqlalchemy import select

from mailbot.store.casework import case_deadline
from mailbot.store.models import Case
from mailbot.testing.bots import BotFactory
from mailbot.testing.moments import BEFORE_CHRISTMAS

BODIES = {
    "foi": "Please send the 2023 gritting budget.",
    "eir": "Please send the air quality readings for the high street.",
    "sar": "This is a subject access request for all the information you hold about me.",
}


def test_a_new_enquiry_has_the_dates_casework_would_derive(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot()
    for n, body in enumerate(BODIES.values()):
        dovecot.append((f"From: Jo Bloggs <jo{n}@example.org>\r\nTo: foi@council.example\r\nSubject: Request {n}\r\n"
                        f"Message-ID: <dates-{n}@example.org>\r\n\r\n{body}\r\n\r\nYours faithfully,\r\nJo Bloggs\r\n"
                        ).encode(), BEFORE_CHRISTMAS)
    bot.cycle()
    with bot.db.session() as session:
        cases = session.scalars(select(Case).order_by(Case.id)).all()
        assert sorted(case.regime for case in cases) == sorted(BODIES)
        for case in cases:
            deadline = case_deadline(session, case, bot.settings.clock_policy())
            assert (case.received, case.due, case.due_why, case.calendar) == (
                deadline.start, deadline.due, deadline.why, deadline.calendar)
            assert case.due is not None and case.reference is not None
