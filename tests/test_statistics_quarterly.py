"""Quarterly FOI statistics: a known quarter's figures match the counts made by hand, both conventions, on SQLite
and PostgreSQL; anonymising the cases changes none of them; the CLI prints them and the per-request CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from mailbot.clock.deadlines import ClockPolicy
from mailbot.store.db import Database
from mailbot.store.disposal import anonymise_case
from mailbot.store.models import Case
from mailbot.store.quarterly import QuarterError, quarter_span, quarter_stats
from mailbot.testing import casebook
from mailbot.testing.commands import mailbot

TODAY = date(2026, 12, 7)
POLICY = ClockPolicy()
D = date


def fill(db: Database) -> None:
    """The quarter 2026Q3, as in the hand count written beside each case."""
    with db.session() as s:
        # A: in 20 working days, granted in full; later an ICO complaint (in the quarter)
        casebook.case(s, POLICY, D(2026, 7, 1), [("answered", D(2026, 7, 15)), ("ico_complaint", D(2026, 9, 20))],
                      outcome="granted_in_full")
        # B: late (due early August), refused under s40(2); its internal review partly upheld, in time
        casebook.case(s, POLICY, D(2026, 7, 6), [("answered", D(2026, 8, 20))], outcome="refused",
                      exemptions=["s40(2)"], review=(D(2026, 8, 25), [("answered", D(2026, 9, 15))], "partly_upheld"))
        # C: extended (public interest), answered after the first due date but within the extension
        casebook.case(s, POLICY, D(2026, 7, 13), [("extended", D(2026, 8, 5)), ("answered", D(2026, 8, 28))],
                      outcome="granted_in_part", exemptions=["s43(2)"])
        # D: EIR, information not held, in time
        casebook.case(s, POLICY, D(2026, 8, 3), [("answered", D(2026, 8, 10))], regime="eir", outcome="not_held")
        # E: withdrawn
        casebook.case(s, POLICY, D(2026, 8, 10), [("withdrawn", D(2026, 8, 12))])
        # F: still open, and late by December
        casebook.case(s, POLICY, D(2026, 9, 1))
        # G: received in Q3, answered in Q4 (advice and assistance)
        casebook.case(s, POLICY, D(2026, 9, 28), [("answered", D(2026, 10, 5))], outcome="advice_given")
        # H: received in Q2, answered in Q3 in time
        casebook.case(s, POLICY, D(2026, 6, 15), [("answered", D(2026, 7, 10))], outcome="granted_in_full")
        # I: subject access: not in the published FOI figures
        casebook.case(s, POLICY, D(2026, 7, 20), [("answered", D(2026, 7, 30))], regime="sar",
                      outcome="granted_in_full")


def check(db: Database) -> None:
    with db.session() as s:
        stats, rows = quarter_stats(s, "2026Q3", POLICY, TODAY)
    r, a = stats.by_received, stats.by_answered
    assert r.requests == 7  # A B C D E F G
    assert dict(+r.timeliness) == {"within_20": 3, "within_extension": 1, "late": 1, "open_late": 1, "withdrawn": 1}
    assert r.in_time == 4
    assert dict(+r.outcomes) == {"granted_in_full": 1, "refused": 1, "granted_in_part": 1, "not_held": 1,
                                 "withdrawn": 1, "advice_given": 1}
    assert dict(+r.exemptions) == {"s40(2)": 1, "s43(2)": 1}
    assert r.extended == 1
    assert a.requests == 5  # A B C D H
    assert dict(+a.timeliness) == {"within_20": 3, "within_extension": 1, "late": 1}
    assert dict(+a.outcomes) == {"granted_in_full": 2, "refused": 1, "granted_in_part": 1, "not_held": 1}
    assert (stats.reviews_received, stats.reviews_answered, stats.reviews_in_time) == (1, 1, 1)
    assert dict(+stats.review_outcomes) == {"partly_upheld": 1}
    assert stats.ico_complaints == 1
    assert len(rows) == 9  # the per-request rows: every regime, received or answered in the quarter
    extended = next(row for row in rows if row.extended)
    assert extended.extension_basis.startswith("s10(3)") and extended.extension_working_days
    assert extended.due_initial < extended.answered <= extended.due_final


def test_a_known_quarter_matches_the_hand_count(db_url: str) -> None:
    db = Database(db_url)
    fill(db)
    check(db)
    with db.session() as s:  # anonymised, the statistics are the same: they keep what they count
        for stored in s.query(Case).all():
            anonymise_case(s, stored, datetime.now(UTC))
    check(db)
    db.dispose()


def test_quarters_are_read_as_written_and_refused_otherwise() -> None:
    assert quarter_span("2026Q3") == (D(2026, 7, 1), D(2026, 9, 30))
    assert quarter_span("2026q4") == (D(2026, 10, 1), D(2026, 12, 31))
    with pytest.raises(QuarterError, match="2026Q3"):
        quarter_span("Q3 2026")


def test_the_cli_prints_the_figures_and_the_per_request_csv(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/mailbot.db"
    db = Database(url)
    fill(db)
    db.dispose()
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[mailbox]\naddress = "foi@council.example"\n')
    summary = mailbot("--config", str(config), "stats", "--quarter", "2026Q3", "--csv")
    assert summary.exit_code == 0, summary.output
    table = {row[0]: row[1:] for row in csv.reader(io.StringIO(summary.output))}
    assert table["received"][0] == "7" and table["answered"][1] == "5"
    assert table["answered within a permitted extension"] == ["1", "1"]
    per_request = mailbot("--config", str(config), "stats", "--quarter", "2026Q3", "--per-request")
    rows = list(csv.DictReader(io.StringIO(per_request.output)))
    assert len(rows) == 9 and {"reference", "timeliness", "exemptions", "review_outcome"} <= set(rows[0])
    assert "Jo Bloggs" not in per_request.output and "@" not in per_request.output  # no names, no addresses
    wrong = mailbot("--config", str(config), "stats", "--quarter", "third")
    assert wrong.exit_code == 2 and "2026Q3" in wrong.output


def test_answering_a_review_at_the_cli_records_its_result_not_the_requests(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from mailbot.store.models import Review

    url = f"sqlite:///{tmp_path}/mailbot.db"
    db = Database(url)
    with db.session() as s:
        stored = casebook.case(s, POLICY, D(2026, 7, 6), [("answered", D(2026, 7, 20))], outcome="refused",
                               exemptions=["s40(2)"], review=(D(2026, 8, 3), [], None))
        reference = stored.reference
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[mailbox]\naddress = "foi@council.example"\n')
    with db.session() as s:
        review_id = s.scalars(select(Review.id)).one()
    wrong = mailbot("--config", str(config), "requests", "answer", reference, "--review", str(review_id),
                    "--outcome", "granted_in_full", "--date", "2026-08-20", "--as", "kim")
    assert wrong.exit_code == 1 and "review's result" in wrong.output
    done = mailbot("--config", str(config), "requests", "answer", reference, "--review", str(review_id),
                   "--outcome", "overturned", "--date", "2026-08-20", "--as", "kim")
    assert done.exit_code == 0, done.output
    with db.session() as s:
        case = s.scalars(select(Case)).one()
        assert (case.outcome, s.get(Review, review_id).outcome) == ("refused", "overturned")
    db.dispose()


def test_the_cli_table_keeps_its_figures_in_two_columns_under_their_headers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/mailbot.db"
    db = Database(url)
    fill(db)
    db.dispose()
    config = tmp_path / "mailbot.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[mailbox]\naddress = "foi@council.example"\n')
    result = mailbot("--config", str(config), "stats", "--quarter", "2026Q3")
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()[1:]
    assert header.split() == ["MEASURE", "RECEIVED", "ANSWERED"]
    ends = {len(header)}  # every row's last figure ends where the header's last column does
    assert {len(row.rstrip()) for row in rows} == ends
    long = next(row for row in rows if "upheld in part (more released)" in row)
    assert long.split()[-2:] == ["—", "1"]
