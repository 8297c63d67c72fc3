"""The tables. Each row type is one thing staff or the runners reason about.

inbound_messages  every message fetched, raw bytes kept, stored before the server is touched
decisions         one per inbound message: the audit trail (kind, action, reasons)
cases             a request, held (no reference) or an enquiry (with one); due dates derived from receipt
reviews           internal reviews of an enquiry, with their own due dates
clock_events      what moved a case's (or review's) clock, and when: appended, never overwritten
outbox            every message we send, committed with its decision, then sent; retried until it goes
folder_state      UIDVALIDITY and the highest UID seen per mailbox folder
reference_counters  next enquiry number per mailbox and year, allocated under a row lock
staff_alerts      problems staff were told about (a broken admin template), at most one mail per key per day
digests           each staff digest issued: the period it covers is the watermark the next one starts from
users             people who sign in to the web app: role, mailboxes, password hash (never the password)
template_versions every saved version of an admin's template file, with who saved it and when
staff_actions     what each person did, in the web app or at the command line, and when: the staff audit trail
disposals         what the retention schedule disposed of: which kind of record, which rule, when, by which
                  instance (never the personal data itself)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mailbot.mail.mailbox_key import mailbox_key
from mailbot.store.storable import MESSAGE_ID_LENGTH, MailKey, MailText

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _recipient_key(context: DefaultExecutionContext) -> str:
    """The mailbox a reply's recipient reads, for the daily cap: set on every insert, however it is written."""
    return mailbox_key(str(context.get_current_parameters().get("recipient") or ""))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every model here is mapped to a plain Table (no custom FromClause), and the runners build Core statements on
    # it; saying so lets insert()/update() on Model.__table__ type-check.
    __table__: ClassVar[Table]


class FolderState(Base):
    __tablename__ = "folder_state"
    __table_args__ = (UniqueConstraint("mailbox", "folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(320))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("mailbox", "message_id"),
        Index("ix_inbound_status", "status", "received_at"),
        Index("ix_inbound_unmoved", "mailbox", "moved"),
        Index("ix_inbound_processed", "mailbox", "processed_at"),  # the digest's period
        Index("ix_inbound_received", "mailbox", "received_at"),  # `messages list`, in order
        Index("ix_inbound_disposed", "mailbox", "disposed_at"),  # copies on the server still to remove
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(MailKey(MESSAGE_ID_LENGTH))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    moved: Mapped[bool] = mapped_column(default=False)  # moved out of the inbox on the server
    quarantine_copied: Mapped[bool] = mapped_column(default=False)  # copied to the quarantine folder
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # IMAP INTERNALDATE
    received_date: Mapped[date] = mapped_column(Date)  # the date of receipt, Europe/London
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="new")  # new | processed | quarantined
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(MailText())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The raw bytes were removed under the retention schedule (raw is then empty); the Message-ID is replaced by a
    # digest ("disposed:…") once the copies on the mail server are gone too.
    disposed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    decision: Mapped[Decision | None] = relationship(back_populates="inbound", uselist=False)


class Case(Base):
    """A request as staff know it: held while invalid (no reference), an enquiry once it has one."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("mailbox", "reference"),
        Index("ix_cases_sender_stem", "mailbox", "address", "subject_stem"),
        Index("ix_cases_listing", "mailbox", "status", "due"),  # the lists and the digest: open cases by due date
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(320))
    reference: Mapped[str | None] = mapped_column(String(64))
    reference_seq: Mapped[int | None] = mapped_column(Integer)
    reference_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # held | open | answered | closed | withdrawn
    regime: Mapped[str] = mapped_column(String(20))
    applicant_name: Mapped[str | None] = mapped_column(MailText(255))
    address: Mapped[str] = mapped_column(MailKey(320))  # lower-cased correspondence address
    subject: Mapped[str] = mapped_column(MailText(998))
    subject_stem: Mapped[str] = mapped_column(MailKey(998))
    first_received: Mapped[date] = mapped_column(Date)  # when the first (perhaps invalid) message arrived
    received: Mapped[date | None] = mapped_column(Date)  # date of receipt of the complete request: the clock starts
    due: Mapped[date | None] = mapped_column(Date)
    due_why: Mapped[str | None] = mapped_column(Text)
    calendar: Mapped[str | None] = mapped_column(String(255))  # which calendar produced `due`
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(32))  # when answered: store/outcomes.py OUTCOMES
    exemptions: Mapped[list[str] | None] = mapped_column(JSON)  # cited when answered: "s40(2)", "reg 12(5)(a)"
    hold_reason: Mapped[str | None] = mapped_column(MailText(500))  # an admin's legal hold: kept until released
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # under the retention schedule
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    decisions: Mapped[list[Decision]] = relationship(back_populates="case", order_by="Decision.id")
    reviews: Mapped[list[Review]] = relationship(back_populates="case", order_by="Review.id")
    clock_events: Mapped[list[ClockEventRow]] = relationship(order_by="ClockEventRow.id")


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_case", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), unique=True)
    received: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    due_why: Mapped[str] = mapped_column(Text)
    calendar: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="open")
    outcome: Mapped[str | None] = mapped_column(String(32))  # when answered: store/outcomes.py REVIEW_OUTCOMES
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="reviews")
    clock_events: Mapped[list[ClockEventRow]] = relationship(order_by="ClockEventRow.id", viewonly=True)


class ClockEventRow(Base):
    """One event on a clock. Append-only: due dates are derived from receipt plus these, never edited in place."""

    __tablename__ = "clock_events"
    __table_args__ = (Index("ix_clock_events_case", "case_id", "review_id"),
                      Index("ix_clock_events_review", "review_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"))  # None: the enquiry's own clock
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(MailText(), default="")
    source: Mapped[str] = mapped_column(String(16))  # bot | staff
    actor: Mapped[str | None] = mapped_column(MailText(255))  # the person who recorded it (None: the bot)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Decision(Base):
    """The audit trail: what was decided about one inbound message, and why."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_case", "case_id"), Index("ix_decisions_action", "action"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(32))
    regime: Mapped[str | None] = mapped_column(String(20))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)  # applicant_name, address, missing, references, thread…
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    inbound: Mapped[InboundMessage] = relationship(back_populates="decision")
    case: Mapped[Case | None] = relationship(back_populates="decisions")


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("message_id"),
        Index("ix_outbox_status", "status", "next_attempt_at"),
        # The daily reply cap counts one mailbox's replies of the last day for every inbound message, and the
        # hourly cap the whole mailbox's of the last hour: without these, each count would read the whole outbox.
        Index("ix_outbox_recipient_key", "mailbox", "recipient_key", "created_at"),
        Index("ix_outbox_created", "mailbox", "created_at"),
        # Every send looks for sent replies not yet copied to the Sent folder; almost always there are none.
        Index("ix_outbox_unfiled", "mailbox", "status", "in_sent"),
        Index("ix_outbox_case", "case_id"),  # a request's replies (its page, `requests show`)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(320))
    # At most one automatic reply per inbound message: the unique key makes a second one impossible.
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    template: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(MailKey(998))
    in_reply_to: Mapped[str | None] = mapped_column(MailKey(998))
    recipient: Mapped[str] = mapped_column(MailKey(320))
    # The recipient's mailbox with sub-address and case folded (mail/mailbox_key.py): what the daily cap counts by,
    # so `victim+1@…` and `Victim+2@…` are one victim.
    recipient_key: Mapped[str] = mapped_column(String(320), default=_recipient_key)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | sending | sent | failed
    in_sent: Mapped[bool] = mapped_column(default=False)  # a copy is in the mailbox's Sent folder
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(MailText())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disposed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # as for inbound_messages


class ReferenceCounter(Base):
    __tablename__ = "reference_counters"
    __table_args__ = (UniqueConstraint("mailbox", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(320))
    year: Mapped[int] = mapped_column(Integer)
    next_seq: Mapped[int] = mapped_column(Integer)


class StaffAlert(Base):
    """A problem staff were alerted to. The unique key makes "at most one alert mail per problem per day" a fact of
    the schema, so two runners (or a flood of messages) cannot mail staff twice; later occurrences are counted."""

    __tablename__ = "staff_alerts"
    __table_args__ = (UniqueConstraint("mailbox", "key", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(320))
    key: Mapped[str] = mapped_column(MailKey(255))  # e.g. template:en:acknowledgement_foi
    day: Mapped[date] = mapped_column(Date)  # Europe/London
    detail: Mapped[str] = mapped_column(MailText())  # the first problem, as `path:line: message`
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # the alert mails queued in the outbox


class DigestRecord(Base):
    """One staff digest. Periods chain (each starts where the last ended), and a period can start only once, so
    a digest can be neither sent twice nor skipped, whatever restarts or second runners do."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("mailbox", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(320))
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC: the next digest's start
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # committed to the outbox (which delivers)
    message_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # one outbox message per recipient


class User(Base):
    """A person who signs in to the web app. Deactivated rather than deleted, so the audit trail keeps its names."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("name"), UniqueConstraint("oidc_tid", "oidc_oid"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))  # the sign-in name, as typed (compared case-insensitively)
    display_name: Mapped[str] = mapped_column(MailText(255), default="")
    role: Mapped[str] = mapped_column(String(16))  # staff | admin
    mailboxes: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every mailbox
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id; None: single sign-on only
    # Microsoft Entra ID sign-in binds an account to the tenant and object ids (`tid`, `oid` claims), never to an
    # e-mail claim, which Microsoft documents as mutable.
    oidc_tid: Mapped[str | None] = mapped_column(String(64))
    oidc_oid: Mapped[str | None] = mapped_column(String(64))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffAction(Base):
    """One thing a person did (signed in, failed to, recorded a clock event, changed a user): who, what, when.

    `actor` is the user's name as it was (a web user, the operating-system user of a CLI command, or `--as NAME`),
    so the row reads the same after the account is renamed or deactivated.
    """

    __tablename__ = "staff_actions"
    __table_args__ = (Index("ix_staff_actions_case", "case_id"), Index("ix_staff_actions_at", "at"),
                      Index("ix_staff_actions_inbound", "inbound_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(MailText(255))
    via: Mapped[str] = mapped_column(String(16))  # web | cli
    action: Mapped[str] = mapped_column(String(64))  # e.g. login, login_failed, clock_event, user_added
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    # The message a triage verdict is about: with `detail["verdict"]`, a labelled example of what the message
    # really was, which `mailbot evaluate` replays the judge against.
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # never message bodies


class TemplateVersion(Base):
    """One saved version of an admin template file (content None: reverted to the shipped wording)."""

    __tablename__ = "template_versions"
    __table_args__ = (Index("ix_template_versions_path", "path", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(255))  # relative to the template directory: cy/section8_notice/text.txt
    content: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(MailText(255))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Disposal(Base):
    """One entry of the disposal log (s46 Code of Practice: what was destroyed, when, under which authority).

    Never the personal data itself: a case by its reference (which names nobody), a message by its row number.
    """

    __tablename__ = "disposals"
    __table_args__ = (Index("ix_disposals_at", "mailbox", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    mailbox: Mapped[str] = mapped_column(String(320))
    instance: Mapped[str] = mapped_column(String(255))  # host:pid of the instance that disposed, or cli:USER
    record: Mapped[str] = mapped_column(String(32))  # case | message | quarantined | staff_mail | alert | server_copy
    rule: Mapped[str] = mapped_column(String(64))  # the [retention] setting (or "erasure", "schedule_started")
    record_id: Mapped[int | None] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(500), default="")  # what was removed and from where
