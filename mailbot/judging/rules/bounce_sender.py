"""MAILER-DAEMON or postmaster in From, Exchange's NDR marker, or a delivery-failure subject from the null sender.

`From: MAILER-DAEMON <>` (an empty address, as some MTAs write it) counts as well as `From: MAILER-DAEMON@host`.
Exchange sends its non-delivery reports from its system mailbox, `MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@`
(the same GUID in every organisation), under the display name "Microsoft Outlook": that address is a robot's
however a relay has flattened the report. Outlook's NDR subjects in other languages ("Non remis :", "Unzustellbar:",
"Niedostarczalne:", "Onbestelbaar:", "No se puede entregar:") count as the English "Undeliverable:".
An envelope (Return-Path) of MAILER-DAEMON is the daemon-envelope rule's: relays that forward auto-replies give
them that envelope too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "bounce-sender"
DESCRIPTION = "MAILER-DAEMON or postmaster in From, Exchange's NDR marker, or a failure subject from the null sender."
ROBOT = True


BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliver(able|ed)|mail delivery (failed|failure|subsystem)|delivery status notification"
    r"|returned mail|failure notice|delivery failure|non-delivery"
    r"|non remis|unzustellbar|niedostarczalne|onbestelbaar|no se puede entregar|non recapitabile|ej levererbart"
    r"|kan ikke leveres|nedoručitelné|kézbesíthetetlen)",
    re.I,
)


FAILURE_TEXT = re.compile(
    r"failed recipients|could not be delivered|delivery (has )?failed|permanent (error|failure)|"
    r"undeliverable|delivery to the following recipients? failed|user unknown|mailbox unavailable",
    re.I,
)

_DAEMON = re.compile(r"^(mailer[-_]?daemon|post[-_]?master|microsoftexchange[0-9a-f]{32})$", re.I)
_DAEMON_NAME = re.compile(r"^\s*\"?(mailer[-_]?daemon|post[-_]?master)\b", re.I)


def daemon(address: str | None) -> str | None:
    local = (address or "").rsplit("@", 1)[0]
    return local.lower() if local and _DAEMON.match(local) else None


def check(facts: Facts) -> str | None:
    msg = facts.msg
    local = daemon(msg.sender)
    if local:
        return f"bounce from {local if len(local) < 20 else local[:17] + '…'}"
    if msg.has_header("x-ms-exchange-message-is-ndr"):
        return "Exchange non-delivery report (X-MS-Exchange-Message-Is-Ndr)"
    if msg.sender is None and _DAEMON_NAME.match(msg.header("from") or ""):
        return f"bounce from {(msg.header('from') or '').strip()[:40]}"
    if BOUNCE_SUBJECT.search(msg.subject):
        if msg.return_path == "":
            return "delivery-failure subject from the null sender"
        if FAILURE_TEXT.search(msg.text):
            return "delivery-failure subject and a failure report in the body"
    return None
