"""A held request's actions at the command line, as on its web page: `requests remind` queues the Section 8 notice
again (once a day), `requests release` gives it its reference and clock (and an acknowledgement unless told not),
each recorded in the staff audit trail with who did it, via the CLI."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from mailbot.store.db import Database
from mailbot.store.models import Case, OutboxMessage, StaffAction
from mailbot.testing.commands import mailbot
from mailbot.testing.web import seed_requests, web_settings


def held_store(tmp_path: Path, db_url: str) -> tuple[Path, int]:
    db = Database(db_url)
    seed_requests(db, web_settings(tmp_path))
    with db.session() as session:
        held = session.scalars(select(Case.id).where(Case.status == "held")).one()
    db.dispose()
    config = tmp_path / "m.toml"
    config.write_text(f'[mailbox]\naddress = "foi@council.example"\n[database]\nurl = "{db_url}"\n')
    return config, held


def test_remind_then_release_from_the_command_line(tmp_path: Path, db_url: str) -> None:
    config, held = held_store(tmp_path, db_url)
    reminded = mailbot("--config", str(config), "requests", "remind", f"#{held}", "--as", "pat")
    assert reminded.exit_code == 0, reminded.stderr
    assert "queued again" in reminded.stdout
    again = mailbot("--config", str(config), "requests", "remind", f"#{held}")
    assert again.exit_code == 1 and "less than a day ago" in again.stderr
    released = mailbot("--config", str(config), "requests", "release", f"#{held}", "--name", "Fred Wright",
                       "--date", "2022-05-12", "--no-acknowledge", "--as", "pat")
    assert released.exit_code == 0, released.stderr
    assert "due 2022-06-13" in released.stdout
    db = Database(str(db_url))
    with db.session() as session:
        case = session.get(Case, held)
        assert case is not None and (case.status, case.applicant_name) == ("open", "Fred Wright")
        assert released.stdout.startswith(f"#{held} is now {case.reference}")
        templates = list(session.scalars(select(OutboxMessage.template).where(OutboxMessage.case_id == held)))
        assert templates == ["section8_notice", "section8_notice"]  # no acknowledgement: --no-acknowledge
        actions = [(a.actor, a.via, a.action) for a in session.scalars(
            select(StaffAction).where(StaffAction.case_id == held).order_by(StaffAction.id))]
        assert actions == [("pat", "cli", "held_reminded"), ("pat", "cli", "held_released")]
    db.dispose()
    twice = mailbot("--config", str(config), "requests", "release", f"#{held}", "--name", "Fred Wright")
    assert twice.exit_code == 1 and "no longer held" in twice.stderr
