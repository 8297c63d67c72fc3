"""An envelope sender of MAILER-DAEMON or postmaster (Return-Path: <MAILER-DAEMON@…>): a mail system's notice.

qmail, Exim and Sendmail send bounces from that envelope when they do not use the null one. So do relays that
forward other robots' mail, so the chain reads this only after the auto-reply signs: an out-of-office reply
forwarded by such a relay stays an auto-reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.rules.bounce_sender import daemon

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "daemon-envelope"
DESCRIPTION = "Return-Path of MAILER-DAEMON or postmaster: a mail system's notice."
ROBOT = True


def check(facts: Facts) -> str | None:
    if daemon(facts.msg.return_path):
        return f"envelope sender {facts.msg.return_path} (Return-Path): a mail system's notice"
    return None
