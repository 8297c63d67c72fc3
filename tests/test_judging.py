"""Judging as an experienced Information Rights officer would (issue 4): robots, names, regime, address,
description, references, and the decision with its rule hits. Pure: no servers."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest
from test_judge import ListIndex, mail

from mailbot.judging.chain import CHAIN, MISSING_BY_RULE, Detail, From
from mailbot.judging.decision import CaseRef, Decision
from mailbot.judging.judge import judge
from mailbot.judging.rules import RULES
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.values import Action, CaseStatus, Kind, Regime, StaffNotice
from mailbot.mail.parse import parse_message

SETTINGS = JudgeSettings(mailbox="foi@council.example", loop_token="mailbot foi@council.example")
CORPUS = Path(os.environ.get("MAILBOT_CORPUS_DIR", Path(__file__).resolve().parents[2] / "shared/corpus/alaveteli"))
REQUEST = "Please send me the 2023 gritting budget for the county."


def decide(raw: bytes, index: ListIndex | None = None, **settings: Any) -> Decision:
    judge_settings = JudgeSettings(**{**SETTINGS.__dict__, **settings}) if settings else SETTINGS
    return judge(parse_message(raw), index, judge_settings)


# -- rules and chain are data ----------------------------------------------------------------------------------

def test_every_rule_has_a_unique_name_and_a_description() -> None:
    names = [rule.NAME for rule in RULES]
    assert len(names) == len(set(names))
    assert all(rule.DESCRIPTION and callable(rule.check) for rule in RULES)
    assert CHAIN[-1].name == "valid-request" and not (CHAIN[-1].any_of or CHAIN[-1].all_of)


def test_every_chain_link_declares_a_consistent_outcome() -> None:
    robot_rules = {rule.NAME for rule in RULES if rule.ROBOT}
    for link in CHAIN:
        where = link.name
        if link.robot:  # robot mail: recorded, never answered, and explained by robot rules alone
            assert link.action is Action.NONE and link.valid is None, where
            assert link.missing is None and link.regime is None and link.staff_notice is None, where
            assert link.any_of | link.all_of <= robot_rules, where
        else:
            assert link.regime is not None, where
            # A request says what it lacks; a colleague's note or routine correspondence is no request, lacks nothing.
            assert (link.missing is not None) == (link.kind in (Kind.REQUEST, Kind.FOLLOW_UP)), where
        if not link.action.replies:  # staff review and none: no reply, so no claim that the request is valid
            assert link.valid is not True, where
        else:
            assert link.valid is not None and link.staff_notice is None, where
        if link.valid is False:  # invalid only where a rule that reports something missing must have hit
            assert link.missing is From.HITS, where
            assert link.all_of & MISSING_BY_RULE.keys() or (link.any_of and link.any_of <= MISSING_BY_RULE.keys()), where
        if link.missing is From.HELD_CASE:
            assert "held-case" in link.all_of, where
        if link.action is Action.ACKNOWLEDGE_REVIEW or link.regime is Regime.INTERNAL_REVIEW:
            assert link.regime is Regime.INTERNAL_REVIEW and "asks-review" in link.all_of, where
        if link.staff_notice is not None:
            assert link.action is Action.STAFF_REVIEW, where
        if Detail.DELIVERY in link.details:
            assert link.kind is Kind.BOUNCE, where
        if Detail.CLARIFICATION in link.details:
            assert link.action is Action.ACKNOWLEDGE_FOLLOW_UP, where
    assert len({link.name for link in CHAIN}) == len(CHAIN)


def test_every_action_and_staff_notice_has_one_handler() -> None:
    from mailbot.runners.act import DecisionApplier

    assert set(DecisionApplier.HANDLERS) == set(Action)
    assert set(DecisionApplier.STAFF_NOTICES) == set(StaffNotice)


def _every_sample() -> list[Path]:
    samples = [p for p in CORPUS.glob("*") if p.is_file() and not p.name.startswith(("MANIFEST", "LICENSE"))
               and p.suffix != ".expected"]
    return sorted(samples) + sorted((Path(__file__).parent / "scenarios").rglob("*.eml"))


def test_decisions_carry_the_outcome_their_link_declares() -> None:
    """Over every sample, each decision is its link's outcome, with the parts computed from the message agreeing
    with what the link declares (valid exactly when nothing is missing; invalid only when something is)."""
    by_name = {link.name: link for link in CHAIN}
    samples = _every_sample()
    assert samples
    for path in samples:
        decision = decide(path.read_bytes())
        link = by_name[decision.details["chain"]]
        assert decision.action is link.action and decision.staff_notice is link.staff_notice, path.name
        assert decision.reasons[-1] == f"{link.name}: {link.note}", path.name
        if link.robot:
            assert decision.kind is link.kind and not decision.replies and decision.valid is None, path.name
            assert decision.regime is None and decision.missing == () and decision.applicant_name is None, path.name
        if link.valid is From.COMPLETENESS:
            assert decision.valid is (not decision.missing), path.name
        elif link.valid is False:
            assert decision.valid is False and decision.missing, path.name
        elif link.valid is True and link.action in (Action.ACKNOWLEDGE, Action.SECTION8_NOTICE):
            assert decision.valid is True and decision.missing == (), path.name
        else:
            assert decision.valid is link.valid, path.name
        if isinstance(link.regime, Regime):
            assert decision.regime is link.regime, path.name


def test_a_rule_can_be_switched_off() -> None:
    raw = mail(REQUEST + "\n\nJo Bloggs", sender="Jo Bloggs <jo@example.org>", headers="Precedence: bulk\r\n")
    assert (decide(raw).details["chain"], decide(raw).action) == ("bulk-request", "staff_review")
    assert decide(raw, disabled_rules=frozenset({"bulk-precedence"})).action == "acknowledge"


def test_decision_lists_the_rule_hits_behind_it() -> None:
    decision = decide(mail(REQUEST + "\n\nYours faithfully,\nJo Bloggs"))
    assert decision.details["chain"] == "valid-request"
    assert {"full-name", "address", "reads-like-request", "regime"} <= set(decision.details["rules"])
    assert any(r.startswith("full-name: ") for r in decision.reasons)


# -- robots ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers,subject,sender,kind", [
    ("Auto-Submitted: auto-replied\r\n", "Your message", "jo@example.org", "auto_reply"),
    ("Auto-Submitted: auto-generated; foo\r\n", "Notice", "jo@example.org", "auto_reply"),
    ("X-Autoreply: yes\r\n", "Re: x", "jo@example.org", "auto_reply"),
    ("X-Apple-Action: VACATION\r\n", "x", "jo@example.org", "auto_reply"),
    ("X-POST-MessageClass: 9; Autoresponder\r\n", "x", "jo@example.org", "auto_reply"),
    ("Precedence: auto_reply\r\n", "x", "jo@example.org", "auto_reply"),
    ("", "Automatic reply: Jo is away", "jo@example.org", "auto_reply"),
    ("", "Auto: Jo", "jo@example.org", "auto_reply"),
    ("", "Jo Bloggs is out of the office", "jo@example.org", "auto_reply"),
    ("", "Out of Office", "jo@example.org", "auto_reply"),
    ("List-Unsubscribe: <mailto:u@example.org>\r\n", "News", "news@example.org", "bulk"),
    ("Precedence: junk\r\n", "Offer", "shop@example.org", "bulk"),
    ("", "Hello", "MAILER-DAEMON@example.org", "bounce"),
    ("", "Thanks", "noreply@example.org", "auto_reply"),
    ("Return-Path: <>\r\n", "Note", "jo@example.org", "auto_reply"),
    ("X-Loop: mailbot foi@council.example\r\n", "Re: x", "jo@example.org", "loop"),
    ("", "Re: x", "FOI@council.example", "loop"),
])
def test_robot_signals(headers: str, subject: str, sender: str, kind: str) -> None:
    decision = decide(mail("Thank you for your message. We will be in touch.", sender=sender, subject=subject,
                           headers=headers))
    assert (decision.kind, decision.action) == (kind, "none")
    assert decision.reasons and not decision.replies


def test_auto_submitted_no_is_a_person() -> None:
    decision = decide(mail(REQUEST + "\n\nYours faithfully,\nJo Bloggs", headers="Auto-Submitted: no\r\n"))
    assert (decision.kind, decision.action) == ("request", "acknowledge")


def test_auto_response_suppress_is_not_a_robot() -> None:
    decision = decide(mail(REQUEST + "\n\nYours faithfully,\nJo Bloggs",
                           headers="X-Auto-Response-Suppress: All\r\n"))
    assert decision.action == "acknowledge"
    assert any(r.startswith("response-suppressed:") for r in decision.reasons)


def test_a_person_forwarding_through_a_server_that_marks_forwards_auto_generated_goes_to_staff() -> None:
    body = (f"Sorry, sending again.\n\n---------- Forwarded message ---------\nFrom: Jo <jo@example.org>\n\n{REQUEST}")
    decision = decide(mail(body, subject="Fwd: gritting", headers="Auto-Submitted: auto-generated\r\n"))
    assert (decision.action, decision.details["chain"]) == ("staff_review", "forwarded-by-a-robot-server")


def test_no_reply_sender_with_a_request_and_nowhere_to_write_goes_to_staff() -> None:
    decision = decide(mail(REQUEST, sender="noreply@forms.example.org", subject="Form submission"))
    assert (decision.kind, decision.action) == ("request", "staff_review")
    assert "address" in decision.missing or decision.details["chain"] == "no-reply-request"


def test_delivery_reports_are_permanent_or_temporary_with_the_failed_address() -> None:
    dsn = (b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: foi@council.example\r\n"
           b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx.example.org>\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
           b"--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
           b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
           b"Final-Recipient: rfc822; jo@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
           b"--B\r\nContent-Type: message/rfc822\r\n\r\nFrom: foi@council.example\r\nTo: jo@example.org\r\n"
           b"Subject: Re: x\r\nMessage-ID: <ack-42@council.example>\r\n\r\nDear Jo\r\n--B--\r\n")
    enquiry = CaseRef(case_id=4, status=CaseStatus.OPEN, regime=Regime.FOI, reference="12/2026")
    decision = decide(dsn, ListIndex(by_id={"<ack-42@council.example>": enquiry}))
    assert (decision.kind, decision.action) == ("bounce", "none")
    assert decision.details["failed_recipients"] == ["jo@example.org"] and decision.details["permanent"] is True
    assert decision.case == enquiry  # the bounce of our reply is linked to its enquiry
    temporary = decide(dsn.replace(b"Status: 5.1.1", b"Status: 4.4.7").replace(b"Action: failed", b"Action: delayed"))
    assert temporary.details["permanent"] is False


def test_daily_cap_stops_automatic_replies_to_one_address() -> None:
    raw = mail(REQUEST + "\n\nYours faithfully,\nJo Bloggs")
    assert decide(raw, ListIndex(sent_today={"jo@example.org": 9})).action == "acknowledge"
    capped = decide(raw, ListIndex(sent_today={"jo@example.org": 10}))
    assert capped.action == "staff_review" and capped.details["chain"] == "daily-cap"


@pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").exists() and os.environ.get("MAILBOT_REQUIRE_CORPUS") != "1",
                    reason="corpus not present")
def test_corpus_robots_are_never_answered() -> None:
    rows = list(csv.DictReader((CORPUS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    robots = [r for r in rows if r["category"] in ("autoreply", "bounce") and r["file"].endswith(".eml")]
    assert len(robots) >= 14
    for row in robots:
        decision = decide((CORPUS / row["file"]).read_bytes())
        assert decision.kind == ("auto_reply" if row["category"] == "autoreply" else "bounce"), row["file"]
        assert decision.action == "none", row["file"]
    delay = decide((CORPUS / "track-response-ms-bounce.eml").read_bytes())
    assert delay.details["permanent"] is False


# -- names -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,display,expected", [
    ("Please send the budget.\n\nMy full name is Fred Wright\n\nFred", "Fred", "Fred Wright"),
    ("Please send the budget.\n\nMy name is Ayşe Yılmaz.", None, "Ayşe Yılmaz"),
    ("Please send the budget.\n\nYours faithfully,\n\nSiobhán Ní Bhriain\nPolicy Officer\nAcme Ltd", None,
     "Siobhán Ní Bhriain"),
    ("Please send the budget.\n\nKind regards,\nJan van der Berg", None, "Jan van der Berg"),
    ("Please send the budget.\n\nThanks, María García-López", None, "María García-López"),
    ("Please send the budget.\n\nCheers\nconor o'neill\nSent from my iPhone", None, "Conor O'Neill"),
    ("Please send the budget.\n\nThanks\n\nSent from my iPhone", '"WRIGHT, Fred"', "Fred Wright"),
    ("Please send the budget.\n\n此致\n王小明", "王小明", "王小明"),
    ("Please send the budget.\n\nYours sincerely,\nHallam Park Residents' Association", None,
     "Hallam Park Residents' Association"),
])
def test_names_from_every_source_and_culture(body: str, display: str | None, expected: str) -> None:
    sender = f"{display} <someone@example.org>" if display else "someone@example.org"
    decision = decide(mail(body, sender=sender))
    assert decision.applicant_name == expected
    assert "name" not in decision.missing


@pytest.mark.parametrize("body,display", [
    ("Please send the budget.\n\nThanks,\nFred", "Fred"),
    ("Please send the budget.\n\nA.T.R.", "A.T.R."),
    ("Please send the budget.\n\nYours faithfully,\nAnonymous", None),
    ("Please send the budget.\n\nfred123", "fred123"),
])
def test_not_full_names_get_a_section8_notice(body: str, display: str | None) -> None:
    sender = f"{display} <someone@example.org>" if display else "someone@example.org"
    decision = decide(mail(body, sender=sender))
    assert decision.action == "section8_notice" and decision.missing == ("name",)


def test_quoted_text_and_our_own_signature_are_not_the_applicant() -> None:
    body = ("Please send the budget too.\n\nJo\n\nOn Tue, 10 May 2022, Information Rights wrote:\n"
            "> Yours sincerely,\n> Miss McGee\n> Information Rights Clerk")
    decision = decide(mail(body, sender="Jo <jo@example.org>"))
    assert decision.applicant_name != "Miss McGee" and decision.action == "section8_notice"


def test_whatdotheyknow_footer_is_not_a_name() -> None:
    body = (f"{REQUEST}\n\nYours faithfully,\n\nFred\n\n---------------------------------\n"
            "Please use this email address for all replies to this request:\nrequest-1-abc@whatdotheyknow.com\n")
    decision = decide(mail(body, sender="Fred <request-1-abc@whatdotheyknow.com>"))
    assert decision.applicant_name == "Fred" and decision.missing == ("name",)


def test_html_only_mail_sign_off() -> None:
    raw = (b"From: someone@example.org\r\nTo: foi@council.example\r\nSubject: Budget\r\nMessage-ID: <h1@example.org>\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           b"<html><body><p>Please send the 2023 budget.</p><p>Kind regards,</p><p>Priya Patel</p></body></html>")
    assert decide(raw).applicant_name == "Priya Patel"


def test_conflicting_names_go_to_staff() -> None:
    decision = decide(mail(f"{REQUEST}\n\nMy name is John Smith.\n\nYours faithfully,\nJohn Smith",
                           sender="Fred Wright <fred@example.org>"))
    assert (decision.action, decision.details["chain"]) == ("staff_review", "name-conflict")


def test_initial_and_full_first_name_do_not_conflict() -> None:
    decision = decide(mail(f"{REQUEST}\n\nYours faithfully,\nF. Wright", sender="Fred Wright <fred@example.org>"))
    assert decision.action == "acknowledge"


def test_surname_only_and_pseudonym_settings() -> None:
    raw = mail(f"{REQUEST}\n\nYours faithfully,\nRoberts", sender="someone@example.org")
    assert decide(raw).action == "section8_notice"
    assert decide(raw, accept_surname_only=True).action == "acknowledge"
    pseudonym = mail(f"{REQUEST}\n\nYours faithfully,\nDonald Duck", sender="dd@example.org")
    assert decide(pseudonym).action == "staff_review"
    assert decide(pseudonym, pseudonyms=()).action == "acknowledge"


def test_name_must_be_in_body_setting() -> None:
    raw = mail(f"{REQUEST}\n\nThanks", sender="Fred Wright <fred@example.org>")
    assert decide(raw).action == "acknowledge"
    assert decide(raw, name_must_be_in_body=True).action == "section8_notice"


# -- regime --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,regime", [
    ("Please send the air quality readings for Station Road.", "eir"),
    ("How many planning applications for wind turbines were refused?", "eir"),
    ("Please send all the information you hold about me.", "sar"),
    ("Please confirm if the force is planning to use facial recognition.", "foi"),
])
def test_regime(body: str, regime: str) -> None:
    decision = decide(mail(f"{body}\n\nJo", sender="Jo <jo@example.org>"))
    assert decision.regime == regime
    assert decision.action == ("section8_notice" if regime == "foi" else "acknowledge")


def test_keyword_lists_are_settings() -> None:
    raw = mail("Please send the parking enforcement contract.\n\nYours faithfully,\nJo Bloggs")
    assert decide(raw).regime == "foi"
    assert decide(raw, eir_keywords=("parking",)).regime == "eir"


# -- address -------------------------------------------------------------------------------------------------------

def test_reply_to_is_the_address_for_correspondence() -> None:
    decision = decide(mail(f"{REQUEST}\n\nYours faithfully,\nJo Bloggs", headers="Reply-To: jo.home@example.net\r\n"))
    assert decision.address == "jo.home@example.net"


def test_web_form_relay_is_a_person_with_the_form_address() -> None:
    body = ("A request was submitted on the council website.\n\nName: Jo Bloggs\nEmail: jo@example.org\n"
            "Request: Please send the 2023 gritting budget.\n")
    decision = decide(mail(body, sender="Website <no-reply@council.example>", subject="FOI form"))
    assert (decision.kind, decision.action) == ("request", "acknowledge")
    assert (decision.address, decision.applicant_name) == ("jo@example.org", "Jo Bloggs")


def test_web_form_without_a_name_gets_a_notice_at_the_form_address() -> None:
    body = "Email: jo@example.org\nRequest: Please send the 2023 gritting budget.\n"
    decision = decide(mail(body, sender="no-reply@council.example", subject="FOI form"))
    assert (decision.action, decision.address, decision.missing) == ("section8_notice", "jo@example.org", ("name",))


# -- description ---------------------------------------------------------------------------------------------------

def test_content_free_message_fails_description_and_a_vague_one_does_not() -> None:
    empty = decide(mail("Hello\n\nYours faithfully,\nJo Bloggs", subject="FOI"))
    assert empty.action == "section8_notice" and empty.missing == ("description",)
    vague = decide(mail("Please send everything about the bins.\n\nYours faithfully,\nJo Bloggs", subject="FOI"))
    assert vague.action == "acknowledge"


def test_a_request_may_be_described_in_its_subject() -> None:
    decision = decide(mail("Yours faithfully,\nJo Bloggs", subject="Copy of the 2023 gritting contract please"))
    assert "description" not in decision.missing


# -- references ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["13931/2022", "13931-22", "Ref 13931/22", "FOI 13931/22",
                                  "Enquiry Reference: 13931-22", "our ref 13931/2022"])
def test_references_normalised_and_threaded(text: str) -> None:
    enquiry = CaseRef(case_id=1, status=CaseStatus.OPEN, regime=Regime.FOI, reference="13931/2022")
    from mailbot.judging.readers.references import ReferenceKey

    index = ListIndex(by_ref={ReferenceKey(13931, 2022): enquiry})
    decision = decide(mail(f"About {text}: thank you, I have one more question.\n\nJo Bloggs", subject="Question"),
                      index)
    assert decision.case == enquiry and decision.action == "acknowledge_follow_up"


def test_dates_amounts_and_planning_numbers_are_not_references() -> None:
    decision = decide(mail("Under policy 3/2021, how much of the £13,931 for 23/01234/FUL was spent?\n\n"
                           "Yours faithfully,\nJo Bloggs"))
    assert decision.references == () and decision.case is None


def test_a_person_forwarding_their_own_request_is_described_by_what_they_forward() -> None:
    body = (f"Resending as I had no reply.\n\n---------- Forwarded message ---------\nFrom: Jo Bloggs <jo@example.org>\n"
            f"Subject: Budget\n\n{REQUEST}\n\nYours faithfully,\nJo Bloggs")
    decision = decide(mail(body, subject="Fwd: Budget", sender="Jo Bloggs <jo@example.org>"))
    assert decision.action == "acknowledge" and "description" not in decision.missing


def test_an_answer_to_our_receipt_is_never_answered_again() -> None:
    enquiry = CaseRef(case_id=1, status=CaseStatus.OPEN, regime=Regime.FOI, reference="13931/2022")
    index = ListIndex(by_id={"<receipt-1@council.example>": enquiry},
                      templates={"<receipt-1@council.example>": "follow_up_received"})
    raw = mail("Thank you for your email. I will reply when I am back.\n\nJo Bloggs", subject="Re: Budget",
               headers="In-Reply-To: <receipt-1@council.example>\r\n")
    decision = decide(raw, index)
    assert (decision.kind, decision.action, decision.case) == ("follow_up", "none", enquiry)


def test_a_reply_to_our_digest_is_never_answered() -> None:
    raw = mail("Thanks, noted. Can we discuss the overdue ones?\n\nPriya", subject="Re: mailbot digest",
               headers="In-Reply-To: <digest-1@council.example>\r\n")
    decision = decide(raw, ListIndex(templates={"<digest-1@council.example>": "digest"}))
    assert (decision.action, decision.details["chain"]) == ("none", "answer-to-our-receipt")
