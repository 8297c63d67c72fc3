"""Personal data never reaches the logs: a full run at DEBUG, scanned for body text, addresses and passwords."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from servers import DovecotAccount, SmtpSink

from mailbot.testing.bots import write_config
from mailbot.testing.scenarios import SEED


def test_debug_logs_of_a_full_run_carry_no_personal_data(
        tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    config = write_config(tmp_path / "mailbot.toml", dovecot, smtp_sink, f"sqlite:///{tmp_path}/m.db", {
        "log_level": "DEBUG", "references": {"next": 13931},
        "mailbox": {"address": "inforights@police.example.uk", "organisation": "Cleveland Police"}})
    env = {**os.environ, "MAILBOT_IMAP_PASSWORD": dovecot.password}
    logs = ""
    for step in json.loads((SEED / "scenario.json").read_text())["steps"]:
        dovecot.append((SEED / step["deliver"]).read_bytes(), datetime.fromisoformat(step["internaldate"]))
        result = subprocess.run([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run", "--once"],
                                env=env, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        logs += result.stdout + result.stderr
    assert len(smtp_sink.messages) == 3
    assert "DEBUG" in logs or "INFO" in logs  # it did log
    assert "<ogm-860112+627a66a3a1b2c-7e1f@whatdotheyknow.com>" in logs  # messages are named by Message-ID
    assert "13931/2022" in logs  # and by enquiry reference
    forbidden = [
        "request-860112-3f1a2b9c", "Fred Wright", "facial recognition", "Facial Recognition",
        "retrospective", "My full name", "Dear ", dovecot.password, "foi-",  # the IMAP user name
    ]
    for text in forbidden:
        assert text not in logs, f"{text!r} appears in the logs"
