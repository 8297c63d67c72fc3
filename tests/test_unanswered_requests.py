"""Mail the bot leaves to staff is never lost, on the real servers (Dovecot, aiosmtpd, SQLite and PostgreSQL).

A round-robin request sent through a campaign tool (ICO: a valid request) and a complaint get no automatic reply,
and both appear in `mailbot messages list --unanswered` and in the staff digest with their date of receipt and
the due date they would have as requests; a colleague's mail is listed too, a phishing mail only as a robot.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from servers import DovecotAccount, SmtpSink

from mailbot.clock.deadlines import compute_deadline
from mailbot.replies.filters import longdate
from mailbot.testing.bots import write_config
from mailbot.testing.commands import mailbot

RECEIVED = datetime.fromisoformat("2024-03-01T10:15:00+00:00")  # a Friday: the date of receipt is 1 March 2024
DUE = compute_deadline("foi", date(2024, 3, 1)).due

ROUND_ROBIN = b"""\
Return-Path: <bounce-mc.us21_1234567.5678-campaigner=transparency.example@mail77.atl11.mcdlv.net>
From: Open Roads Campaign <campaigns@openroads.example>
Reply-To: Sam Patel <sam.patel@openroads.example>
To: foi@council.example
Subject: Freedom of Information request: 20mph zones
Date: Fri, 01 Mar 2024 10:02:11 +0000
Message-ID: <a1b2c3d4e5.20240301100211@mail77.atl11.mcdlv.net>
List-Unsubscribe: <https://openroads.us21.list-manage.com/unsubscribe?u=5c1e&id=9f2a&e=7d&c=11>,
 <mailto:unsubscribe-mc.us21_5c1e.11-7d@unsubscribe.mailchimpapp.net?subject=unsubscribe>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
List-Id: 5c1e0a mailchimp list <5c1e0a.list-id.mcsv.net>
Precedence: bulk
X-Mailer: MailChimp Mailer - **CIDa9f2c7e1d3**
X-Campaign: mailchimp5c1e0a.11ab
Feedback-ID: 21:21-5c1e:24:mailchimpapp
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="_----------=_MCPart_4821"

--_----------=_MCPart_4821
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Dear Freedom of Information Officer,

Under the Freedom of Information Act 2000, please provide:

1. The number of 20mph zones introduced on roads you manage in each year from 2019 to 2023.
2. The total cost of signage for those zones.

Yours faithfully,
Sam Patel
Open Roads Campaign

Unsubscribe: https://openroads.us21.list-manage.com/unsubscribe?u=5c1e&id=9f2a

--_----------=_MCPart_4821
Content-Type: text/html; charset="utf-8"

<html><body><p>Dear Freedom of Information Officer,</p><p>Under the Freedom of Information Act 2000, please
provide:</p><ol><li>The number of 20mph zones introduced on roads you manage in each year from 2019 to 2023.</li>
<li>The total cost of signage for those zones.</li></ol><p>Yours faithfully,<br>Sam Patel</p></body></html>
--_----------=_MCPart_4821--
""".replace(b"\n", b"\r\n")

COMPLAINT = b"""\
From: "Margaret O'Neill" <maggie.oneill62@btinternet.example>
To: foi@council.example
Subject: Bins not collected AGAIN
Date: Fri, 1 Mar 2024 09:58:40 +0000
Message-ID: <1709287120.481516.maggie@btinternet.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1252
Content-Transfer-Encoding: 8bit

To whom it may concern

My green bin was not collected on Tuesday for the third week running. The lorry went straight past.
Can someone please come and collect it before the weekend, it is overflowing.

I want to make a complaint about this.

Mrs M O'Neill
14 Harrow Close
""".replace(b"\n", b"\r\n")

COLLEAGUE = b"""\
From: Anna Smith <anna.smith@planning.council.example>
To: foi@council.example
Subject: FW: your ref 13931/2024
Date: Fri, 1 Mar 2024 10:30:00 +0000
Message-ID: <DB9PR01MB1234.anna@planning.council.example>
Content-Type: text/plain; charset=utf-8

Hi team, the applicant rang us about this one; notes from the call are on the file.
Anna
""".replace(b"\n", b"\r\n")

PHISHING = b"""\
From: IT Service Desk <helpdesk@secure-mailbox-verify.example>
To: foi@council.example
Subject: Action Required: Mailbox Storage Full
Date: Fri, 1 Mar 2024 10:40:00 +0000
Message-ID: <9988.helpdesk@secure-mailbox-verify.example>
Content-Type: text/plain; charset=utf-8

Your mailbox is full and incoming messages are on hold. Click here to verify your account within 24 hours
or it will be suspended.
""".replace(b"\n", b"\r\n")

VALID = b"""\
From: Jo Bloggs <jo.bloggs@example.org>
To: foi@council.example
Subject: Gritting
Message-ID: <valid-1@example.org>
Content-Type: text/plain; charset=utf-8

Please send me the 2023 gritting budget.

Yours faithfully,
Jo Bloggs
""".replace(b"\n", b"\r\n")


def test_requests_left_to_staff_are_listed_with_the_due_date_they_would_have(
        tmp_path: Path, dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str) -> None:
    config = write_config(tmp_path / "mailbot.toml", dovecot, smtp_sink, db_url)
    env = {"MAILBOT_IMAP_PASSWORD": dovecot.password}
    for raw in (ROUND_ROBIN, COMPLAINT, COLLEAGUE, PHISHING, VALID):
        dovecot.append(raw, RECEIVED)
    assert mailbot("--config", str(config), "run", "--once", env=env).exit_code == 0

    # Only the plain request is answered: no automatic reply to a campaign tool, a complaint, a colleague, a phish.
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["jo.bloggs@example.org"]]

    listed = {m["message_id"]: m for m in map(json.loads, mailbot(
        "--config", str(config), "messages", "list", "--unanswered", "--json").stdout.splitlines())}
    assert "<valid-1@example.org>" not in listed
    wanted = {
        "<a1b2c3d4e5.20240301100211@mail77.atl11.mcdlv.net>": ("request", "staff_review", "foi", DUE.isoformat()),
        "<1709287120.481516.maggie@btinternet.example>": ("correspondence", "staff_review", "foi", DUE.isoformat()),
        "<DB9PR01MB1234.anna@planning.council.example>": ("internal", "staff_review", "foi", DUE.isoformat()),
        "<9988.helpdesk@secure-mailbox-verify.example>": ("spam", "none", None, None),
    }
    assert {mid: (m["kind"], m["action"], m["regime"], m["would_be_due"]) for mid, m in listed.items()} == wanted
    assert {m["received"] for m in listed.values()} == {"2024-03-01"}
    assert listed["<a1b2c3d4e5.20240301100211@mail77.atl11.mcdlv.net>"]["reasons"][-1].startswith("bulk-request: ")
    assert any(r.startswith("asks-for-action: ") for r in
               listed["<1709287120.481516.maggie@btinternet.example>"]["reasons"])

    readable = mailbot("--config", str(config), "messages", "list", "--unanswered").stdout
    assert readable.count(f"if it is a request (foi): received 2024-03-01, due {DUE.isoformat()}") == 3
    assert "why: bulk-request: a request sent through a bulk or campaign tool" in readable

    preview = mailbot("--config", str(config), "digest", "--preview")
    assert preview.exit_code == 0, preview.output
    staff_part = preview.stdout.split("Needs a person", 1)[1].split("Quarantined", 1)[0]
    due_line = f"if it is a request (foi): received {longdate(date(2024, 3, 1))}, due {longdate(DUE)}"
    assert staff_part.count(due_line) == 3
    for message_id in list(wanted)[:3]:
        assert message_id in staff_part
    robots_part = preview.stdout.split("Robots:", 1)[1]
    assert "<9988.helpdesk@secure-mailbox-verify.example>" in robots_part and "due" not in robots_part.split(
        "<9988.helpdesk", 1)[1].split("\n", 2)[1]
