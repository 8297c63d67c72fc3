"""Robot mail: what must never get an automatic reply (but is always recorded and shown to staff).

Each signal is a small named rule from `robot-mail.md` (RFC 3834 and what Mailman, RT, Zammad and Alaveteli do).
The first rule that fires gives the kind; every rule that fires is kept as a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mailbot.message import InboundMessage

ROBOT_LOCAL_PARTS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|donotreply|bounces?|bounce[-+].*|.*-bounces?)$", re.I
)
OOF_SUBJECT = re.compile(
    r"^\s*(out of office\s*:|automatic reply\s*:|auto\s*:|autoreply|auto-reply|out of office autoreply\s*:)"
    r"|^\s*(out of office|out of office reply)\s*$"
    r"|is out of the office\.?\s*$",
    re.I,
)
BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliver(able|ed)|mail delivery (failed|failure|subsystem)|delivery status notification"
    r"|returned mail|failure notice|delivery failure)",
    re.I,
)


@dataclass(frozen=True)
class RobotContext:
    """What the robot rules need to know besides the message: who we are."""

    mailbox: str | None = None
    loop_token: str | None = None


@dataclass(frozen=True)
class RobotRule:
    name: str
    kind: str  # loop | bounce | auto_reply | bulk
    description: str
    check: Callable[[InboundMessage, RobotContext], str | None]  # a reason when it fires


def _local_part(address: str | None) -> str:
    return (address or "").rsplit("@", 1)[0].lower()


def _own_mailbox(msg: InboundMessage, ctx: RobotContext) -> str | None:
    if ctx.mailbox and msg.sender and msg.sender.lower() == ctx.mailbox.lower():
        return f"sent from our own mailbox {ctx.mailbox}"
    return None


def _loop_token(msg: InboundMessage, ctx: RobotContext) -> str | None:
    if ctx.loop_token and any(ctx.loop_token.lower() in v.lower() for v in msg.header_all("x-loop")):
        return "carries our own X-Loop token"
    return None


def _delivery_report(msg: InboundMessage, ctx: RobotContext) -> str | None:
    if msg.delivery_status:
        statuses = ", ".join(f"{d.recipient or '?'} {d.status or d.action or ''}".strip() for d in msg.delivery_status)
        permanence = "permanent" if any(d.permanent for d in msg.delivery_status) else "temporary"
        return f"delivery report ({permanence}): {statuses}"
    if "report-type=delivery-status" in (msg.header("content-type") or "").lower().replace(" ", ""):
        return "Content-Type multipart/report; report-type=delivery-status"
    return None


def _bounce_sender(msg: InboundMessage, ctx: RobotContext) -> str | None:
    local = _local_part(msg.sender)
    if local in {"mailer-daemon", "postmaster"} or (msg.return_path == "" and BOUNCE_SUBJECT.search(msg.subject)):
        return f"bounce from {local or 'the null sender'}: subject {msg.subject[:60]!r}"
    return None


def _auto_submitted(msg: InboundMessage, ctx: RobotContext) -> str | None:
    value = msg.header("auto-submitted")
    if value is not None and value.split(";")[0].strip().lower() != "no":
        return f"Auto-Submitted: {value.split(';')[0].strip()}"
    return None


def _autoreply_headers(msg: InboundMessage, ctx: RobotContext) -> str | None:
    for name in ("x-autoreply", "x-autorespond", "x-auto-generated", "x-ms-exchange-inbox-rules-loop"):
        if msg.has_header(name):
            return f"header {name} present"
    if "autoresponder" in (msg.header("x-post-messageclass") or "").lower():
        return "X-POST-MessageClass: Autoresponder"
    if (msg.header("precedence") or "").strip().lower() == "auto_reply":
        return "Precedence: auto_reply"
    return None


def _oof_subject(msg: InboundMessage, ctx: RobotContext) -> str | None:
    if OOF_SUBJECT.search(msg.subject):
        return f"out-of-office subject {msg.subject[:60]!r}"
    return None


def _list_headers(msg: InboundMessage, ctx: RobotContext) -> str | None:
    for name, _ in msg.headers:
        if name.startswith("list-"):
            return f"mailing-list header {name}"
    return None


def _bulk_precedence(msg: InboundMessage, ctx: RobotContext) -> str | None:
    value = (msg.header("precedence") or "").strip().lower()
    if value in {"bulk", "junk", "list"}:
        return f"Precedence: {value}"
    return None


def _null_sender(msg: InboundMessage, ctx: RobotContext) -> str | None:
    if msg.return_path == "":
        return "empty envelope sender (Return-Path: <>)"
    return None


def _robot_sender(msg: InboundMessage, ctx: RobotContext) -> str | None:
    local = _local_part(msg.sender)
    if local and ROBOT_LOCAL_PARTS.match(local):
        return f"robot sender address ({local}@…)"
    return None


RULES: tuple[RobotRule, ...] = (
    RobotRule("own-mailbox", "loop", "Mail from the bot's own address would answer itself.", _own_mailbox),
    RobotRule("loop-token", "loop", "Our X-Loop token means this is our own mail come back.", _loop_token),
    RobotRule("delivery-report", "bounce", "RFC 3464 delivery reports and Exim X-Failed-Recipients.", _delivery_report),
    RobotRule("bounce-sender", "bounce", "MAILER-DAEMON / postmaster, or a failure subject from <>.", _bounce_sender),
    RobotRule("auto-submitted", "auto_reply", "RFC 3834 Auto-Submitted other than 'no'.", _auto_submitted),
    RobotRule("autoreply-headers", "auto_reply", "X-Autoreply, X-Autorespond, Exchange loop headers.", _autoreply_headers),
    RobotRule("oof-subject", "auto_reply", "Out-of-office subjects without headers.", _oof_subject),
    RobotRule("list-headers", "bulk", "List-Id, List-Unsubscribe and friends: mailing lists.", _list_headers),
    RobotRule("bulk-precedence", "bulk", "Precedence: bulk, junk or list.", _bulk_precedence),
    RobotRule("null-sender", "auto_reply", "Return-Path <>: nobody to answer.", _null_sender),
    RobotRule("robot-sender", "auto_reply", "no-reply, do-not-reply, bounces addresses.", _robot_sender),
)


@dataclass(frozen=True)
class RobotVerdict:
    kind: str
    reasons: tuple[str, ...]


def detect_robot(msg: InboundMessage, ctx: RobotContext) -> RobotVerdict | None:
    """None for a person; otherwise the kind of the first rule that fired and the reasons of all that fired."""
    kind: str | None = None
    reasons: list[str] = []
    for rule in RULES:
        reason = rule.check(msg, ctx)
        if reason:
            kind = kind or rule.kind
            reasons.append(f"{rule.name}: {reason}")
    return RobotVerdict(kind, tuple(reasons)) if kind else None
