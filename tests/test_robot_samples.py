"""Real bounces, auto-replies, complaints and notifications from other projects' public test suites
(tests/data/robots/, licences in its README): every one is recorded and never answered, with a robot's reason.

Bounces keep their failed recipients: where flufl.bounce's own test table names the failed address of one of its
samples, mailbot must extract that address too (through its DSN reading or the flufl.bounce fallback).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.judging.judge import judge
from mailbot.judging.rules import ROBOT_RULES
from mailbot.judging.settings import JudgeSettings
from mailbot.mail.parse import parse_message

DATA = Path(__file__).parent / "data" / "robots"
SAMPLES = sorted(p for p in DATA.glob("*/*") if p.suffix in {".eml", ".txt"})
SETTINGS = JudgeSettings(mailbox="foi@council.example", loop_token="mailbot foi@council.example")

# From flufl.bounce's tests/test_detectors.py (Apache-2.0): the failed recipients of some of its samples.
FLUFL_EXPECTED = {
    "aol_01.txt": {"screenname@aol.com"},
    "dsn_01.txt": {"userx@example.com"},
    "dsn_05.txt": {"userx@example.cz"},
    "exim_01.txt": {"userx@its.example.nl"},
    "groupwise_01.txt": {"userx@example.edu"},
    "microsoft_01.txt": {"userx@example.com"},
    "netscape_01.txt": {"aaaaa@corel.com", "bbbbb@corel.com"},
    "postfix_01.txt": {"xxxxx@local.ie"},
    "qmail_01.txt": {"userx@example.de"},
    "sendmail_01.txt": {"zzzzz@shaft.coal.nl", "zzzzz@nfg.nl"},
    "simple_01.txt": {"bbbsss@example.com"},
    "simple_36.txt": {"userx@example.com"},
    "smtp32_01.txt": {"userx@example.ph"},
    "yahoo_09.txt": {"userx@example.com", "usery@example.com"},
    "bounce_02.txt": {"userx@example.com"},
}
TEMPORARY = {"dsn_05.txt", "simple_03.txt", "simple_22.txt"}  # warnings, not failures (flufl.bounce's table)


def test_the_sample_set_is_large_and_varied() -> None:
    assert len(SAMPLES) >= 100
    assert {p.parent.name for p in SAMPLES} == {"sisimai", "flufl-bounce"}


@pytest.mark.parametrize("path", SAMPLES, ids=[f"{p.parent.name}/{p.name}" for p in SAMPLES])
def test_every_sample_is_recorded_and_never_answered_with_a_robot_reason(path: Path) -> None:
    decision = judge(parse_message(path.read_bytes()), None, SETTINGS)
    assert decision.action == "none" and decision.kind.robot, (decision.kind, decision.details["chain"])
    assert any(reason.split(":", 1)[0] in ROBOT_RULES for reason in decision.reasons)


@pytest.mark.parametrize("name", sorted(FLUFL_EXPECTED))
def test_bounces_name_the_failed_recipients(name: str) -> None:
    decision = judge(parse_message((DATA / "flufl-bounce" / name).read_bytes()), None, SETTINGS)
    assert decision.kind == "bounce"
    assert {r.lower() for r in decision.details["failed_recipients"]} == {r.lower() for r in FLUFL_EXPECTED[name]}
    assert decision.details["permanent"] is (name not in TEMPORARY)


@pytest.mark.parametrize("name", sorted(TEMPORARY))
def test_warnings_are_temporary(name: str) -> None:
    decision = judge(parse_message((DATA / "flufl-bounce" / name).read_bytes()), None, SETTINGS)
    assert decision.kind == "bounce" and decision.details["permanent"] is False
