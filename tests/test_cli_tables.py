"""What staff read at a terminal: tables with a header row, aligned whatever the subjects hold, and a request found
by its number alone (`requests show 13931`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mailbot.cli.tables import display_width, table
from mailbot.config import settings_from_mapping
from mailbot.store.casework import refresh_case
from mailbot.store.db import Database
from mailbot.store.models import Case
from mailbot.testing.commands import mailbot

MAILBOX = "foi@council.example"
THIS_YEAR = date.today().year


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "m.toml"
    path.write_text(f'data_dir = "{tmp_path}"\n[mailbox]\naddress = "{MAILBOX}"\norganisation = "Test Council"\n')
    return path


def add_cases(tmp_path: Path, *cases: tuple[int, int, str]) -> None:
    db = Database(f"sqlite:///{tmp_path / 'mailbot.db'}")
    policy = settings_from_mapping({}).clock_policy()
    with db.session() as session:
        for seq, year, subject in cases:
            case = Case(mailbox=MAILBOX, reference=f"{seq}/{year}", reference_seq=seq, reference_year=year,
                        status="open", regime="foi", applicant_name="Jo Bloggs", address="jo@example.org",
                        subject=subject, subject_stem=subject, first_received=date(year, 3, 1), missing=[])
            session.add(case)
            session.flush()
            refresh_case(session, case, policy)
    db.dispose()


def test_requests_show_finds_a_request_by_its_number(tmp_path: Path, config: Path) -> None:
    add_cases(tmp_path, (13931, 2022, "Speed cameras"), (77, 2021, "Old one"), (77, 2022, "Newer one"))
    shown = mailbot("--config", str(config), "requests", "show", "13931")
    assert shown.exit_code == 0 and shown.output.startswith("13931/2022  open  foi"), shown.output
    assert mailbot("--config", str(config), "requests", "show", "13931-22").output.startswith("13931/2022")
    ambiguous = mailbot("--config", str(config), "requests", "show", "77")
    assert ambiguous.exit_code == 1 and "77 could be any of 77/2021, 77/2022: give the year" in ambiguous.stderr
    assert mailbot("--config", str(config), "requests", "show", "77/2021").output.startswith("77/2021")
    assert mailbot("--config", str(config), "requests", "show", "4242").exit_code == 1


def test_a_bare_number_means_this_years_request_when_there_are_several(tmp_path: Path, config: Path) -> None:
    add_cases(tmp_path, (5, 2022, "Then"), (5, THIS_YEAR, "Now"))
    shown = mailbot("--config", str(config), "requests", "show", "5")
    assert shown.exit_code == 0 and shown.output.startswith(f"5/{THIS_YEAR}")


def test_requests_list_is_aligned_whatever_the_subjects_hold(tmp_path: Path, config: Path) -> None:
    add_cases(tmp_path, (1, 2022, "Plain subject"), (123456, 2022, "警察の記録\tand a tab"),
              (7, 2022, "A subject far longer than any terminal column should hold, " * 3))
    listed = mailbot("--config", str(config), "requests", "list", "--today", "2022-03-10")
    lines = listed.output.splitlines()
    assert lines[0].split() == ["REFERENCE", "STATUS", "REGIME", "RECEIVED", "DUE", "STATE", "SUBJECT"]
    # Every line's SUBJECT starts at the header's column, counted as a terminal shows it.
    column = lines[0].index("SUBJECT")
    for line in lines[1:]:
        before = line[:len(line) - len(line.split("  ")[-1])]
        assert display_width(before) == column, line
    assert "\t" not in listed.output and any(line.endswith("…") for line in lines)


def test_tables_pad_wide_characters_by_the_columns_they_take() -> None:
    lines = table(("NAME", "NOTE"), [("東京", "x"), ("ab", "y")])
    assert lines == ["NAME  NOTE", "東京  x", "ab    y"]


def test_messages_list_and_rules_have_header_rows(tmp_path: Path, config: Path) -> None:
    add_cases(tmp_path, (1, 2022, "x"))
    messages = mailbot("--config", str(config), "messages", "list")
    assert messages.exit_code == 0 and messages.output.split() == ["RECEIVED", "STATUS", "KIND", "ACTION", "REPLY",
                                                                   "MESSAGE-ID"]
    rules = mailbot("rules").output.splitlines()
    assert rules[1].split() == ["STATE", "RULE", "DESCRIPTION"]
    header = rules.index("CHAIN (the first link that matches decides)") + 1
    assert rules[header].split() == ["LINK", "OUTCOME", "WHEN"]
