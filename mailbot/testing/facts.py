"""A Facts factory, so each rule can be tested on its own with hand-made facts.

The facts start as the judge would gather them for a real message (by default `messages.request()`, a valid
request) with an empty thread index and default settings; keyword overrides then replace single fields with
`dataclasses.replace`. Building on `gather_facts` rather than on the constructor keeps these tests valid when the
Facts value gains or loses a field: only the fields a test names must still exist.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mailbot.judging.facts import Facts, gather_facts
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.threads import EmptyIndex, ThreadIndex
from mailbot.mail.message import InboundMessage
from mailbot.mail.parse import parse_message
from mailbot.testing.messages import request


def make_facts(message: bytes | InboundMessage | None = None, *, index: ThreadIndex | None = None,
               settings: JudgeSettings | None = None, **overrides: Any) -> Facts:
    """`make_facts(case=held, name=None)`: the facts of `message` (raw or parsed; default a valid request),
    gathered against `index` and `settings`, with the named fields then replaced."""
    msg = message if isinstance(message, InboundMessage) else parse_message(message or request())
    facts = gather_facts(msg, index or EmptyIndex(), settings or JudgeSettings())
    return replace(facts, **overrides) if overrides else facts
