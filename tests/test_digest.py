"""The staff digest on real SQLite/PostgreSQL (and real Dovecot/aiosmtpd for sending): a database with requests in
every state lands in the right sections; the on-time rate; working days only; never twice, never a gap."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.cli import main
from mailbot.clock.deadlines import ClockPolicy, compute_deadline
from mailbot.clock.workdays import LONDON
from mailbot.config import Settings, settings_from_mapping
from mailbot.replies.digest_model import Digest
from mailbot.replies.templates import Templates
from mailbot.runners.digest import DigestRunner
from mailbot.runners.digest_contents import gather
from mailbot.store.casework import record_event, refresh_case, refresh_review
from mailbot.store.db import Database
from mailbot.store.models import (
    Case,
    Decision,
    DigestRecord,
    InboundMessage,
    OutboxMessage,
    Review,
    StaffAlert,
)
from mailbot.testing.clock import ManualClock as Clock

MAILBOX = "foi@council.example"
STAFF = ("ir-team@council.example", "head-of-ir@council.example")
TODAY = date(2024, 3, 4)  # a Monday
AT_EIGHT = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)  # 08:00 in London (GMT in March)
LAST_DIGEST = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)  # Friday's


def settings(**extra: dict) -> Settings:
    return settings_from_mapping({"mailbox": {"address": MAILBOX, "organisation": "Test Council"},
                                  "staff": {"recipients": list(STAFF)}, **extra})


SETTINGS = settings()
POLICY = SETTINGS.clock_policy()
CAL = POLICY.calendar


def received_for_due(regime: str, due: date, policy: ClockPolicy = POLICY) -> date:
    """The latest date of receipt whose statutory due date is `due`, found with the clock itself."""
    day = due
    for _ in range(400):
        day -= timedelta(days=1)
        if compute_deadline(regime, day, (), policy).due == due:
            return day
    raise AssertionError(f"no receipt date gives {due}")


def working_days_before(day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        n -= CAL.is_working_day(day)
    return day


class Builder:
    """Rows as the bot writes them, dates from casework/clock (never computed here)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.n = 0

    def enquiry(self, label: str, regime: str, received: date, events: Iterable[tuple[str, date]] = (),
                status: str = "open") -> Case:
        self.n += 1
        case = Case(mailbox=MAILBOX, reference=f"{100 + self.n}/{received.year}", reference_seq=100 + self.n,
                    reference_year=received.year, status=status, regime=regime, applicant_name="Jo Bloggs",
                    address=f"person{self.n}@example.org", subject=label, subject_stem=label,
                    first_received=received, missing=[])
        self.session.add(case)
        self.session.flush()
        refresh_case(self.session, case, POLICY)
        for kind, on in events:
            record_event(self.session, case, kind, on, POLICY, source="staff")
        return case

    def held(self, label: str, first_received: date, missing: list[str]) -> Case:
        case = Case(mailbox=MAILBOX, status="held", regime="foi", applicant_name="Fred",
                    address="fred@example.org", subject=label, subject_stem=label, first_received=first_received,
                    missing=missing)
        self.session.add(case)
        self.session.flush()
        return case

    def message(self, processed_at: datetime | None, *, action: str | None, kind: str = "request",
                case: Case | None = None, status: str = "processed", reply: bool = False,
                reasons: tuple[str, ...] = ("because",), error: str | None = None) -> InboundMessage:
        self.n += 1
        at = processed_at or AT_EIGHT
        row = InboundMessage(mailbox=MAILBOX, message_id=f"<m{self.n}@example.org>", folder="INBOX", uidvalidity=1,
                             uid=self.n, moved=True, received_at=at, received_date=at.astimezone(LONDON).date(),
                             raw=b"Subject: x\r\n\r\nx\r\n", size=16, status=status, processed_at=processed_at,
                             last_error=error)
        self.session.add(row)
        self.session.flush()
        if action:
            self.session.add(Decision(inbound_id=row.id, case_id=case.id if case else None, kind=kind, action=action,
                                      regime=case.regime if case else None, reasons=list(reasons), facts={}))
        if reply:
            self.outbox(f"<r{self.n}@council.example>", "sent", inbound_id=row.id, case=case)
        self.session.flush()
        return row

    def outbox(self, message_id: str, status: str, *, inbound_id: int | None = None, case: Case | None = None,
               error: str | None = None) -> None:
        self.session.add(OutboxMessage(mailbox=MAILBOX, inbound_id=inbound_id, case_id=case.id if case else None,
                                       template="acknowledgement_foi", message_id=message_id, in_reply_to=None,
                                       recipient="x@example.org", raw=b"x", status=status, next_attempt_at=AT_EIGHT,
                                       last_error=error))


def build_every_state(db: Database) -> dict[str, str]:
    """One of everything; returns label -> reference."""
    refs: dict[str, str] = {}
    in_period = LAST_DIGEST + timedelta(days=1)  # Saturday: processed since Friday's digest
    before = LAST_DIGEST - timedelta(hours=1)
    with db.session() as session:
        b = Builder(session)

        def enquiry(label: str, regime: str, received: date, **kw: object) -> Case:
            case = b.enquiry(label, regime, received, **kw)  # type: ignore[arg-type]
            refs[label] = case.reference or ""
            return case

        enquiry("due today", "foi", received_for_due("foi", TODAY))
        enquiry("due in 3", "eir", received_for_due("eir", CAL.add_working_days(TODAY, 3)))
        enquiry("sar due in 5", "sar", received_for_due("sar", CAL.add_working_days(TODAY, 5)))
        enquiry("due in 6", "foi", received_for_due("foi", CAL.add_working_days(TODAY, 6)))
        enquiry("overdue", "foi", received_for_due("foi", working_days_before(TODAY, 2)))
        enquiry("long overdue", "foi", date(2023, 11, 1))
        clarifying = enquiry("awaiting clarification", "foi", date(2024, 2, 20),
                             events=[("clarification_asked", date(2024, 2, 22))])
        enquiry("awaiting fee", "foi", date(2024, 2, 19), events=[("fees_notice", date(2024, 2, 26))])
        on_time = enquiry("answered on time", "foi", date(2024, 1, 8), events=[("answered", date(2024, 1, 10))])
        enquiry("answered late", "foi", date(2023, 12, 1), events=[("answered", date(2024, 2, 28))])
        enquiry("answered last year", "foi", date(2023, 10, 2), events=[("answered", date(2023, 12, 20))])
        enquiry("closed", "foi", date(2023, 11, 2), events=[("closed", date(2023, 11, 3))])
        enquiry("withdrawn", "foi", date(2023, 11, 2), events=[("withdrawn", date(2023, 11, 6))])
        new = enquiry("new since friday", "foi", date(2024, 3, 2))
        b.message(in_period, action="acknowledge", case=new, reply=True)
        old = enquiry("decided before friday", "foi", date(2024, 2, 29))
        b.message(before, action="acknowledge", case=old, reply=True)
        review_received = received_for_due("internal_review", working_days_before(TODAY, 1))
        review_msg = b.message(in_period, action="acknowledge_review", kind="follow_up", case=on_time, reply=True)
        review = Review(case_id=on_time.id, inbound_id=review_msg.id, received=review_received, due=review_received,
                        due_why="", calendar="")
        session.add(review)
        session.flush()
        refresh_review(session, review, POLICY)
        refs["review"] = on_time.reference or ""
        held = b.held("no name", date(2024, 2, 27), ["name"])
        refs["no name"] = f"#{held.id}"
        b.message(in_period, action="section8_notice", case=held, reply=True)
        b.message(in_period, action="none", kind="auto_reply", reasons=("an out-of-office reply",))
        b.message(in_period, action="staff_review", kind="follow_up", reasons=("no enquiry matches this reply",))
        b.message(before, action="none", kind="bounce", reasons=("old bounce",))
        b.message(in_period, action="acknowledge_follow_up", kind="follow_up", case=clarifying)
        b.message(None, action=None, status="quarantined", error="ValueError: unreadable")
        b.outbox("<refused@council.example>", "failed", case=new, error="550 5.1.1 no such user")
        session.add(StaffAlert(mailbox=MAILBOX, key="template:en:acknowledgement_foi", day=date(2024, 3, 2),
                               detail="/admin/acknowledgement_foi/text.txt:2: 'x' is undefined", occurrences=3,
                               first_at=in_period, last_at=in_period, message_ids=[]))
    return refs


def labels(section) -> list[str]:  # type: ignore[no-untyped-def]
    return [line.label for line in section.rows]


@pytest.fixture
def db(db_url: str) -> Iterable[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def test_a_database_in_every_state(db: Database) -> None:
    refs = build_every_state(db)
    with db.session() as session:
        digest: Digest = gather(session, SETTINGS, LAST_DIGEST, AT_EIGHT)
    assert digest.today == TODAY and digest.period_start.tzinfo is not None
    assert labels(digest.due_today) == [refs["due today"]]
    assert labels(digest.due_soon) == [refs["due in 3"], refs["sar due in 5"]]  # 6 working days is not "soon"
    assert labels(digest.overdue) == [refs["overdue"], refs["review"] + " (internal review)"]  # most overdue first
    assert [line.working_days for line in digest.overdue.rows] == [2, 1]
    assert labels(digest.long_overdue) == [refs["long overdue"]]
    assert sorted(labels(digest.held)) == sorted([refs["no name"], refs["awaiting clarification"],
                                                  refs["awaiting fee"]])
    waiting = {line.label: line for line in digest.held.rows}
    assert waiting[refs["no name"]].since == date(2024, 2, 27)
    assert waiting[refs["no name"]].waiting_working_days == 4  # Wed, Thu, Fri, Mon
    assert waiting[refs["awaiting clarification"]].since == date(2024, 2, 22)
    assert waiting[refs["awaiting fee"]].since == date(2024, 2, 26)
    assert sorted(labels(digest.new)) == sorted([refs["new since friday"], refs["review"] + " (internal review)",
                                                 refs["no name"]])
    assert [line.why for line in digest.robots.rows] == ["an out-of-office reply"]  # not the bounce from before
    assert [line.why for line in digest.needs_staff.rows] == ["no enquiry matches this reply"]
    assert [line.why for line in digest.quarantined.rows] == ["ValueError: unreadable"]
    assert [(line.message_id, line.reference) for line in digest.failed_replies.rows] == [
        ("<refused@council.example>", refs["new since friday"])]
    assert [(a.occurrences, a.day) for a in digest.alerts.rows] == [(3, date(2024, 3, 2))]
    every_listed = {line.label.split(" ")[0] for section in (digest.due_today, digest.due_soon, digest.overdue,
                                                             digest.long_overdue, digest.held, digest.new)
                    for line in section.rows}
    for done in ("answered on time", "answered late", "answered last year", "closed", "withdrawn", "due in 6"):
        assert refs[done] not in every_listed or done == "answered on time"  # only its open review is listed
    # The year's on-time rate: 2024's two answers, one by its due date (last year's answer is not counted).
    assert (digest.on_time.year, digest.on_time.answered, digest.on_time.on_time) == (2024, 2, 1)
    assert digest.on_time.percent == 50.0 and digest.on_time.meets_target is False


def test_the_digest_email_shows_every_section(db: Database) -> None:
    refs = build_every_state(db)
    runner = DigestRunner(SETTINGS, db, Templates())
    _digest, rendered = runner.preview(AT_EIGHT)
    assert rendered.subject == "Test Council information rights digest, 4th March 2024: 1 due today, 3 overdue, 3 new"
    text = rendered.text
    for heading, label in [("DUE TODAY (1)", "due today"), ("LONG OVERDUE (1)", "long overdue"),
                           ("DUE WITHIN 5 WORKING DAYS (2)", "due in 3"), ("HELD:", "no name")]:
        assert heading in text and refs[label] in text.split(heading, 1)[1]
    assert "On time in 2024: 50.0% (1 of 2" in text and "BELOW TARGET" in text
    assert "<m" in text and "an out-of-office reply" in text and "ValueError: unreadable" in text
    assert "550 5.1.1 no such user" in text and "'x' is undefined" in text
    assert rendered.html and refs["long overdue"] in rendered.html and "50.0%" in rendered.html
    # a command staff copy is never broken across two lines by the wrapping
    assert [line for line in text.splitlines() if line.count("`") % 2] == []
    assert "\n    mailbot requests show REF" in text
    with db.session() as session:  # a preview records nothing
        assert session.scalar(select(func.count()).select_from(DigestRecord)) == 0


# -- when --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("moment,due", [
    (datetime(2024, 3, 4, 7, 59, tzinfo=UTC), False),  # Monday, before eight
    (datetime(2024, 3, 4, 8, 0, tzinfo=UTC), True),
    (datetime(2024, 3, 2, 9, 0, tzinfo=UTC), False),  # Saturday
    (datetime(2024, 3, 29, 9, 0, tzinfo=UTC), False),  # Good Friday
    (datetime(2024, 4, 1, 9, 0, tzinfo=UTC), False),  # Easter Monday (not Scotland: still a holiday)
    (datetime(2024, 3, 18, 9, 0, tzinfo=UTC), False),  # St Patrick's Day, Northern Ireland only
    (datetime(2023, 11, 30, 9, 0, tzinfo=UTC), False),  # St Andrew's Day, Scotland only
    (datetime(2024, 7, 1, 7, 0, tzinfo=UTC), True),  # 08:00 BST
    (datetime(2024, 7, 1, 6, 59, tzinfo=UTC), False),
])
def test_working_days_only_at_the_configured_time(moment: datetime, due: bool, tmp_path: Path) -> None:
    runner = DigestRunner(SETTINGS, Database(f"sqlite:///{tmp_path}/d.db"), Templates())
    assert runner.is_due(moment) is due


def test_the_scheduler_runs_the_digest_at_its_time_and_at_start(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot({"staff": {"recipients": list(STAFF)}, "digest": {"time": "07:30"}})
    job = bot.build_scheduler().get_job("digest")
    assert job is not None and job.func == bot.digest_job
    friday_evening = datetime(2024, 3, 1, 18, 0, tzinfo=LONDON)
    assert job.trigger.get_next_fire_time(None, friday_evening) == datetime(2024, 3, 4, 7, 30, tzinfo=LONDON)
    assert job.next_run_time is not None  # a first run at start: catches up on a digest missed while down
    quiet = make_bot()
    assert quiet.build_scheduler().get_job("digest") is None  # nobody to send it to: no digest


# -- once, and no gaps -------------------------------------------------------------------------------------------


def digests(db: Database) -> list[DigestRecord]:
    with db.session() as session:
        return list(session.scalars(select(DigestRecord).order_by(DigestRecord.id)))


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def sent_digests(smtp_sink) -> list[EmailMessage]:  # type: ignore[no-untyped-def]
    return [m.message for m in smtp_sink.messages if "digest" in m.message["Subject"]]


def test_sent_once_across_a_restart_and_never_on_a_holiday(make_bot, smtp_sink, db_url) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(datetime(2024, 3, 28, 8, 0, tzinfo=UTC))  # Thursday before Easter
    extra = {"staff": {"recipients": list(STAFF)}}
    bot = make_bot(extra, clock=clock)
    outcome = bot.digest_job()
    assert outcome is not None and outcome.issued
    sent = sent_digests(smtp_sink)
    assert sorted(m["To"] for m in sent) == sorted(STAFF)
    message = sent[0]
    assert message["Auto-Submitted"] == "auto-generated" and message["From"].endswith(f"<{MAILBOX}>")
    assert message["Reply-To"] == ", ".join(STAFF)  # a reply goes to the team, never to the bot's mailbox
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None

    clock.now += timedelta(minutes=30)
    second = make_bot(extra, clock=clock)  # a second instance (or a restart) the same morning
    again = second.digest_job()
    assert again is None or not again.issued
    restarted = DigestRunner(bot.settings, Database(db_url, migrate=False), Templates())  # a new process
    assert restarted.issue(clock.now, scheduled=True).reason == "already issued for today"
    restarted.db.dispose()
    for holiday in (datetime(2024, 3, 29, 8, 5), datetime(2024, 3, 30, 8, 5), datetime(2024, 4, 1, 8, 5)):
        clock.now = holiday.replace(tzinfo=UTC)  # Good Friday, Saturday, Easter Monday
        assert bot.digest_job().issued is False
    clock.now = datetime(2024, 4, 2, 7, 5, tzinfo=UTC)  # Tuesday 08:05 BST
    assert bot.digest_job().issued is True
    records = digests(bot.db)
    assert len(records) == 2 and len(sent_digests(smtp_sink)) == 4
    # No gap: Tuesday's digest starts exactly where Thursday's ended.
    assert utc(records[1].period_start) == utc(records[0].period_end) == datetime(2024, 3, 28, 8, 0,
                                                                                   tzinfo=UTC)
    assert utc(records[1].period_end) == clock.now
    with bot.db.session() as session:
        assert session.scalars(select(OutboxMessage.status).where(OutboxMessage.template == "digest")).all() == \
            ["sent"] * 4


def test_a_period_missed_while_down_is_covered_by_the_next_digest(db: Database) -> None:
    runner = DigestRunner(SETTINGS, db, Templates())
    monday = runner.issue(AT_EIGHT, scheduled=True)
    with db.session() as session:  # Tuesday, while the bot is down, a request is decided (e.g. by another host)
        b = Builder(session)
        case = b.enquiry("decided on tuesday", "foi", date(2024, 3, 5))
        b.message(datetime(2024, 3, 5, 12, 0, tzinfo=UTC), action="acknowledge", case=case, reply=True)
    thursday = runner.issue(datetime(2024, 3, 7, 9, 15, tzinfo=UTC), scheduled=True)
    assert monday.issued and thursday.issued and thursday.period_start == monday.period_end
    with db.session() as session:
        start, end = digests(db)[1].period_start, digests(db)[1].period_end
        digest = gather(session, SETTINGS, utc(start), utc(end))
    assert labels(digest.new) == [case.reference]


def test_two_runners_at_the_same_moment_send_one_digest(db: Database, db_url: str) -> None:
    runners = [DigestRunner(SETTINGS, Database(db_url, migrate=False), Templates()) for _ in range(4)]
    barrier = threading.Barrier(len(runners))
    outcomes: list[object] = []
    errors: list[BaseException] = []

    def run(runner: DigestRunner) -> None:
        try:
            barrier.wait()
            outcomes.append(runner.issue(AT_EIGHT + timedelta(seconds=1), scheduled=True))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for runner in runners:
        runner.db.dispose()
    assert not errors
    assert sum(o.issued for o in outcomes) == 1  # type: ignore[attr-defined]
    assert len(digests(db)) == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == len(STAFF)


def test_the_first_digest_starts_at_the_previous_working_days_time(db: Database) -> None:
    runner = DigestRunner(SETTINGS, db, Templates())
    tuesday_after_easter = datetime(2024, 4, 2, 9, 0, tzinfo=UTC)
    outcome = runner.issue(tuesday_after_easter, scheduled=False)
    assert outcome.period_start == datetime(2024, 3, 28, 8, 0, tzinfo=UTC)  # Thursday 08:00 GMT


def test_no_recipients_no_digest(db: Database) -> None:
    from mailbot.runners.digest import DigestError

    runner = DigestRunner(settings_from_mapping({"mailbox": {"address": MAILBOX}}), db, Templates())
    with pytest.raises(DigestError, match=r"digest\.recipients"):
        runner.issue(AT_EIGHT, scheduled=True)
    only_digest = settings_from_mapping({"mailbox": {"address": MAILBOX}, "digest": {"recipients": ["a@b.example"]}})
    assert DigestRunner(only_digest, db, Templates()).recipients == ("a@b.example",)


def test_a_broken_admin_digest_template_still_sends_and_alerts(db: Database, tmp_path: Path) -> None:
    (tmp_path / "digest").mkdir()
    (tmp_path / "digest" / "text.txt").write_text("{{ digest.overdue.rows[0].nonsense }}\n")
    runner = DigestRunner(SETTINGS, db, Templates(tmp_path))
    assert runner.issue(AT_EIGHT, scheduled=True).issued
    with db.session() as session:
        templates = session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)).all()
        alert = session.scalars(select(StaffAlert)).one()
    assert templates == ["staff_alert", "staff_alert", "digest", "digest"]
    assert alert.key == "template:en:digest" and str(tmp_path / "digest" / "text.txt") in alert.detail


# -- the command line --------------------------------------------------------------------------------------------


def test_digest_preview_and_send_commands(db_url: str, smtp_sink, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[mailbox]\naddress = "{MAILBOX}"\norganisation = "Test Council"\n'
                      f'[smtp]\nhost = "{smtp_sink.host}"\nport = {smtp_sink.port}\n'
                      f'[database]\nurl = "{db_url}"\n[digest]\nrecipients = ["{STAFF[0]}"]\n')
    db = Database(db_url)
    refs = build_every_state(db)
    runner = CliRunner()
    html = tmp_path / "digest.html"
    preview = runner.invoke(main, ["--config", str(config), "digest", "--preview", "--at", "2024-03-04 08:00",
                                   "--html", str(html)])
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.startswith("Subject: Test Council information rights digest, 4th March 2024")
    assert refs["due today"] in preview.stdout and refs["due today"] in html.read_text()
    assert digests(db) == [] and smtp_sink.messages == []
    sent = runner.invoke(main, ["--config", str(config), "digest", "--send"])
    assert sent.exit_code == 0, sent.output
    assert "queued for 1 recipient; sent 1" in sent.stdout
    assert [m.rcpt_tos for m in smtp_sink.messages] == [[STAFF[0]]] and len(digests(db)) == 1
    bare = runner.invoke(main, ["--config", str(config), "digest", "--at", "2024-03-04 08:00"])  # previews
    assert bare.exit_code == 0 and bare.stdout.startswith("Subject: Test Council information rights digest, 4th Mar")
    assert len(digests(db)) == 1 and len(smtp_sink.messages) == 1  # nothing recorded or sent
    both = runner.invoke(main, ["--config", str(config), "digest", "--preview", "--send"])
    assert both.exit_code == 2 and "give one of --preview or --send" in both.output
    db.dispose()


def test_staff_actions_are_audited_and_move_requests_out_of_the_digest(db: Database, db_url: str,
                                                                       tmp_path: Path) -> None:
    """`requests clarify|answer|close|withdraw` are clock events by "staff"; a held request can be ended too."""
    with db.session() as session:
        b = Builder(session)
        asked = b.enquiry("to clarify", "foi", date(2024, 2, 26))
        answered = b.enquiry("to answer", "foi", date(2024, 2, 5))
        closed = b.enquiry("to close", "foi", date(2024, 2, 6))
        held = b.held("abandoned", date(2024, 2, 1), ["name"])
        refs = [asked.reference, answered.reference, closed.reference, f"#{held.id}"]
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[mailbox]\naddress = "{MAILBOX}"\n[database]\nurl = "{db_url}"\n')
    for action, ref in zip(("clarify", "answer", "close", "withdraw"), refs, strict=True):
        # Real processes, as staff run them (the in-process runner would leave their connections to the GC).
        result = subprocess.run([sys.executable, "-m", "mailbot.cli", "--config", str(config), "requests", action,
                                 ref, "--date", "2024-03-01"], capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
    with db.session() as session:
        from mailbot.store.models import ClockEventRow

        events = session.execute(select(ClockEventRow.kind, ClockEventRow.source, ClockEventRow.occurred_on)
                                 .order_by(ClockEventRow.id)).all()
        digest = gather(session, SETTINGS, LAST_DIGEST, AT_EIGHT)
        statuses = [session.get(Case, c.id).status for c in (asked, answered, closed, held)]  # type: ignore[union-attr]
    assert [(k, s) for k, s, _ in events] == [("clarification_asked", "staff"), ("answered", "staff"),
                                              ("closed", "staff"), ("withdrawn", "staff")]
    assert statuses == ["open", "answered", "closed", "withdrawn"]
    assert labels(digest.held) == [asked.reference]  # awaiting clarification; the withdrawn held one is gone
    assert digest.on_time.answered == 1 and digest.on_time.on_time == 1
    for section in (digest.due_today, digest.due_soon, digest.overdue, digest.long_overdue):
        assert not set(labels(section)) & set(refs)
