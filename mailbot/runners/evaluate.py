"""Staff verdicts as a regression suite: the current judge replayed over every message staff triaged.

Each triage verdict (runners/triage.py) says what a message really was. The judge is run again on the stored raw
message, on its own words (no thread index: a message staff opened as a request has since become that request's
first message), and compared: a request should get an automatic reply (acknowledgement or Section 8 notice);
mail staff found not to be a request, or part of an existing one, should not start a new request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from mailbot.config import Settings
from mailbot.judging.judge import judge
from mailbot.judging.values import Action
from mailbot.mail.parse import parse_message
from mailbot.store.db import Database
from mailbot.store.models import InboundMessage, StaffAction

NEW_REQUEST_ACTIONS = (Action.ACKNOWLEDGE, Action.SECTION8_NOTICE)


@dataclass(frozen=True)
class Replay:
    message_id: str
    verdict: str  # request | attached | review | not_request (the last three: the judge must not open a request)
    staff: str
    judge_kind: str
    judge_action: str
    reason: str

    @property
    def agrees(self) -> bool:
        opens = self.judge_action in NEW_REQUEST_ACTIONS
        return opens if self.verdict == "request" else not opens


def replay(db: Database, settings: Settings) -> Iterator[Replay]:
    judge_settings = settings.judge_settings()
    with db.session() as session:
        verdicts = session.execute(
            select(StaffAction.inbound_id, StaffAction.actor, StaffAction.detail)
            .where(StaffAction.action == "triage", StaffAction.inbound_id.is_not(None))
            .order_by(StaffAction.id)).all()
        for inbound_id, actor, detail in verdicts:
            row = session.get(InboundMessage, inbound_id)
            if row is None or row.mailbox != settings.mailbox.address:
                continue
            decision = judge(parse_message(row.raw), None, judge_settings)
            yield Replay(row.message_id, str(detail.get("verdict", "")), actor, decision.kind, decision.action,
                         decision.reasons[-1] if decision.reasons else "")
            session.expunge(row)  # one raw message in memory at a time


__all__ = ["NEW_REQUEST_ACTIONS", "Replay", "replay"]
