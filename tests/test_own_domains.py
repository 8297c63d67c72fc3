"""The authority's own domains (`mailbox.own_domains`): colleagues' mail goes to staff, never to an automatic reply,
and threads to its case when it names one; the bot's own address stays a loop. Pure judge tests plus the setting.
"""

from __future__ import annotations

import pytest
from test_judge import ListIndex

from mailbot.config import ConfigError, settings_from_mapping
from mailbot.judging.decision import CaseRef
from mailbot.judging.judge import judge
from mailbot.judging.readers.references import ReferenceKey
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.values import CaseStatus, Regime
from mailbot.mail.parse import parse_message
from mailbot.testing.client_mime import gmail, outlook

SETTINGS = JudgeSettings(mailbox="foi@council.example", loop_token="mailbot foi@council.example",
                         own_domains=("council.example", "council.gov.uk"))
CASE = CaseRef(case_id=31, status=CaseStatus.OPEN, regime=Regime.FOI, reference="13931/2022",
               applicant_name="Jo Bloggs")


def decide(raw: bytes, index: ListIndex | None = None, settings: JudgeSettings = SETTINGS):  # type: ignore[no-untyped-def]
    return judge(parse_message(raw), index, settings)


@pytest.mark.parametrize("sender", [
    "Anna Smith <anna.smith@council.example>",
    "Anna Smith <Anna.Smith@Planning.Council.Example>",  # a subdomain, in capitals
    "Highways Team <highways@streetscene.council.gov.uk>",  # the second own domain
])
def test_a_colleagues_request_looking_mail_goes_to_staff(sender: str) -> None:
    decision = decide(outlook(sender, "Info needed", "Hi FOI team, please send me the figures for the number of "
                              "FOI requests we had in 2023 about highways.\n\nThanks\nAnna"))
    assert (decision.kind, decision.action) == ("internal", "staff_review") and not decision.replies
    assert decision.reasons[0].startswith("own-domain: from the authority's own domain")
    assert decision.regime == "foi"  # staff see the due date it would have, should it be a forwarded request


def test_a_colleagues_note_naming_a_reference_is_linked_to_its_case() -> None:
    index = ListIndex(by_ref={ReferenceKey(13931, 2022): CASE})
    decision = decide(outlook("Anna Smith <anna.smith@council.example>", "re 13931/2022",
                              "Spoke to the applicant today, they are happy to wait for the figures. Anna"), index)
    assert (decision.kind, decision.action) == ("internal", "staff_review") and not decision.replies
    assert decision.case == CASE and decision.thread_signal == "reference"


def test_our_own_mailbox_is_still_a_loop_first() -> None:
    decision = decide(outlook("Information Rights <FOI@council.example>", "Enquiry 13931/2022",
                              "Please send the figures."))
    assert (decision.kind, decision.action) == ("loop", "none")


def test_a_colleagues_out_of_office_is_a_robot() -> None:
    decision = decide(outlook("Anna Smith <anna.smith@council.example>", "Automatic reply: FOI 13931/2022",
                              "I am out of the office until Monday.", extra="Auto-Submitted: auto-replied\n"))
    assert (decision.kind, decision.action) == ("auto_reply", "none")


def test_phishing_that_spoofs_our_domain_is_spam() -> None:
    decision = decide(outlook("IT Service Desk <servicedesk@council.example>", "Password",
                              "All staff must confirm your password by 5pm today."))
    assert (decision.kind, decision.action) == ("spam", "none")


@pytest.mark.parametrize("sender", [
    "Jo Bloggs <jo@notcouncil.example>",  # a longer name that ends the same way
    "Jo Bloggs <jo@council.example.attacker.example>",  # our domain as a prefix
    "Jo Bloggs <jo@gmail.example>",
])
def test_outsiders_are_not_colleagues(sender: str) -> None:
    decision = decide(gmail(sender, "Gritting", "Please send me the 2023 gritting budget.\n\nJo Bloggs"))
    assert (decision.kind, decision.action) == ("request", "acknowledge")


def test_a_form_relayed_from_our_domain_answers_the_outsider() -> None:
    raw = outlook("Website forms <forms@council.example>", "Gritting",
                  "Please send me the 2023 gritting budget.\n\nJo Bloggs", extra="Reply-To: jo@gmail.example\n")
    decision = decide(raw)
    assert decision.kind == "request" and decision.address == "jo@gmail.example"


def test_the_setting_defaults_to_the_mailbox_domain_and_takes_a_list() -> None:
    default = settings_from_mapping({"mailbox": {"address": "foi@Council.Example"}})
    assert default.judge_settings().own_domains == ("council.example",)
    several = settings_from_mapping({"mailbox": {"address": "foi@council.example",
                                                 "own_domains": ["Council.gov.uk.", "council.example"]}})
    assert several.judge_settings().own_domains == ("council.gov.uk", "council.example")
    judged = judge(parse_message(gmail("Anna <anna@council.gov.uk>", "x", "Please send me the figures.")), None,
                   several.judge_settings())
    assert judged.kind == "internal"


@pytest.mark.parametrize("bad", ["anna@council.example", "*.council.example", "council", "http://council.example"])
def test_an_own_domain_must_be_a_domain_name(bad: str) -> None:
    with pytest.raises((ConfigError, ValueError), match=r"own_domains|domain"):
        settings_from_mapping({"mailbox": {"address": "foi@council.example", "own_domains": [bad]}})
