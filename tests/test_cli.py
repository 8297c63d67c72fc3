"""The CLI contracts scripts rely on.

Most commands run in this process through Click's CliRunner (`mailbot(...)`, from mailbot.testing.commands): the
same output and exit status without an interpreter start per command. A real process (`shell(...)`, or Popen)
is kept where the process itself is the contract: the exit status and the one stderr line a shell script sees
for a configuration or database error, `run` as a long-lived process stopped by a signal, and the README's
`mailbot demo` and `demo --serve`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import Result
from servers import DovecotAccount, SmtpSink
from sqlalchemy import select

from mailbot.store.db import Database
from mailbot.store.models import Case, StaffAction
from mailbot.testing import bots
from mailbot.testing.commands import mailbot
from mailbot.testing.scenarios import SEED

CHECK_FIELDS = {"file", "kind", "regime", "applicant_name", "address", "valid", "missing", "references", "action",
                "reasons"}


def shell(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m mailbot.cli ARGS...` as its own process, as a shell script runs it."""
    return subprocess.run([sys.executable, "-m", "mailbot.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)


def test_check_json_contract() -> None:
    result = mailbot("check", "--json", *map(str, sorted(SEED.glob("*.eml"))))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert len(records) == 3
    assert all(set(r) >= CHECK_FIELDS for r in records)
    first = records[0]
    assert (first["kind"], first["action"], first["missing"], first["valid"]) == (
        "request", "section8_notice", ["name"], False)
    assert records[2]["references"] == ["13931/2022"]
    assert all(isinstance(r["reasons"], list) and r["reasons"] for r in records)


def test_check_mailbox_option_marks_our_own_mail_as_a_loop(tmp_path: Path) -> None:
    own = tmp_path / "own.eml"
    own.write_bytes(b"From: foi@council.example\r\nSubject: x\r\nMessage-ID: <a@b>\r\n\r\nPlease send the data.\r\n")
    result = mailbot("check", "--json", "--mailbox", "foi@council.example", str(own))
    assert json.loads(result.output)["kind"] == "loop"


def test_check_readable_summary() -> None:
    result = mailbot("check", str(SEED / "01-request.eml"))
    assert "section8_notice" in result.output and "s8(1)(b)" in result.output


@pytest.mark.parametrize("regime,received,due", [
    ("foi", "2022-05-12", "2022-06-13"), ("foi", "2006-11-24", "2006-12-22"),
    ("eir", "2024-07-01", "2024-07-30"),
    ("sar", "2025-01-31", "2025-02-28"), ("internal_review", "2022-06-20", "2022-07-19"),
])
def test_deadline_json(regime: str, received: str, due: str) -> None:
    result = mailbot("deadline", received, "--regime", regime, "--json")
    data = json.loads(result.output)
    assert (data["regime"], data["received"], data["due"]) == (regime, received, due)


def test_deadline_readable() -> None:
    result = mailbot("deadline", "2022-05-12")
    assert result.output.startswith("Monday 13 June 2022")


def test_config_error_exits_2_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[imap]\nprot = 993\n')
    result = shell("--config", str(bad), "deadline", "2022-05-12")
    assert result.returncode == 2
    assert "imap.prot" in result.stderr and result.stderr.count("\n") == 1


def test_run_without_configuration_exits_2() -> None:
    result = shell("run", "--once", env={"MAILBOT_CONFIG": ""})
    assert result.returncode == 2 and "no configuration file" in result.stderr


def test_missing_required_key_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text('[mailbox]\naddress = "foi@council.example"\n')
    result = shell("--config", str(config), "run", "--once", env={"MAILBOT_IMAP_PASSWORD": "x"})
    assert result.returncode == 2
    # every key missing at once, each naming the file it belongs in
    assert f"{config}: mailbox.organisation: missing" in result.stderr
    assert f"{config}: imap.host: missing" in result.stderr and f"{config}: smtp.host: missing" in result.stderr


def test_missing_password_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n[mailbox]\naddress = "a@b.c"\norganisation = "X"\n'
                      '[imap]\nhost = "127.0.0.1"\n[smtp]\nhost = "127.0.0.1"\n')
    env = {"MAILBOT_IMAP_PASSWORD": "", "MAILBOT_IMAP_PASSWORD_FILE": ""}
    result = shell("--config", str(config), "run", "--once", env=env)
    assert result.returncode == 2 and "MAILBOT_IMAP_PASSWORD" in result.stderr


def write_config(tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str, poll: int = 60) -> Path:
    return bots.write_config(tmp_path / "mailbot.toml", dovecot, smtp_sink, db_url, {
        "data_dir": str(tmp_path),
        "mailbox": {"address": "inforights@police.example.uk", "organisation": "Cleveland Police"},
        "references": {"next": 13931}, "schedule": {"poll_seconds": poll}})


def test_run_once_then_requests_list_and_show(
        tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str) -> None:
    config = write_config(tmp_path, dovecot, smtp_sink, db_url)
    env = {"MAILBOT_IMAP_PASSWORD": dovecot.password}
    assert mailbot("--config", str(config), "db", "upgrade").exit_code == 0
    for step in json.loads((SEED / "scenario.json").read_text())["steps"][:2]:
        dovecot.append((SEED / step["deliver"]).read_bytes(), datetime.fromisoformat(step["internaldate"]))
        result = mailbot("--config", str(config), "run", "--once", env=env)
        assert result.exit_code == 0, result.stderr
    assert len(smtp_sink.messages) == 2
    listing = mailbot("--config", str(config), "requests", "list")
    assert "13931/2022" in listing.stdout and "2022-06-13" in listing.stdout
    rows = [json.loads(line) for line in mailbot("--config", str(config), "requests", "list", "--json").stdout.splitlines()]
    assert rows[0]["reference"] == "13931/2022" and rows[0]["due"] == "2022-06-13"
    shown = mailbot("--config", str(config), "requests", "show", "13931/2022")
    assert shown.exit_code == 0
    assert "Fred Wright" in shown.stdout and "2022-06-13" in shown.stdout
    assert "s8(1)(b)" in shown.stdout  # the first decision's reasons are on the enquiry's audit trail
    assert "section8_notice: sent" in shown.stdout and "acknowledgement_foi: sent" in shown.stdout
    assert mailbot("--config", str(config), "requests", "show", "99/2022").exit_code == 1


def test_run_stops_cleanly_on_sigterm(
        tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str) -> None:
    config = write_config(tmp_path, dovecot, smtp_sink, db_url, poll=1)
    dovecot.append((SEED / "01-request.eml").read_bytes(), datetime.fromisoformat("2022-05-10T14:21:09+01:00"))
    process = subprocess.Popen([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run"],
                               env={**os.environ, "MAILBOT_IMAP_PASSWORD": dovecot.password},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        smtp_sink.wait_for(1, timeout=30)
        # A message delivered while it runs is answered at the next poll, without a restart.
        dovecot.append((SEED / "02-full-name.eml").read_bytes(), datetime.fromisoformat("2022-05-12T09:02:46+01:00"))
        smtp_sink.wait_for(2, timeout=30)
        time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "mailbot stopped" in stderr
    assert len(smtp_sink.messages) == 2


def test_demo_plays_the_seed_and_exits_0(tmp_path: Path) -> None:
    result = shell("demo", "--data-dir", str(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("Auto-Submitted: auto-replied") == 3
    assert "Section 8" in out and "13th June 2022" in out and "19th July 2022" in out
    assert "13931/2022   open" in out
    # what was kept can be looked at with the other commands, through the settings file the demo left beside it
    assert f"mailbot --config {tmp_path / 'demo.toml'} requests list" in out
    listed = shell("--config", str(tmp_path / "demo.toml"), "requests", "list")
    assert listed.returncode == 0 and "13931/2022" in listed.stdout, listed.stderr


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_serve_answers_a_member_of_the_public_in_their_own_mailbox(tmp_path: Path) -> None:
    """The README's `demo --serve`: a person sends a request from a mail client (SMTP, with their login) and reads
    the bot's answer in their own INBOX (IMAP), on the ports and password they chose."""
    import asyncio
    import threading

    import aiosmtplib
    from imapclient import IMAPClient

    imap_port, smtp_port, password = free_port(), free_port(), "demo-pass-1"
    process = subprocess.Popen([sys.executable, "-m", "mailbot.cli", "demo", "--serve", "--data-dir", str(tmp_path),
                                "--imap-port", str(imap_port), "--smtp-port", str(smtp_port), "--password", password],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None and process.stderr is not None
    stdout, stderr = process.stdout, process.stderr
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(stdout.readline, "")), daemon=True).start()

    def read_until(pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if match := re.search(pattern, "".join(lines), re.S):
                return match
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} not seen in:\n{''.join(lines)}")

    try:
        read_until(rf"your address  (\S+)   password {password}.*IMAP .* port {imap_port}.*SMTP .* port {smtp_port}")
        request = ("From: Jo Bloggs <you@public.example>\r\nTo: inforights@police.example.uk\r\n"
                   "Subject: Gritting\r\nMessage-ID: <serve-1@example.org>\r\n\r\n"
                   "Please send the 2023 gritting budget.\r\n\r\nYours faithfully,\r\nJo Bloggs\r\n")
        asyncio.run(aiosmtplib.send(request, sender="you@public.example", recipients=["inforights@police.example.uk"],
                                    hostname="127.0.0.1", port=smtp_port, start_tls=False,
                                    username="you@public.example", password=password))
        read_until(r"delivered the bot's answer to you@public\.example's INBOX")
        client = IMAPClient("127.0.0.1", port=imap_port, ssl=False, timeout=10)
        try:
            client.login("you@public.example", password)
            client.select_folder("INBOX")
            answers = client.fetch(client.search(), ["RFC822"])
            bodies = [data[b"RFC822"].decode("utf-8", "replace") for data in answers.values()]
        finally:
            client.logout()
        assert any("Dear Jo Bloggs" in body and re.search(r"Enquiry Ref: 1/\d{4}", body) for body in bodies)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    errors = stderr.read()
    assert process.returncode == 0, errors
    assert "maximum number of running instances" not in errors


def test_demo_removes_its_temporary_directory(tmp_path: Path) -> None:
    result = shell("demo", env={"TMPDIR": str(tmp_path)}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "database sqlite:///" in result.stdout and list(tmp_path.iterdir()) == []


def test_messages_list_says_why_mail_was_not_answered(
        tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    config = write_config(tmp_path, dovecot, smtp_sink, f"sqlite:///{tmp_path}/m.db")
    env = {"MAILBOT_IMAP_PASSWORD": dovecot.password}
    dovecot.append((SEED / "01-request.eml").read_bytes(), datetime.fromisoformat("2022-05-10T14:21:09+01:00"))
    dovecot.append(b"From: Someone <someone@example.org>\r\nSubject: Automatic reply: away\r\n"
                   b"Auto-Submitted: auto-replied\r\nMessage-ID: <oof-1@example.org>\r\n\r\nI am away.\r\n",
                   datetime.fromisoformat("2022-05-10T15:00:00+01:00"))
    assert mailbot("--config", str(config), "run", "--once", env=env).exit_code == 0
    everything = mailbot("--config", str(config), "messages", "list", "--json").stdout.splitlines()
    assert len(everything) == 2
    unanswered = [json.loads(line) for line in
                  mailbot("--config", str(config), "messages", "list", "--unanswered", "--json").stdout.splitlines()]
    assert [(m["message_id"], m["kind"], m["action"]) for m in unanswered] == [
        ("<oof-1@example.org>", "auto_reply", "none")]
    assert any("Auto-Submitted" in r for r in unanswered[0]["reasons"])
    readable = mailbot("--config", str(config), "messages", "list", "--unanswered").stdout
    assert "why: auto-submitted" in readable


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    from servers import free_port

    config = tmp_path / "m.toml"
    config.write_text(f'[database]\nurl = "postgresql://postgres@127.0.0.1:{free_port()}/none"\n')
    result = shell("--config", str(config), "requests", "list")
    assert result.returncode == 1 and result.stderr.startswith("mailbot: database unavailable")
    assert "Traceback" not in result.stderr


def test_staff_casework_moves_the_clock_and_is_audited(
        tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str) -> None:
    config = write_config(tmp_path, dovecot, smtp_sink, db_url)
    env = {"MAILBOT_IMAP_PASSWORD": dovecot.password}
    for step in json.loads((SEED / "scenario.json").read_text())["steps"]:
        dovecot.append((SEED / step["deliver"]).read_bytes(), datetime.fromisoformat(step["internaldate"]))
        assert mailbot("--config", str(config), "run", "--once", env=env).exit_code == 0

    def cli(*args: str) -> Result:
        return mailbot("--config", str(config), "requests", *args)

    state = json.loads(cli("list", "--json", "--today", "2022-06-09").stdout)
    assert (state["due"], state["state"], state["state_text"]) == ("2022-06-13", "due_in", "due in 2 working days")
    assert json.loads(cli("list", "--json", "--today", "2022-07-11").stdout)["state"] == "long_overdue"

    extended = cli("extend", "13931/2022", "--date", "2022-06-01", "--note", "public interest test")
    assert extended.exit_code == 0 and "due 2022-07-11" in extended.stdout
    refused = cli("answer", "13931/2022", "--outcome", "refused", "--date", "2022-07-01")
    assert refused.exit_code == 1 and "name the exemptions" in refused.stderr
    assert "(--exemption s40(2), repeated for each)" in refused.stderr  # which option names them
    assert cli("answer", "13931/2022", "--date", "2022-07-01", "--outcome", "granted_in_part",
               "--exemption", "s40(2)", "--exemption", "section 31(1)(a)", "--as", "Dana Clerk").exit_code == 0
    listed = json.loads(cli("list", "--json").stdout)
    assert (listed["status"], listed["state"], listed["due"]) == ("answered", "done", "2022-07-11")
    review = cli("extend", "13931/2022", "--review", "1", "--date", "2022-06-21")
    assert review.exit_code == 0 and "40 working days" in review.stdout
    shown = cli("show", "13931/2022").stdout
    assert re.search(r"2022-06-01 extended by staff \(\S+\): public interest test", shown)  # the system user
    assert "2022-07-01 answered by staff (Dana Clerk)" in shown
    db = Database(db_url)
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.reference == "13931/2022")).one()
        assert (case.outcome, case.exemptions) == ("granted_in_part", ["s40(2)", "s31(1)(a)"])
        actors = [a.actor for a in session.scalars(select(StaffAction).where(StaffAction.case_id == case.id))]
        assert actors[1] == "Dana Clerk" and len(actors) == 3
    db.dispose()
    assert "2022-05-12 completed by bot" in shown
    assert "why this date:  40 working days after Thursday 12 May 2022" in shown
    # every field labelled alike, and its state not in parentheses inside parentheses
    assert "  clock from:     2022-05-12\n  due:            2022-07-11: answered" in shown and "((" not in shown
    refused = cli("record", "13931/2022", "answered", "--date", "2021-01-01")
    assert refused.exit_code == 1 and "before the request was received" in refused.stderr


def test_recompute_after_a_new_bank_holiday(tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    config = write_config(tmp_path, dovecot, smtp_sink, f"sqlite:///{tmp_path}/m.db")
    env = {"MAILBOT_IMAP_PASSWORD": dovecot.password}
    for step in json.loads((SEED / "scenario.json").read_text())["steps"][:2]:
        dovecot.append((SEED / step["deliver"]).read_bytes(), datetime.fromisoformat(step["internaldate"]))
        assert mailbot("--config", str(config), "run", "--once", env=env).exit_code == 0
    config.write_text(config.read_text() + '\n[calendar]\nextra_non_working_days = ["2022-06-06"]\n')
    dry = mailbot("--config", str(config), "requests", "recompute", "--dry-run")
    assert "13931/2022: due 2022-06-13 → 2022-06-14" in dry.stdout and "1 due date would change" in dry.stdout
    listed = json.loads(mailbot("--config", str(config), "requests", "list", "--json").stdout)
    assert listed["due"] == "2022-06-14"  # always derived from receipt and events on today's calendar
    wet = mailbot("--config", str(config), "requests", "recompute")
    assert "1 due date changed" in wet.stdout
    again = mailbot("--config", str(config), "requests", "recompute")
    assert "0 due dates changed" in again.stdout
