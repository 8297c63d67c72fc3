"""Several mailboxes in one deployment (FOI and data protection, say): each with its own settings, templates
directory, reference sequence and password, sharing one database and one `mailbot run`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from click.testing import Result
from servers import DovecotAccount, SmtpSink

from mailbot.testing import commands
from mailbot.testing.bots import write_config
from mailbot.testing.messages import request
from mailbot.testing.moments import WHEN


def test_two_mailboxes_one_deployment(
        tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str) -> None:
    dp = dovecot.server.add_user(f"dp-{uuid.uuid4().hex[:8]}@police.example.uk", "dp-secret")
    admin = tmp_path / "dp-templates"
    (admin / "acknowledgement_sar").mkdir(parents=True)
    (admin / "acknowledgement_sar" / "text.txt").write_text(
        "Dear {{ requester_name or 'requester' }},\n\nThe Data Protection Team has your request {{ reference }}, "
        "due by {{ due | longdate }}.\n")
    config = write_config(tmp_path / "mailbot.toml", dovecot, smtp_sink, db_url, {
        "mailbox": {"address": "foi@police.example.uk", "organisation": "Cleveland Police"},
        "references": {"next": 13931},
        "mailboxes": {"dp": {"mailbox": {"address": "dp@police.example.uk", "display_name": "Data Protection Team"},
                             "imap": {"username": dp.user},
                             "references": {"format": "DP-{seq}/{year}", "next": 500},
                             "templates": {"dir": str(admin)}}}})
    dovecot.append(request(1, to="foi@police.example.uk", sender="jo1@example.org",
                           body="Please send the 2023 gritting budget.", tag="multi"), WHEN)
    dp.append(request(2, to="dp@police.example.uk", sender="jo2@example.org",
                      body="Please send me all the information you hold about me.", tag="multi"), WHEN)
    env = {"MAILBOT_IMAP_PASSWORD": dovecot.password, "MAILBOT_DP_IMAP_PASSWORD": "dp-secret"}

    def mailbot(*args: str) -> Result:
        return commands.mailbot("--config", str(config), *args, env=env)

    result = mailbot("run", "--once")
    assert result.exit_code == 0, result.stderr
    replies = {m.message["From"]: m.message for m in smtp_sink.messages}
    assert len(smtp_sink.messages) == 2
    foi = next(m for f, m in replies.items() if "foi@police.example.uk" in f)
    dp_reply = next(m for f, m in replies.items() if "dp@police.example.uk" in f)
    assert "13931/2024" in foi["Subject"] and "Data Protection Team" in dp_reply["From"]
    assert "DP-500/2024" in dp_reply["Subject"]
    plain = dp_reply.get_body(("plain",))
    assert plain is not None and "The Data Protection Team has your request DP-500/2024" in plain.get_content()
    assert dovecot.list_messages("INBOX") == [] and dp.list_messages("INBOX") == []

    foi_rows = [json.loads(line) for line in mailbot("requests", "list", "--json").stdout.splitlines()]
    dp_rows = [json.loads(line) for line in mailbot("--mailbox-name", "dp", "requests", "list", "--json")
               .stdout.splitlines()]
    assert [r["reference"] for r in foi_rows] == ["13931/2024"]
    assert [(r["reference"], r["regime"]) for r in dp_rows] == [("DP-500/2024", "sar")]
    unknown = mailbot("--mailbox-name", "nope", "requests", "list")
    assert unknown.exit_code == 2 and "no mailbox named 'nope'" in unknown.stderr
    one = mailbot("--mailbox-name", "dp", "run", "--once")
    assert one.exit_code == 0 and len(smtp_sink.messages) == 2  # nothing new, nothing sent twice
