"""A staff web app on a real database, with requests the real bot decided: what the web tests start from."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mailbot.clock.workdays import receipt_date
from mailbot.config import Settings
from mailbot.mail.parse import message_id_of
from mailbot.replies.templates import Templates
from mailbot.runners.decide import Processor
from mailbot.store.accounts import add_user
from mailbot.store.casework import refresh_case
from mailbot.store.db import Database
from mailbot.store.models import Case, InboundMessage
from mailbot.testing.messages import MAILBOX, request
from mailbot.web.passwords import hasher

HASHER = hasher(cheap=True)  # milliseconds per sign-in in tests; argon2-cffi's defaults in deployments
PASSWORD = "correct horse battery staple"


def web_settings(data_dir: Path, *, templates_dir: Path | None = None, **web: Any) -> Settings:
    templates = {"dir": str(templates_dir), "render_seconds": 1.0} if templates_dir else {}
    return Settings.model_validate({"data_dir": str(data_dir), "mailbox": {"address": MAILBOX},
                                    "web": web, "templates": templates})


def store_and_decide(db: Database, settings: Settings, mails: list[bytes], at: datetime) -> None:
    """Messages stored as ingest stores them, then decided by the real decision runner."""
    with db.session() as session:
        for i, raw in enumerate(mails):  # under the message's own Message-ID, as ingest stores it
            session.add(InboundMessage(mailbox=settings.mailbox.address, message_id=message_id_of(raw),
                                       folder="INBOX", uidvalidity=1, uid=i + 1, moved=True, received_at=at,
                                       received_date=receipt_date(at), raw=raw, size=len(raw)))
    Processor(settings, db, Templates()).run(lambda: at)


def add_account(db: Database, name: str, role: str = "staff", *, mailboxes: tuple[str, ...] = (),
                must_change: bool = False) -> None:
    with db.session() as session:
        user = add_user(session, name, role, HASHER.hash(PASSWORD), mailboxes=mailboxes)
        user.must_change_password = must_change


def add_cases(db: Database, settings: Settings, count: int, *, received: date, regime: str = "foi",
              status: str = "open", mailbox: str = MAILBOX, subject: str = "Budget") -> None:
    """Enquiries as casework stores them (dates derived by refresh_case), for lists longer than a page."""
    policy = settings.clock_policy()
    with db.session() as session:
        for i in range(count):
            case = Case(mailbox=mailbox, reference=f"{9000 + i}/{received.year}-{regime}-{status}",
                        reference_seq=9000 + i, reference_year=received.year, status=status, regime=regime,
                        applicant_name=f"Person {i}", address=f"p{i}@example.org", subject=f"{subject} {i}",
                        subject_stem=f"{subject} {i}", first_received=received, missing=[])
            session.add(case)
            session.flush()
            refresh_case(session, case, policy)


SEED_AT = datetime(2022, 5, 12, 9, 30, tzinfo=UTC)


def seed_requests(db: Database, settings: Settings) -> None:
    """A complete request, a held one (first name only), one whose body carries markup, and one the bot leaves
    to staff (it asks for nothing the bot recognises: markup where the request's words should be)."""
    store_and_decide(db, settings, [
        request(1, name="Jo Bloggs", subject="Gritting budget"),
        request(2, name="Fred", subject="Facial recognition", sign_off="Thanks,\nFred"),
        request(3, name="Sam Smith", subject="Tags <b>bold</b>",
                body="Please send me the list of CCTV cameras in the town centre.\n\n<script>alert('x')</script>"),
        request(4, name="Pat Jones", subject="Cameras", body="Please send <script>alert(1)</script> the cameras."),
    ], SEED_AT)


__all__ = ["HASHER", "PASSWORD", "SEED_AT", "add_account", "add_cases", "seed_requests", "store_and_decide",
           "web_settings"]
