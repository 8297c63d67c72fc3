"""A requester's own data: `mailbot person export` gives everything held about an address; `person erase`
anonymises what nothing holds and says why it keeps the rest (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from mailbot.clock.deadlines import ClockPolicy
from mailbot.store.db import Database
from mailbot.store.models import Case, Disposal, InboundMessage
from mailbot.testing import casebook
from mailbot.testing.commands import mailbot
from mailbot.testing.messages import MAILBOX

POLICY = ClockPolicy()
WHO = "kim@example.org"


def test_export_then_erase_keeps_only_what_a_hold_keeps(tmp_path: Path, db_url: str) -> None:
    db = Database(db_url)
    with db.session() as s:
        old = casebook.case(s, POLICY, date(2024, 3, 4), [("answered", date(2024, 3, 20))], address=WHO,
                            outcome="granted_in_full")
        appealed = casebook.case(s, POLICY, date(2025, 3, 3), [("answered", date(2025, 3, 20)),
                                                               ("ico_complaint", date(2025, 5, 1))], address=WHO,
                                 outcome="refused", exemptions=["s40(2)"])
        other = casebook.case(s, POLICY, date(2024, 3, 4), [("answered", date(2024, 3, 20))],
                              address="someone@example.org")
        loose = casebook.message(s, date(2026, 11, 2), action="staff_review", kind="person", sender=WHO)
        refs, loose_id = (old.reference, appealed.reference, other.reference), loose.id
    db.dispose()
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n[mailbox]\naddress = "{MAILBOX}"\n')
    exported = mailbot("--config", str(config), "person", "export", WHO.upper(), "--as", "dpo")
    assert exported.exit_code == 0, exported.output
    held = json.loads(exported.stdout)
    assert sorted(c["reference"] for c in held["cases"]) == sorted(refs[:2])
    assert len(held["messages"]) == 3 and all("Please send" in m["raw"] for m in held["messages"])
    assert len(held["replies"]) == 2 and held["cases"][1]["events"][1]["kind"] == "ico_complaint"
    erased = mailbot("--config", str(config), "person", "erase", WHO, "--yes", "--as", "dpo")
    assert erased.exit_code == 3  # something was kept, and the exit status says so
    assert f"erased: {refs[0]}" in erased.stdout and f"message #{loose_id}" in erased.stdout
    assert f"kept: {refs[1]}: an ICO complaint is open" in erased.stdout
    db = Database(db_url)
    with db.session() as s:
        cases = {c.reference: c for c in s.scalars(select(Case))}
        raw = s.get(InboundMessage, loose_id).raw
        log = list(s.scalars(select(Disposal).where(Disposal.rule == "erasure")))
    assert cases[refs[0]].address == "" and cases[refs[0]].outcome == "granted_in_full"
    assert cases[refs[1]].address == WHO and cases[refs[2]].address == "someone@example.org"
    assert raw == b"" and len(log) >= 2 and not any(WHO in row.detail for row in log)
    logged = mailbot("--config", str(config), "retention", "log", "--csv")
    assert logged.exit_code == 0 and logged.stdout.count(",erasure,") == len(log) and WHO not in logged.stdout
    again = json.loads(mailbot("--config", str(config), "person", "export", WHO).stdout)
    assert [c["reference"] for c in again["cases"]] == [refs[1]]  # only what the ICO complaint keeps
    nobody = mailbot("--config", str(config), "person", "export", "jo.blogs@example.org")  # a typo, or no data
    assert nobody.exit_code == 0 and json.loads(nobody.stdout)["cases"] == []  # still the file a SAR answer needs
    assert "nothing is held about jo.blogs@example.org" in nobody.stderr
    db.dispose()
