"""The pure core on the seed messages and small made-up ones: decisions and reasons, no servers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from mailbot.judging.decision import CaseRef
from mailbot.judging.judge import judge
from mailbot.judging.readers.references import ReferenceKey
from mailbot.judging.readers.subjects import subject_stem
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.values import CaseStatus, Regime
from mailbot.mail.parse import parse_message
from mailbot.testing.scenarios import SEED

SETTINGS = JudgeSettings(mailbox="inforights@police.example.uk", loop_token="mailbot inforights@police.example.uk")


@dataclass
class ListIndex:
    """A ThreadIndex over plain lists: what the database would answer, as data."""

    by_id: dict[str, CaseRef] = field(default_factory=dict)
    by_ref: dict[ReferenceKey, CaseRef] = field(default_factory=dict)
    by_stem: dict[tuple[str, str], list[CaseRef]] = field(default_factory=dict)
    sent_today: dict[str, int] = field(default_factory=dict)

    templates: dict[str, str] = field(default_factory=dict)

    def replies_today(self, address: str) -> int:
        return self.sent_today.get(address, 0)

    def replies_this_hour(self, up_to: int) -> int:
        return min(up_to, sum(self.sent_today.values()))

    def our_templates(self, message_ids: Sequence[str]) -> tuple[str, ...]:
        return tuple(self.templates[m] for m in message_ids if m in self.templates)

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None:
        return next((self.by_id[m] for m in message_ids if m in self.by_id), None)

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None:
        for key in keys:
            for ref_key, case in self.by_ref.items():
                if ref_key.seq == key.seq and (key.year is None or key.year == ref_key.year):
                    return case
        return None

    def by_sender_subject(self, sender: str, stem: str) -> list[CaseRef]:
        return self.by_stem.get((sender, stem), [])


def mail(body: str, *, sender: str = "Jo Bloggs <jo@example.org>", subject: str = "Request",
         headers: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: inforights@police.example.uk\r\nSubject: {subject}\r\n"
            f"Message-ID: <{abs(hash(body + subject + headers))}@example.org>\r\n{headers}"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}").encode()


def seed(name: str) -> bytes:
    return (SEED / name).read_bytes()


def test_seed_request_signed_fred_gets_a_section8_notice() -> None:
    decision = judge(parse_message(seed("01-request.eml")), None, SETTINGS)
    assert (decision.kind, decision.action, decision.regime) == ("request", "section8_notice", "foi")
    assert decision.missing == ("name",)
    assert decision.valid is False
    assert decision.address == "request-860112-3f1a2b9c@whatdotheyknow.com"
    assert any("s8(1)(b)" in r for r in decision.reasons)


def test_seed_full_name_reply_completes_the_held_request_by_sender_and_subject() -> None:
    held = CaseRef(case_id=1, status=CaseStatus.HELD, regime=Regime.FOI, applicant_name="Fred", missing=("name",))
    stem = subject_stem("Freedom of Information request - Facial Recognition Use and Related Documentation")
    index = ListIndex(by_stem={("request-860112-3f1a2b9c@whatdotheyknow.com", stem): [held]})
    decision = judge(parse_message(seed("02-full-name.eml")), index, SETTINGS)
    assert (decision.kind, decision.action) == ("follow_up", "acknowledge")
    assert decision.applicant_name == "Fred Wright"
    assert decision.case == held and decision.thread_signal == "sender-subject"


def test_seed_internal_review_threads_by_the_other_form_of_the_reference() -> None:
    enquiry = CaseRef(case_id=1, status=CaseStatus.OPEN, regime=Regime.FOI, reference="13931/2022",
                      applicant_name="Fred Wright")
    index = ListIndex(by_ref={ReferenceKey(13931, 2022): enquiry})
    decision = judge(parse_message(seed("03-internal-review.eml")), index, SETTINGS)
    assert (decision.action, decision.regime) == ("acknowledge_review", "internal_review")
    assert decision.references == ("13931/2022",)
    assert decision.thread_signal == "reference"


def test_in_reply_to_our_notice_threads_first() -> None:
    held = CaseRef(case_id=7, status=CaseStatus.HELD, regime=Regime.FOI, missing=("name",))
    raw = mail("My full name is Fred Wright\n\nFred", sender="fred@example.com", subject="Re: something else",
               headers="In-Reply-To: <notice-1@police.example.uk>\r\n")
    decision = judge(parse_message(raw), ListIndex(by_id={"<notice-1@police.example.uk>": held}), SETTINGS)
    assert decision.action == "acknowledge" and decision.thread_signal == "message-id"


def test_reply_to_held_request_without_a_name_goes_to_staff_not_a_second_notice() -> None:
    held = CaseRef(case_id=7, status=CaseStatus.HELD, regime=Regime.FOI, missing=("name",))
    raw = mail("Why do you need it?\n\nFred", sender="Fred <fred@example.com>", subject="Re: x",
               headers="In-Reply-To: <notice-1@police.example.uk>\r\n")
    decision = judge(parse_message(raw), ListIndex(by_id={"<notice-1@police.example.uk>": held}), SETTINGS)
    assert decision.action == "staff_review" and decision.missing == ("name",)


def test_valid_request_is_acknowledged() -> None:
    decision = judge(parse_message(mail("Please send the 2023 gritting budget.\n\nYours faithfully,\n\nJo Bloggs")),
                     None, SETTINGS)
    assert (decision.action, decision.valid, decision.applicant_name) == ("acknowledge", True, "Jo Bloggs")


def test_environmental_request_never_gets_a_section8_notice() -> None:
    decision = judge(parse_message(mail("Please send air quality readings for the High Street.\n\nJo",
                                        sender="Jo <jo@example.org>")), None, SETTINGS)
    assert (decision.regime, decision.action) == ("eir", "acknowledge")
    assert "name" not in decision.missing


def test_content_free_message_fails_description() -> None:
    decision = judge(parse_message(mail("Hello\n\nJo Bloggs", subject="FOI")), None, SETTINGS)
    assert decision.action == "section8_notice" and decision.missing == ("description",)


def test_subject_access_request() -> None:
    decision = judge(parse_message(mail("Please send me all the information you hold about me.\n\nJo")), None,
                     SETTINGS)
    assert decision.regime == "sar" and decision.action == "acknowledge"


@pytest.mark.parametrize("headers,subject,kind", [
    ("Auto-Submitted: auto-replied\r\n", "Your message", "auto_reply"),
    ("", "Out of Office: back Monday", "auto_reply"),
    ("List-Id: <news.example.org>\r\n", "Newsletter", "bulk"),
    ("Precedence: bulk\r\n", "Offers", "bulk"),
    ("X-Loop: mailbot inforights@police.example.uk\r\n", "Re: x", "loop"),
])
def test_robot_mail_is_recorded_never_answered(headers: str, subject: str, kind: str) -> None:
    # A newsletter's words: a request sent with bulk headers is a request for staff (test_not_a_request.py).
    decision = judge(parse_message(mail("This month's news from the association. Read more on our website.",
                                        subject=subject, headers=headers)), None, SETTINGS)
    assert (decision.kind, decision.action) == (kind, "none")
    assert not decision.replies


def test_auto_submitted_no_is_a_person() -> None:
    decision = judge(parse_message(mail("Please send the 2023 gritting budget.\n\nJo Bloggs",
                                        headers="Auto-Submitted: no\r\n")), None, SETTINGS)
    assert decision.kind == "request"


def test_mail_from_our_own_mailbox_is_a_loop() -> None:
    decision = judge(parse_message(mail("Please send x y z", sender="inforights@police.example.uk")), None, SETTINGS)
    assert decision.kind == "loop" and decision.action == "none"


def test_obvious_pseudonym_goes_to_staff() -> None:
    decision = judge(parse_message(mail("Please send the 2023 gritting budget.\n\nYours faithfully,\nMickey Mouse",
                                        sender="mm@example.org")), None, SETTINGS)
    assert decision.action == "staff_review"


def test_unmatched_reply_goes_to_staff() -> None:
    decision = judge(parse_message(mail("Thanks\n\n> your reference 999/2020 said", subject="Re: your letter")),
                     None, SETTINGS)
    assert decision.action == "staff_review"


def test_reply_while_awaiting_clarification_restarts_the_clock() -> None:
    enquiry = CaseRef(case_id=1, status=CaseStatus.OPEN, regime=Regime.FOI, reference="13931/2022",
                      awaiting_clarification=True)
    raw = mail("I meant the 2021 budget only.\n\nJo Bloggs", subject="Re: Request [Enquiry Ref: 13931/2022]")
    decision = judge(parse_message(raw), ListIndex(by_ref={ReferenceKey(13931, 2022): enquiry}), SETTINGS)
    assert decision.action == "acknowledge_follow_up" and decision.details["clarification_received"]
    assert any("clock restarts" in r for r in decision.reasons)


@pytest.mark.parametrize("body", [
    "Back in September I asked how many officers were disciplined. Your reply said you neither confirm nor deny. "
    "I want someone senior to look at it again.",
    "I am not happy with your response to my request about speed cameras and ask you to review your decision.",
])
def test_a_review_asked_for_in_other_words_goes_to_staff_not_a_new_request(body: str) -> None:
    decision = judge(parse_message(mail(f"{body}\n\nArthur Lumley", sender="Arthur Lumley <al@example.org>")),
                     None, SETTINGS)
    assert (decision.action, decision.regime) == ("staff_review", "internal_review"), decision.reasons
