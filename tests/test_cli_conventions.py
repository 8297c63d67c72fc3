"""The command line behaves as people expect of a Unix tool (issue 17): -h and --version, global options after the
command, `-` for standard input, invalid dates called invalid, one line per configuration mistake with exit 2,
read-only commands that never create or migrate a database, JSON logs, and the shipped example and settings."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from mailbot.cli.shipped import example_settings, systemd_unit
from mailbot.testing.commands import mailbot

MESSAGE = Path(__file__).parent / "data" / "labelled" / "replies" / "antw-dutch-reply.eml"


def shell(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None,
          cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m mailbot ARGS...` as a shell runs it, with no MAILBOT_* variables from the test's environment."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    result = subprocess.run([sys.executable, "-m", "mailbot", *args], capture_output=True, timeout=60,
                            env={**environ, **(env or {})}, input=stdin, check=False, cwd=cwd)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(),
                                       result.stderr.decode())


def test_version_and_short_help() -> None:
    version = shell("--version")
    assert version.returncode == 0 and version.stdout.startswith("mailbot 0.")
    for args in (["-h"], ["deadline", "-h"], ["requests", "list", "-h"]):
        result = mailbot(*args)
        assert result.exit_code == 0 and result.output.startswith("Usage:"), args


def test_global_options_may_follow_the_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[imap]\nprot = 993\n")
    for args in (["deadline", "2022-05-12", "--config", str(bad)], ["deadline", f"--config={bad}", "2022-05-12"],
                 ["--config", str(bad), "deadline", "2022-05-12"]):
        result = shell(*args)
        assert result.returncode == 2 and "imap.prot: unknown key; did you mean port?" in result.stderr, args
    # After `--`, an argument is an argument, never an option.
    assert mailbot("deadline", "--", "--config").exit_code == 2


def test_check_reads_standard_input() -> None:
    from_file = shell("check", "--json", str(MESSAGE))
    from_stdin = shell("check", "--json", "-", stdin=MESSAGE.read_bytes())
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert {**json.loads(from_stdin.stdout), "file": "x"} == {**json.loads(from_file.stdout), "file": "x"}
    assert json.loads(from_stdin.stdout)["file"] == "-"


def test_check_names_a_missing_file_and_exits_2(tmp_path: Path) -> None:
    result = shell("check", str(tmp_path / "nope.eml"))
    assert result.returncode == 2 and "nope.eml" in result.stderr and "No such file" in result.stderr


def test_deadline_calls_a_day_that_does_not_exist_invalid() -> None:
    result = mailbot("deadline", "2022-02-30")
    assert result.exit_code == 2 and "'2022-02-30' is an invalid date" in result.output
    result = mailbot("deadline", "30/02/2022")
    assert result.exit_code == 2 and "not a date as YYYY-MM-DD" in result.output
    assert "RECEIVED" in mailbot("deadline", "--help").output


def test_every_configuration_mistake_is_one_line_and_all_are_shown(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text('log_level = "debug"\n[schedule]\npoll_seconds = "60"\n[imap]\nverify_certificates = "no"\n'
                      'port = 993.0\n[database]\nurl = "mysql://u@h/db"\n')
    result = shell("--config", str(config), "deadline", "2022-05-12")
    lines = result.stderr.splitlines()
    assert result.returncode == 2 and len(lines) == 4, result.stderr
    assert all(line.startswith(f"mailbot: configuration error: {config}: ") for line in lines)
    assert any("schedule.poll_seconds: must be an integer, not a string" in line for line in lines)
    assert any("database.url: mysql databases are not supported" in line for line in lines)


def test_a_config_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_bytes('[mailbox]\norganisation = "Caf\xe9"\n'.encode("latin-1"))
    result = shell("--config", str(config), "rules")
    assert result.returncode == 2 and f"{config}: not UTF-8 text" in result.stderr


@pytest.mark.parametrize("args", [["requests", "list"], ["messages", "list"], ["digest", "--preview"],
                                  ["requests", "show", "1/2022"], ["evaluate"]])
def test_read_only_commands_never_create_a_sqlite_database(tmp_path: Path, args: list[str]) -> None:
    result = shell(*args, env={"MAILBOT_CONFIG": ""}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"mailbot: no database at {tmp_path / 'data' / 'mailbot.db'}"), result.stderr
    assert "mailbot db upgrade" in result.stderr
    assert not (tmp_path / "data").exists()


def test_read_only_commands_never_migrate_an_empty_postgresql_database(tmp_path: Path, postgres_url: str) -> None:
    config = tmp_path / "m.toml"
    config.write_text(f'[database]\nurl = "{postgres_url}"\n')
    for args in (["requests", "list"], ["messages", "list"], ["digest", "--preview"]):
        result = mailbot("--config", str(config), *args)
        assert result.exit_code == 1 and "holds no mailbot tables" in result.stderr, args
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    assert mailbot("--config", str(config), "db", "upgrade").exit_code == 0  # the command that creates
    listed = mailbot("--config", str(config), "requests", "list", "--json")
    assert listed.exit_code == 0 and listed.output == ""


def test_db_upgrade_creates_and_then_read_only_commands_open_it(tmp_path: Path) -> None:
    upgraded = shell("--log-level", "info", "db", "upgrade", env={"MAILBOT_CONFIG": ""}, cwd=tmp_path)
    assert upgraded.returncode == 0 and (tmp_path / "data" / "mailbot.db").exists()
    assert "alembic" not in upgraded.stderr.lower()  # Alembic's INFO lines ("Context impl …") are not shown
    listed = shell("requests", "list", env={"MAILBOT_CONFIG": ""}, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr


def test_json_logs_for_collectors(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text("[smtp]\nsender = \"process\"\n")  # a retired key: a warning from mailbot.config
    result = shell("--config", str(config), "deadline", "2022-05-12", "--log-format", "json")
    assert result.returncode == 0
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert entries and entries[0]["level"] == "WARNING" and entries[0]["logger"] == "mailbot.config"
    assert "smtp.sender is no longer used" in entries[0]["message"] and entries[0]["time"].endswith("+00:00")


def test_config_example_and_systemd_unit_are_shipped() -> None:
    example = mailbot("config", "example")
    assert example.exit_code == 0 and example.output == example_settings()
    assert "[imap]" in example.output
    unit = mailbot("config", "systemd").output
    assert unit == systemd_unit()
    for line in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/mailbot", "PrivateTmp=yes",
                 "Type=notify"):
        assert line in unit
    files = mailbot("config", "files").output
    assert "mailbot.example.toml" in files and "docs" in files


def test_config_show_says_where_each_value_came_from_and_masks_secrets(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text('[imap]\nhost = "imap.example.org"\n')
    result = mailbot("config", "show", "--config", str(config), env={"MAILBOT_IMAP_PASSWORD": "hunter2"})
    assert result.exit_code == 0
    lines = {line.split(" = ")[0]: line for line in result.output.splitlines() if " = " in line}
    assert lines["imap.host"].endswith(f"# file {config}") and '"imap.example.org"' in lines["imap.host"]
    assert lines["imap.port"].endswith("# default")
    assert "********" in lines["imap.password"] and lines["imap.password"].endswith(
        "# environment MAILBOT_IMAP_PASSWORD")
    assert "hunter2" not in result.output
    assert "(not set)" in lines["smtp.password"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_run_once_progress_counts_on_a_terminal_only(caplog: pytest.LogCaptureFixture) -> None:
    from mailbot.cli.progress import progress_on_terminal

    terminal = Terminal()
    with progress_on_terminal(terminal) as line:
        assert line is not None
        for _ in range(3):
            logging.getLogger("mailbot.runners.ingest").info("stored %s (uid %s, received %s, %s)", "m", 1, "d", "x")
            logging.getLogger("mailbot.runners.decide").info("decided %s: %s/%s%s%s", "m", "request", "ack", "", "")
        logging.getLogger("mailbot.runners.send").info("sent reply %s", "r")
        logging.getLogger("mailbot.runners.send").info("SMTP server refused an extra connection (%s): x", "e")
    assert terminal.getvalue().endswith("\r\x1b[Kmailbot: done: stored 3, judged 3, replies sent 1\n")
    pipe = io.StringIO()
    with progress_on_terminal(pipe) as line:
        assert line is None
        logging.getLogger("mailbot.runners.decide").info("decided %s: %s/%s%s%s", "m", "request", "ack", "", "")
    assert pipe.getvalue() == ""


def test_run_tells_systemd_it_is_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mailbot.cli import notify_systemd

    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(address)
        listener.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        notify_systemd("READY=1")
        assert listener.recv(100) == b"READY=1"
    monkeypatch.delenv("NOTIFY_SOCKET")
    notify_systemd("READY=1")  # outside systemd: nothing to tell, nothing raised


def test_postgresql_without_its_driver_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the `postgresql` extra were not installed
    config = tmp_path / "m.toml"
    config.write_text('[database]\nurl = "postgresql://mailbot@127.0.0.1:1/mailbot"\n')
    result = mailbot("--config", str(config), "requests", "list")
    assert result.exit_code == 1 and "pip install 'mailbot[postgresql]'" in result.stderr


def test_the_schema_head_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from mailbot.store.db import alembic_config, head_revision

    assert [head_revision()] == ScriptDirectory.from_config(alembic_config(None)).get_heads()


def test_config_show_flags_required_keys_left_at_the_demos_default_and_lists_an_oauth_mailboxs_credential(
        tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text('[mailbox]\naddress = "foi@council.example"\n[imap]\nauth = "oauth2"\n')
    result = mailbot("config", "show", "--config", str(config), env={"MAILBOT_OAUTH2_CERTIFICATE": "pem"})
    assert result.exit_code == 0, result.output
    lines = {line.split(" = ")[0]: line for line in result.output.splitlines() if " = " in line}
    assert lines["mailbox.address"].endswith(f"# file {config}")
    assert lines["mailbox.organisation"].endswith("# default: the demo's; set it (required to run)")
    assert lines["imap.host"].endswith("(required to run)") and lines["imap.port"].endswith("# default")
    assert "(not set)" in lines["oauth2.client_secret"]
    assert lines["oauth2.certificate"].endswith("# environment MAILBOT_OAUTH2_CERTIFICATE")
    assert "imap.password" not in lines  # not used by an OAuth login


def test_every_command_and_option_says_what_it_does() -> None:
    """`mailbot COMMAND -h` is the reference an officer reads: no option without its line of help."""
    import click

    from mailbot.cli import main

    context = click.Context(main)
    silent: list[str] = []

    def walk(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(context):
                walk(command.get_command(context, name), f"{path} {name}")  # type: ignore[arg-type]
        silent.extend(f"{path} {'/'.join(param.opts)}" for param in command.params
                      if isinstance(param, click.Option) and not param.help and not param.hidden)
        if not (command.help or "").strip():
            silent.append(path)

    walk(main, "mailbot")
    assert silent == []
