"""Auto-replies, challenge-response robots, robot senders, other systems' loops, list and campaign mail, system
names, and a person's mail forwarded by a server rule (issue 13), in the forms real systems write them.
People's look-alikes ("Re: Out of office policy request", a person's name) stay people's.
"""

from __future__ import annotations

import pytest
from test_judge import ListIndex
from test_robots import REQUEST, decide, eml

from mailbot.judging.decision import CaseRef
from mailbot.judging.values import CaseStatus, Regime

AWAY = "I am out of the office until Monday 10 June with limited access to email. For urgent matters please call."
PERSON = "From: Jo Bloggs <jo@example.org>"


@pytest.mark.parametrize("subject", [
    "Auto reply: Your request", "Autoreply: Your request", "Automatic reply: FOI 123/2024", "Auto Response",
    "AUTO: Jo Bloggs is out of the office (returning 10/06/2024)", "Out of Office: Your request",
    "Out of Office", "Out of the office", "Out of office until 10 June", "I am away", "On leave", "Absence",
    "Jo Bloggs is out of the office.", "Automatische Antwort: Ihre Anfrage", "Abwesenheitsnotiz: Ihre Anfrage",
    "Réponse automatique : Votre demande", "Respuesta automática: Su solicitud",
    "Risposta automatica: La sua richiesta", "Automatisch antwoord: Uw verzoek", "Resposta automática: O seu pedido",
    "Automatyczna odpowiedź: Pana wniosek", "Ateb awtomatig: Eich cais", "Autosvar: Din forespørsel",
    "[Auto-Reply] Your request", "(Out of Office) Your request", "Automatická odpověď: Vaše žádost",
    "Автоматический ответ: Ваш запрос", "自動応答: ご依頼", "Frånvaro: Din begäran", "Urlaubsnotiz: Ihre Anfrage",
])
def test_auto_reply_subjects_in_many_forms_and_languages(subject: str) -> None:
    decision = decide(eml(f"{PERSON}\nSubject: {subject}", AWAY))
    assert (decision.kind, decision.action) == ("auto_reply", "none"), decision.reasons
    assert any(r.startswith("oof-subject: auto-reply subject") for r in decision.reasons)


@pytest.mark.parametrize("subject", ["Re: Out of office policy request", "Out of office policy request",
                                     "Absence management figures", "Reading library opening hours",
                                     "Auto enrolment pension data", "On leave policy for officers"])
def test_a_persons_subject_that_looks_like_one_is_a_request(subject: str) -> None:
    decision = decide(eml(f"{PERSON}\nSubject: {subject}", REQUEST))
    assert decision.action == "acknowledge", decision.reasons


@pytest.mark.parametrize(("head", "rule"), [
    ("From: Jo Bloggs <jo@icloud.com>\nSubject: Re: Your request\nX-Apple-Action: VACATION", "autoreply-headers"),
    ("From: Jo Bloggs <jo@example.com>\nSubject: Please confirm your message\nX-Challenge: 7f3a9c", "challenge-response"),
    ("From: Spam Arrest <jo@spamarrest.com>\nSubject: Re: Your request", "challenge-response"),
    ("From: Boxbe <notify@boxbe.com>\nSubject: Your request (Action Required)", "challenge-response"),
    ("From: jo@bluebottle.com\nSubject: Please verify that you sent this message", "challenge-response"),
    ("From: MailChannels <noreply@mailchannels.net>\nSubject: Sender verification required", "challenge-response"),
    ("From: Help Desk <support@helpdesk.example.net>\nSubject: [#4711] Your request\nX-Loop: support@helpdesk."
     "example.net", "foreign-loop"),
    ("From: Jo Bloggs <jo@example.org>\nSubject: Re: Your request\nX-Loop: procmail-vacation", "foreign-loop"),
])
def test_vacation_challenge_and_other_systems_loops_are_auto_replies(head: str, rule: str) -> None:
    decision = decide(eml(head, "Thank you for your message. We will be in touch."))
    assert (decision.kind, decision.action) == ("auto_reply", "none"), decision.reasons
    assert any(r.startswith(f"{rule}:") for r in decision.reasons)


def test_our_own_loop_token_and_mailbox_stay_loops() -> None:
    assert decide(eml(f"{PERSON}\nSubject: Re: x\nX-Loop: mailbot foi@council.example")).kind == "loop"
    assert decide(eml("From: FOI <FOI@council.example>\nSubject: Re: x")).kind == "loop"


@pytest.mark.parametrize("sender", [
    "no_reply@portal.example.gov.uk", "newsalerts-noreply@bbc.example.co.uk", "noreply-123@accounts.example.com",
    "DoNotReply@bank.example.com", "automated-notifications@service.example.com", "notifications@github.example",
    "alerts@bank.example.com", "cycling-admin@lists.example.org", "cycling-request@lists.example.org",
    "cycling-owner@lists.example.org", "owner-cycling@lists.example.org",
])
def test_robot_senders_are_never_answered(sender: str) -> None:
    decision = decide(eml(f"From: {sender}\nSubject: Your account", "Your statement is ready to view online."))
    assert (decision.kind, decision.action) == ("auto_reply", "none"), decision.reasons
    assert any(r.startswith("robot-sender:") for r in decision.reasons)


@pytest.mark.parametrize("sender", ["postmaster@example.org", "post_master@example.org", "mailer-daemon@example.org"])
def test_postmasters_and_daemons_are_bounces(sender: str) -> None:
    decision = decide(eml(f"From: {sender}\nSubject: Notice", "Your message was not delivered."))
    assert (decision.kind, decision.action) == ("bounce", "none")


def test_a_no_reply_reply_to_leaves_nobody_to_write_to_even_with_a_persons_from() -> None:
    robot = decide(eml(f"{PERSON}\nReply-To: no-reply@mailer.example.com\nSubject: Hello", "Best wishes, Jo"))
    assert (robot.kind, robot.action) == ("auto_reply", "none")
    asked = decide(eml(f"{PERSON}\nReply-To: no-reply@mailer.example.com\nSubject: Potholes", REQUEST))
    assert (asked.kind, asked.action, asked.details["chain"]) == ("request", "staff_review", "no-reply-request")


@pytest.mark.parametrize(("head", "rule"), [
    ("From: Jo Bloggs <jo@example.org>\nSubject: [Cycling] Road closures\nX-Mailman-Version: 2.1.39\n"
     "X-BeenThere: cycling@lists.example.org", "list-software"),
    ("From: Jo Bloggs <jo@example.org>\nSubject: Road closures\nMailing-List: contact cycling-help@example.org; run "
     "by ezmlm", "list-software"),
    ("From: Jo Bloggs <jo@example.org>\nSubject: Road closures\nX-Mailing-List: <linux-kernel@vger.example.org>",
     "list-software"),
    ("From: Jo Bloggs <jo@example.org>\nSubject: Road closures\nList-Id: Cycling <cycling.lists.example.org>",
     "list-headers"),
    ("From: Parish Council <clerk@parish.example.org>\nSubject: June news\nX-Campaign: mailchimp8d1f4f2c.4b1e",
     "campaign-headers"),
    ("From: Shop <hello@shop.example>\nSubject: Summer sale\nX-CampaignID: 1234\nX-Mailer: MailChimp Mailer",
     "campaign-headers"),
])
def test_list_and_campaign_mail_is_bulk(head: str, rule: str) -> None:
    decision = decide(eml(head, "This month: road closures, events and the summer sale."))
    assert (decision.kind, decision.action) == ("bulk", "none"), decision.reasons
    assert any(r.startswith(f"{rule}:") for r in decision.reasons)


@pytest.mark.parametrize("name", ["OpenDMARC Filter", "Rackspace FBL Service", "Parish Council Newsletter",
                                  "Mail Delivery System", "Mail Delivery Subsystem", "Microsoft Outlook",
                                  "Postmaster"])
def test_a_systems_name_is_nobody_to_write_to(name: str) -> None:
    notice = decide(eml(f"From: {name} <info@systems.example.net>\nSubject: Notice", "Nothing to report."))
    assert notice.action == "none" and notice.kind.robot and notice.applicant_name is None, notice.reasons
    assert any(r.startswith("system-name:") for r in notice.reasons)


@pytest.mark.parametrize("name", ["Parish Newsletter", "OpenDMARC Filter", "Mail Delivery System"])
def test_a_request_under_a_systems_name_goes_to_staff_without_that_name_as_the_applicants(name: str) -> None:
    decision = decide(eml(f"From: {name} <editor@parish.example.org>\nSubject: Potholes",
                          "Please send me the number of potholes repaired in 2024."))
    assert (decision.kind, decision.action) == ("request", "staff_review")
    assert decision.applicant_name is None and "name" in decision.missing


@pytest.mark.parametrize("header", ["Auto-Submitted: auto-forwarded",
                                    "X-MS-Exchange-Inbox-Rules-Loop: jo.bloggs@work.example.com"])
def test_a_persons_mail_forwarded_by_a_rule_is_registered_for_staff(header: str) -> None:
    decision = decide(eml(f"{PERSON}\nSubject: Potholes\n{header}", REQUEST))
    assert (decision.kind, decision.action, decision.details["chain"]) == ("request", "staff_review",
                                                                         "forwarded-by-rule")
    assert decision.regime == "foi" and not decision.replies
    enquiry = CaseRef(case_id=4, status=CaseStatus.OPEN, regime=Regime.FOI, reference="12/2026")
    threaded = decide(eml(f"{PERSON}\nSubject: Re: Your request\nIn-Reply-To: <ack-7@council.example>\n{header}",
                          "Thanks. Could you also send the 2023 figures?"),
                      ListIndex(by_id={"<ack-7@council.example>": enquiry}))
    assert (threaded.kind, threaded.action) == ("follow_up", "staff_review")


@pytest.mark.parametrize("extra", ["Subject: Automatic reply: Potholes", "Auto-Submitted: auto-replied",
                                   "Precedence: bulk", "X-Autoreply: yes"])
def test_a_forward_with_another_robot_sign_stays_robot_mail(extra: str) -> None:
    head = f"{PERSON}\nX-MS-Exchange-Inbox-Rules-Loop: jo@example.org\n{extra}"
    if not extra.startswith("Subject:"):
        head += "\nSubject: Potholes"
    decision = decide(eml(head, AWAY))
    assert decision.action == "none" and decision.kind.robot, decision.reasons
