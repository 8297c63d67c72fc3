"""Each rule on its own, with hand-made facts: one case where it hits (and the reason it gives), one where it
does not. The judge's own tests (test_judge.py, test_judging.py) test the same rules through `judge`.

Facts come from `make_facts`: the facts of a real message (by default a valid request) with single fields
replaced, so a case says only what it is about. A rule is called directly, not through `evaluate`, so a case
fails for that rule alone; the last tests check that the table covers every rule module there is.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from dataclasses import replace
from types import ModuleType

import pytest

from mailbot.judging import rules
from mailbot.judging.decision import CaseRef
from mailbot.judging.facts import Facts
from mailbot.judging.readers.names import NameFinding
from mailbot.judging.readers.webform import RelayedForm
from mailbot.judging.rules import (
    acknowledges_receipt,
    address,
    answers_our_receipt,
    asks_about_address,
    asks_action,
    asks_for_credentials,
    asks_information,
    asks_review,
    auto_submitted,
    autoreply_headers,
    away_text,
    bare_attachment,
    bounce_sender,
    bulk_precedence,
    calendar_invitation,
    campaign_headers,
    challenge_response,
    clarification_reply,
    copied_to_us,
    crime_disclosure,
    daemon_envelope,
    daily_cap,
    delivery_report,
    fails_authentication,
    foreign_loop,
    form_response,
    forwarded,
    forwarded_by_rule,
    forwarded_for_another,
    full_name,
    held_case,
    hourly_cap,
    list_headers,
    list_software,
    looks_like_reply,
    loop_token,
    member_enquiry,
    missing_description,
    missing_name,
    name_conflict,
    name_not_required,
    no_address,
    null_sender,
    oof_subject,
    own_domain,
    own_mailbox,
    phishing,
    pseudonym,
    quarantine_digest,
    reads_like_request,
    recall,
    regime,
    regulator_casework,
    relayed_form,
    report_type,
    request_attached,
    response_suppressed,
    robot_sender,
    sales_pitch,
    sar_by_agent,
    secure_message,
    sent_before,
    ses_bounce,
    ses_notification,
    spam_verdict,
    subscriber_notice,
    supplies_missing,
    system_name,
    system_notice,
    test_message,
    third_party_data,
    threaded,
    two_laws,
)
from mailbot.judging.settings import JudgeSettings
from mailbot.mail.message import Attachment, DeliveryStatus
from mailbot.testing.facts import make_facts
from mailbot.testing.messages import inbound, request

Build = Callable[[], Facts]

OPEN = CaseRef(case_id=7, status="open", regime="foi", reference="12/2024", applicant_name="Jo Bloggs")
HELD = CaseRef(case_id=8, status="held", regime="foi", missing=("name",))
SAM = {"name": "Sam", "sign_off": "Thanks,\nSam"}  # a first name only, in the From line and the sign-off
OWN = JudgeSettings(mailbox="foi@council.example", own_domains=("council.example", "council.gov.uk"))
ICS = Attachment("invite.ics", "text/calendar", 1200)
PDF = Attachment("letter.pdf", "application/pdf", 48000)


def with_headers(**headers: str) -> Facts:
    """A valid request carrying extra headers (underscores in the keyword become hyphens)."""
    return make_facts(request(headers={k.replace("_", "-"): v for k, v in headers.items()}))


def with_msg(**fields: object) -> Facts:
    """A valid request whose parsed message has these fields replaced: for what a parser finds only in rare mail."""
    facts = make_facts()
    return replace(facts, msg=replace(facts.msg, **fields))  # type: ignore[arg-type]


def with_files(raw: bytes, *files: Attachment) -> Facts:
    """The facts of `raw` as if the parser had found these attachments beside its text."""
    facts = make_facts(raw)
    return replace(facts, msg=replace(facts.msg, attachments=files))


def finding(name: str, source: str, full: bool = True, **flags: bool) -> NameFinding:
    return NameFinding(name, source, full, f"{name!r}: hand-made", **flags)


GATEWAY = JudgeSettings(trusted_authserv_ids=("mx.council.gov.uk",))
FAILED_DMARC = "mx.council.gov.uk; spf=softfail smtp.mailfrom=evil.example; dmarc=fail header.from=example.org"
OUR_TAGGED = "Re: Request 1 [Enquiry Ref: 12/2024]"

# (rule, facts, the reason it gives)
HITS: list[tuple[ModuleType, Build, str]] = [
    (own_mailbox, lambda: make_facts(request(sender="FOI+loop@Council.Example"),
                                     settings=JudgeSettings(mailbox="foi@council.example")),
     "sent from our own mailbox foi@council.example"),
    (own_mailbox, lambda: make_facts(request(headers={"Reply-To": "Foi+x@council.example"}),
                                     settings=JudgeSettings(mailbox="foi@council.example")),
     "asks to be answered at our own mailbox foi@council.example (Reply-To)"),
    (fails_authentication, lambda: make_facts(request(headers={"Authentication-Results": FAILED_DMARC}),
                                              settings=GATEWAY),
     "the From address is not authenticated by mx.council.gov.uk: dmarc=fail for example.org "
     "(spf=softfail, dmarc=fail)"),
    (hourly_cap, lambda: make_facts(replies_this_hour=200),
     "200 automatic replies already to mail that reached this mailbox in the hour before this message: the hourly cap is 200"),
    (answers_our_receipt, lambda: make_facts(request(subject=OUR_TAGGED, body="Your message matters to us.",
                                                     sign_off=""), case=OPEN),
     "answers our mail and asks for nothing (a \"Re:\" of our subject without In-Reply-To): recorded without "
     "another automatic reply (no mail loops)"),
    (answers_our_receipt, lambda: make_facts(request(subject="Re: Request 1", body="Thanks for your email.",
                                                     headers={"In-Reply-To": "<ack-1@council.example>"}), case=OPEN),
     "answers our mail and asks for nothing (\"thank you for your email\"-style wording): recorded without "
     "another automatic reply (no mail loops)"),
    (own_domain, lambda: make_facts(request(headers={"Reply-To": "anna.smith@council.example"}), settings=OWN),
     "the reply would go to the authority's own domain council.example: staff, never an automatic reply"),
    (own_mailbox, lambda: make_facts(request(sender="FOI@council.example"),
                                     settings=JudgeSettings(mailbox="foi@council.example")),
     "sent from our own mailbox foi@council.example"),
    (loop_token, lambda: make_facts(request(headers={"X-Loop": "mailbot-7f3a"}),
                                    settings=JudgeSettings(loop_token="MAILBOT-7F3A")),
     "carries our own X-Loop token"),
    (delivery_report, lambda: with_msg(delivery_status=(DeliveryStatus("jo@example.org", "5.1.1", "failed"),
                                                        DeliveryStatus("al@example.org", None, "delayed"))),
     "delivery report (permanent: 5.1.1, delayed)"),
    (delivery_report, lambda: with_msg(delivery_status=(DeliveryStatus("jo@example.org", "4.4.7", "delayed"),)),
     "delivery report (temporary: 4.4.7)"),
    (delivery_report, lambda: with_msg(headers=(("content-type",
                                                 "multipart/report; report-type=delivery-status; boundary=b"),)),
     "Content-Type multipart/report; report-type=delivery-status"),
    (bounce_sender, lambda: make_facts(request(name="", sender="MAILER-DAEMON@mx.example.net")),
     "bounce from mailer-daemon"),
    (bounce_sender, lambda: make_facts(b"From: MAILER-DAEMON <>\r\nSubject: failure notice\r\n\r\nHi.\r\n"),
     "bounce from MAILER-DAEMON <>"),
    (daemon_envelope, lambda: with_headers(Return_Path="<MAILER-DAEMON@mx.example.net>"),
     "envelope sender MAILER-DAEMON@mx.example.net (Return-Path): a mail system's notice"),
    (bounce_sender, lambda: make_facts(request(subject="Undeliverable: Request 1", headers={"Return-Path": "<>"})),
     "delivery-failure subject from the null sender"),
    (bounce_sender, lambda: make_facts(request(subject="Mail delivery failed",
                                               body="This message could not be delivered to jo@example.org.")),
     "delivery-failure subject and a failure report in the body"),
    (auto_submitted, lambda: with_headers(Auto_Submitted="Auto-Replied; owner-email=jo@example.org"),
     "Auto-Submitted: auto-replied"),
    (autoreply_headers, lambda: with_headers(X_Autoreply="yes"), "header x-autoreply present"),
    (autoreply_headers, lambda: with_headers(X_Apple_Action="VACATION"),
     "X-Apple-Action: VACATION (an iCloud vacation reply)"),
    (autoreply_headers, lambda: with_headers(X_POST_MessageClass="9; Autoresponder"),
     "X-POST-MessageClass: Autoresponder"),
    (autoreply_headers, lambda: with_headers(Precedence="auto_reply"), "Precedence: auto_reply"),
    (oof_subject, lambda: make_facts(request(subject="Automatic reply: Request 1")),
     "auto-reply subject ('Automatic reply:')"),
    (oof_subject, lambda: make_facts(request(subject="Jo Bloggs is out of the office.")),
     "auto-reply subject ('Jo Bloggs is out of the office.')"),
    (oof_subject, lambda: make_facts(request(subject="Lu : Demande d'accès")), "read-receipt subject ('Lu :')"),
    (report_type, lambda: with_headers(Content_Type="multipart/report; report-type=feedback-report; boundary=b"),
     "a machine report (multipart/report; report-type=feedback-report)"),
    (report_type, lambda: make_facts(request(subject="Report domain: council.example Submitter: google.com "
                                                     "Report-ID: <1234>")),
     "a DMARC or SMTP TLS aggregate report (subject 'Report Domain: … Submitter: …')"),
    (quarantine_digest, lambda: make_facts(request(subject="Proofpoint End User Digest: 3 New Messages")),
     "a security gateway's quarantine digest ('End User Digest' in the subject)"),
    (spam_verdict, lambda: with_headers(X_Spam_Flag="YES"), "marked as spam by a filter on the way (x-spam-flag: YES)"),
    (spam_verdict, lambda: with_headers(X_MS_Exchange_Organization_SCL="6"),
     "Exchange spam confidence level 6 (X-MS-Exchange-Organization-SCL; 5 or more is spam)"),
    (ses_bounce, lambda: make_facts(request(body='{"notificationType":"Bounce","bounce":{}}')),
     "an Amazon SES notification of a failed delivery (\"notificationType\": \"Bounce\")"),
    (ses_notification, lambda: make_facts(request(body='{"notificationType":"Complaint","complaint":{}}')),
     "an Amazon SES notification (\"notificationType\": \"Complaint\")"),
    (challenge_response, lambda: make_facts(request(subject="Please confirm your message")),
     "challenge-response subject 'Please confirm your message'"),
    (foreign_loop, lambda: with_headers(X_Loop="rt@helpdesk.example.net"),
     "X-Loop: rt@helpdesk.example.net: another system's automatic mail"),
    (list_software, lambda: with_headers(X_Mailman_Version="2.1.39"),
     "mailing-list software header x-mailman-version: 2.1.39"),
    (campaign_headers, lambda: with_headers(X_Campaign="mailchimp8d1f.4f2c"), "e-mail campaign header x-campaign"),
    (system_name, lambda: make_facts(request(name="Mail Delivery Subsystem", sender="mailer@mx.example.net")),
     "the sender's name 'Mail Delivery Subsystem' is a system's, not a person's"),
    (forwarded_by_rule, lambda: with_headers(Auto_Submitted="auto-forwarded"),
     "Auto-Submitted: auto-forwarded (a forwarding rule passed it on)"),
    (forwarded_by_rule, lambda: with_headers(X_MS_Exchange_Inbox_Rules_Loop="jo@example.org"),
     "X-MS-Exchange-Inbox-Rules-Loop: jo@example.org (an Exchange inbox rule forwarded it)"),
    (list_headers, lambda: with_headers(List_Id="<news.example.org>"), "mailing-list header list-id"),
    (bulk_precedence, lambda: with_headers(Precedence="Bulk"), "Precedence: bulk"),
    (null_sender, lambda: with_headers(Return_Path="<>"), "empty envelope sender (Return-Path: <>)"),
    (robot_sender, lambda: make_facts(request(name="", sender="no-reply@portal.example.com")),
     "robot sender address (no-reply@…) and no Reply-To"),
    (robot_sender, lambda: make_facts(request(headers={"Reply-To": "no_reply@portal.example.com"})),
     "no-reply Reply-To address (no_reply@…): nobody to write to"),
    (robot_sender, lambda: make_facts(request(name="", sender="cycling-uk-request@lists.example.org")),
     "robot sender address (cycling-uk-request@…) and no Reply-To"),
    (response_suppressed, lambda: with_headers(X_Auto_Response_Suppress="DR, OOF"),
     "X-Auto-Response-Suppress: DR, OOF (not treated as a robot)"),
    (relayed_form, lambda: make_facts(form=RelayedForm("Jo Bloggs", "jo@example.org", None, "The budget, please.")),
     "relayed by a web form: the request and the reply address come from its fields"),
    (forwarded, lambda: make_facts(request(subject="Fwd: gritting budget")), "a forwarded message"),
    (forwarded, lambda: make_facts(request(body="---------- Forwarded message ----------\nPlease send it.")),
     "a forwarded message"),
    (daily_cap, lambda: make_facts(replies_today=10),
     "10 automatic replies to this address today: the daily cap is 10"),
    (daily_cap, lambda: make_facts(replies_today=3, settings=JudgeSettings(daily_reply_cap=3)),
     "3 automatic replies to this address today: the daily cap is 3"),
    (threaded, lambda: make_facts(case=OPEN, thread_signal="reference", thread_note="quotes enquiry reference 12/2024"),
     "threads to enquiry 12/2024 by reference: quotes enquiry reference 12/2024"),
    (threaded, lambda: make_facts(case=HELD, thread_signal="message-id", thread_note="names a message of this case"),
     "threads to held request #8 by message-id: names a message of this case"),
    (answers_our_receipt, lambda: make_facts(answers_our=("acknowledgement", "digest")),
     "replies to our own receipt or staff mail: recorded without another automatic reply (no mail loops)"),
    (held_case, lambda: make_facts(case=HELD), "that request is held: name missing"),
    (held_case, lambda: make_facts(case=replace(HELD, missing=())), "that request is held: details missing"),
    (supplies_missing, lambda: make_facts(case=HELD),
     ("supplies the applicant's full name (sign-off): 'Jo Bloggs': first name and surname; "
      "the 20 working days run from this message's receipt")),
    (supplies_missing, lambda: make_facts(case=replace(HELD, missing=("description",))),
     "supplies a description of the information wanted; the 20 working days run from this message's receipt"),
    (asks_review, lambda: make_facts(request(body="Please carry out an internal review of 12/2024.")),
     "asks for an internal review (internal review)"),
    (clarification_reply, lambda: make_facts(case=replace(OPEN, awaiting_clarification=True)),
     "replies while our clarification question is outstanding: the clock restarts from its receipt"),
    (acknowledges_receipt, lambda: make_facts(request(name="FOI Team", sign_off="", body=(
        "Thank you for your email. This is an automated response. Your request has been logged with reference "
        "FOI/2023/0456 and we will respond within 20 working days."))),
     "only acknowledges receipt (automated, received, reference, timescale, thanks): never answered, so two "
     "systems cannot loop"),
    (acknowledges_receipt, lambda: make_facts(request(body="Many thanks for confirming receipt.", sign_off="Jo"),
                                              case=OPEN),
     "only acknowledges receipt (received, thanks): never answered, so two systems cannot loop"),
    (acknowledges_receipt, lambda: make_facts(request(body="Thank you.", sign_off="Jo"), case=OPEN),
     "a bare thank-you in answer to our mail: recorded without another automatic reply"),
    (forwarded_for_another, lambda: make_facts(request(subject="WG: Anfrage", body=(
        "Zur Info.\n\nVon: Jane Smith <jane@example.net>\nGesendet: Montag, 3. April 2023 10:12\n"
        "An: info@council.example\nBetreff: Anfrage\n\nPlease send the budget.\n\nJane Smith"))),
     "forwarded by person1@example.org; the applicant is the original's author Jane Smith <jane@example.net>, "
     "dated Montag, 3. April 2023 10:12: staff confirm and write to the applicant, not the forwarder (the "
     "request was received when it reached the authority: the original's date if it reached the authority then)"),
    (forwarded_for_another, lambda: make_facts(request(subject="FW: Budget", body=(
        "-----Original Message-----\nFrom: Jane Smith\nSent: 03 April 2023 10:12\nTo: Info\nSubject: Budget\n\n"
        "Please send the budget."))),
     "forwarded by person1@example.org; the original's author Jane Smith (no address given): staff decide who "
     "the applicant is and where to write"),
    (looks_like_reply, lambda: make_facts(request(subject="Budget", body="Thanks.\n\nOn 3 May, FOI <foi@council.example> wrote:\n> Dear Jo"),
                                          settings=JudgeSettings(mailbox="foi@council.example")),
     "answers our mail (it quotes a message from our mailbox) but matches no case"),
    (looks_like_reply, lambda: make_facts(request(subject="Ateb: Cais", headers={"In-Reply-To": "<ack-7@council.example>"}),
                                          settings=JudgeSettings(mailbox="foi@council.example")),
     "replies to a message from our mailbox's domain (<ack-7@council.example>) but matches no case"),
    (looks_like_reply, lambda: make_facts(request(subject="Re: Request 1", body="Thanks.\n\n> Dear Jo Bloggs")),
     "looks like a reply (Re: subject with quoted text, a reference or no request) but matches no case"),
    (looks_like_reply, lambda: make_facts(request(subject="Chasing", body=(
        "Further to your ref 4102/2026: when will the figures be ready?"))),
     "names an enquiry reference (4102/2026) but matches no case: a chaser or a follow-up, not a new request"),
    (looks_like_reply, lambda: make_facts(request(subject="FOI request", body=(
        "Can you confirm you received my FOI request about school transport? I sent it last Tuesday."))),
     "asks about an earlier request of the writer's (\"received my FOI request\") but matches no case: a chaser, not "
     "a new request"),
    (looks_like_reply, lambda: make_facts(request(subject="RE: Request 1", body="See reference 12/2024 for the figures.")),
     "looks like a reply (Re: subject with quoted text, a reference or no request) but matches no case"),
    (regime, lambda: make_facts(), "no environmental or personal-data signals: Freedom of Information Act"),
    (regime, lambda: make_facts(request(body="Please send the air quality readings for Main Street.")),
     "is or may be about environmental information (air quality): EIR"),
    (regime, lambda: make_facts(request(body="Please send me all the information you hold about me.")),
     "asks for the sender's own personal data (information you hold about me): subject access"),
    (address, lambda: make_facts(), "address for correspondence: the sender address"),
    (address, lambda: make_facts(request(headers={"Reply-To": "jo.home@example.net"})),
     "address for correspondence: the Reply-To address"),
    (no_address, lambda: make_facts(address=None, address_source=None),
     "no address for correspondence (FOIA s8(1)(b))"),
    (no_address, lambda: make_facts(request(name="", sender="donotreply@portal.example.com")),
     "the only address is a no-reply sender: nobody to write to (FOIA s8(1)(b))"),
    (full_name, lambda: make_facts(), "applicant's name from the sign-off: 'Jo Bloggs': first name and surname"),
    (name_not_required, lambda: make_facts(request(**SAM), regime="eir"), "no full name, but the EIR require none"),
    (name_not_required, lambda: make_facts(name=None, regime="sar"),
     "no full name, but subject access is not an FOIA s8 request"),
    (missing_name, lambda: make_facts(name=None, findings=()), "no full name (FOIA s8(1)(b)): none given"),
    (missing_name, lambda: make_facts(name=finding("Sam", "sign-off", full=False)),
     "no full name (FOIA s8(1)(b)): 'Sam': hand-made"),
    (name_conflict, lambda: make_facts(findings=(finding("Jo Bloggs", "statement"), finding("Alex Morgan", "sign-off"))),
     "the statement says 'Jo Bloggs' but the sign-off says 'Alex Morgan'"),
    (pseudonym, lambda: make_facts(request(name="Mickey Mouse")),
     "'Mickey Mouse' looks like an obvious pseudonym (list is a setting)"),
    (reads_like_request, lambda: make_facts(), "the author's own words ask for information"),
    (missing_description, lambda: make_facts(request(body="Dear FOI team,")),
     "asks for no information at all (FOIA s8(1)(c))"),
    (asks_information, lambda: make_facts(), "asks for recorded information (\"please send the\")"),
    (sent_before, lambda: make_facts(request(subject="Fwd: Budget", sign_off="", body=(
        "Hi, I sent this to the wrong address, can you deal with it?\n\n---------- Forwarded message ---------\n"
        "From: Jo Bloggs <person1@example.org>\nDate: Tue, 3 Nov 2026 at 20:41\nSubject: Budget\n"
        "To: <enquiries@council.example>\n\nPlease send the budget.")), settings=JudgeSettings(mailbox="foi@council.example")),
     "forwards mail first sent to the authority (<enquiries@council.example>, Tue, 3 Nov 2026 at 20:41): staff "
     "settle the date of receipt"),
    (third_party_data, lambda: make_facts(request(body="Please send me the file you keep on my neighbour, Mr Hughes.")),
     "asks for another living person's personal data: staff check the authority to act, or s40(2)"),
    (asks_information, lambda: make_facts(request(subject="Freedom of Information request", body="See below.")),
     "asks for recorded information (\"freedom of information\")"),
    (asks_action, lambda: make_facts(request(body="The street light outside number 4 is\nflickering again.")),
     "asks the authority to do something (fix, collect, call back, take a report) or complains "
     "(\"the street light outside number 4 is flickering\")"),
    (asks_action, lambda: make_facts(request(body="I wish to make a formal complaint about PC Smith.")),
     "asks the authority to do something (fix, collect, call back, take a report) or complains "
     "(\"i wish to make a formal complaint\")"),
    (sales_pitch, lambda: make_facts(request(body="We're reaching out to introduce our platform.")),
     "a sales pitch (\"we're reaching out to introduce\"): asks for no information"),
    (sales_pitch, lambda: make_facts(request(body="I came across your website. Worth a quick chat?")),
     "a sales pitch (\"i came across your website; worth a quick chat\"): asks for no information"),
    (phishing, lambda: make_facts(request(body="Kindly confirm your password to avoid disruption.")),
     "looks like phishing (\"confirm your password\"): never answered, never followed"),
    (phishing, lambda: make_facts(request(body="IT Service Desk: your account will be suspended. Click here.")),
     "looks like phishing (\"it service desk; account will be suspended; click here\"): never answered, never "
     "followed"),
    (calendar_invitation, lambda: with_msg(attachments=(ICS,)),
     "a calendar invitation or reply (text/calendar, invite.ics)"),
    (calendar_invitation, lambda: with_headers(Content_Class="urn:content-classes:calendarmessage"),
     "a calendar invitation or reply (Content-Class: calendarmessage)"),
    (request_attached, lambda: with_files(request(subject="FOI request", body="Please see attached request.",
                                                  sign_off=""), PDF),
     "the request is in an attached file (letter.pdf): \"Please see attached request.\""),
    (request_attached, lambda: make_facts(request(subject="FOI", sign_off="Oscar Lindqvist", body=(
        "Hi, here is my FOI request: https://docs.google.com/document/d/1aB2cD3/edit?usp=sharing"))),
     "the request is in a file behind a link: \"Hi, here is my FOI request: "
     "https://docs.google.com/document/d/1aB2cD3/edit?usp=\""),
    (two_laws, lambda: make_facts(request(body=(
        "Please send me a copy of all the personal data you hold about me. Separately, how many subject access "
        "requests did the council receive in 2025?"))),
     "asks for the writer's own data (UK GDPR Art 15) and also for information FOIA covers (facts at large, or a "
     "dead person's records: \"Separately, how many subject access requests did the council receive in 2025?\"): "
     "two requests with two due dates"),
    (two_laws, lambda: make_facts(request(body=(
        "My mother died in August. I would like a copy of her council tax account history, and also a copy of all "
        "the personal information you hold about me."))),
     "asks for the writer's own data (UK GDPR Art 15) and also for information FOIA covers (facts at large, or a "
     "dead person's records: \"her council tax account history\"): two requests with two due dates"),
    (member_enquiry, lambda: make_facts(request(name="Cllr Bethan Lloyd", body=(
        "A constituent of mine has asked me to find out how many street lights were repaired in 2025."))),
     "an elected member writes for a constituent or in the role (\"A constituent of mine\"): a member's enquiry or "
     "an FOI request, and whose, is for staff to decide"),
    (asks_about_address, lambda: make_facts(request(body=(
        "Could you confirm that foi@council.example is still the right address for FOI requests?")),
        settings=JudgeSettings(mailbox="foi@council.example")),
     "asks about our own address (\"Could you confirm that foi@council.example is still the right address for FOI "
     "requests?\"): how to reach us, not recorded information"),
    (list_software, lambda: make_facts(request(sender="LISTSERV@lists.example.ac.uk", body="Digest of the list.")),
     "sent by the list manager itself (listserv@…)"),
    (bounce_sender, lambda: make_facts(request(
        name="Microsoft Outlook", sender="MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.fr",
        subject="Non remis : Request 1", body="Votre message n'a pas pu être remis.")),
     "bounce from microsoftexchange…"),
    (system_notice, lambda: make_facts(request(sender="noreply@email.teams.example.com", body=(
        "Dylan mentioned you.\n\nYou're receiving this email because you have unread activity."))),
     "a system's notice in its own words (\"You're receiving this email because\")"),
    (member_enquiry, lambda: make_facts(request(name="Cllr Marcus Reed", body=(
        "As ward councillor for Westfield I would like to know how much of the highways budget went to my ward."))),
     "an elected member writes for a constituent or in the role (\"As ward councillor\"): a member's enquiry or an "
     "FOI request, and whose, is for staff to decide"),
    (copied_to_us, lambda: make_facts(request(to="housing@council.example", headers={"Cc": "foi@council.example"},
                                              body="The damp is back. How many damp complaints were there in 2025?"),
                                      settings=JudgeSettings(mailbox="foi@council.example")),
     "addressed to another mailbox (To), ours only in Cc: the mail is someone else's business"),
    (away_text, lambda: make_facts(request(subject="Re: Request 1", sign_off="Brian", body=(
        "I am away from the office until Wednesday 16 December with no access to email."))),
     "a short away message (\"I am away\"), typed as a reply"),
    (away_text, lambda: make_facts(request(subject="RE: Request 1", sign_off="", body=(
        "Estaré fuera de la oficina hasta el 11 de diciembre sin acceso al correo."))),
     "a short away message (\"Estaré fuera de la oficina\"), typed as a reply"),
    (sar_by_agent, lambda: make_facts(request(name="RightsPortal on behalf of Laura Finch",
                                              body="Please send me all the personal data you hold about me.")),
     "sent for the data subject by someone else (From: 'RightsPortal on behalf of Laura Finch'): staff check the "
     "authority to act"),
    (sar_by_agent, lambda: make_facts(request(body=(
        "Please send me a copy of all the personal data you hold about me.\n\nSent on behalf of Laura Finch by "
        "RightsPortal."))), "sent for the data subject by someone else (\"on behalf of Laura Finch\"): staff check "
                             "the authority to act before anything goes to the agent"),
    (system_notice, lambda: make_facts(request(sender="no-reply@portal.example.com", body=(
        "This is an automated reminder. The request sent on 14 November is due on 14 December."))),
     "a system's notice in its own words (\"This is an automated\")"),
    (system_notice, lambda: make_facts(request(body="An application has been submitted. Please log in to download "
                                                    "the documents.")),
     "a system's notice in its own words (\"log in to download\")"),
    (form_response, lambda: make_facts(request(sender="no-reply@forms.example.com", sign_off="", body=(
        'There is a new response to your form "FOI request form".'))),
     "a form service announces a person's submission (\"There is a new response to your form\"): staff open it"),
    (regulator_casework, lambda: make_facts(request(body=(
        "The Information Commissioner's Office has received a complaint about your handling of a request."))),
     "the Information Commissioner's casework (\"The Information Commissioner's Office has received a "
     "complaint\"): staff answer it"),
    (recall, lambda: make_facts(request(subject="Recall: FOI request", sign_off="",
                                        body='Peter Nash would like to recall the message, "FOI request".')),
     "asks to recall an earlier message (\"would like to recall the message\"): it was received all the same"),
    (secure_message, lambda: make_facts(request(sender="notifications@egress.example.com", sign_off="", body=(
        "You have received a secure email from r.patel@example.co.uk. To read it, sign in."))),
     "a person's message held by a secure-mail service (\"You have received a secure email\"): staff sign in and "
     "read it"),
    (test_message, lambda: make_facts(request(subject="test", body="Yet another test!")),
     "a test message: asks for nothing"),
    (test_message, lambda: make_facts(request(subject="", body="Testing 1 2 3")), "a test message: asks for nothing"),
    (bare_attachment, lambda: with_files(request(body="", sign_off=""), PDF),
     "an attachment (letter.pdf) with next to nothing written: staff must open it"),
    (bare_attachment, lambda: with_files(request(body="Please see attached.\n\nSent from my iPhone"), PDF, ICS),
     "an attachment (letter.pdf, invite.ics) with next to nothing written: staff must open it"),
    (own_domain, lambda: make_facts(request(sender="anna.smith@council.example"), settings=OWN),
     "from the authority's own domain council.example: a colleague's mail goes to staff, never an automatic reply"),
    (own_domain, lambda: make_facts(request(sender="Anna.Smith@Planning.Council.Gov.UK"), settings=OWN),
     "from the authority's own domain council.gov.uk: a colleague's mail goes to staff, never an automatic reply"),
    (subscriber_notice, lambda: make_facts(request(body=(
        "Want to know how many trees we planted in your ward? Reply to this email!\n\nYou are receiving this because "
        "you signed up at our open day."))),
     "a mailing speaks to its subscriber (\"You are receiving this because you signed up\"): bulk mail, never answered"),
    (crime_disclosure, lambda: make_facts(request(body=(
        "Please provide CCTV of Market Street on 2 December. This request is made under Schedule 2, Part 1, "
        "paragraph 2 of the Data Protection Act 2018."))),
     "asks for disclosure under the Data Protection Act's crime exemption (\"Schedule 2, Part 1, paragraph 2\"), not "
     "under FOIA: staff or the data protection officer decide"),
    (asks_for_credentials, lambda: make_facts(request(body=(
        "A Freedom of Information request has been submitted. Please verify your email account by signing in below."))),
     "asks the reader for their own sign-in (\"verify your email account by signing in\"): phishing, never answered"),
]

# (rule, facts, why it must stay silent)
MISSES: list[tuple[ModuleType, Build, str]] = [
    (own_mailbox, lambda: make_facts(request(sender="foi.team@council.example"),
                                     settings=JudgeSettings(mailbox="foi@council.example")), "a colleague, not us"),
    (fails_authentication, lambda: make_facts(request(headers={"Authentication-Results": FAILED_DMARC})),
     "no trusted server configured: the header is not read"),
    (fails_authentication, lambda: make_facts(request(headers={"Authentication-Results": FAILED_DMARC.replace(
        "mx.council.gov.uk", "mx.forger.example")}), settings=GATEWAY), "a header from a server we do not trust"),
    (fails_authentication, lambda: make_facts(request(headers={
        "Authentication-Results": "mx.council.gov.uk; dmarc=pass header.from=example.org"}), settings=GATEWAY),
     "DMARC passes"),
    (hourly_cap, lambda: make_facts(replies_this_hour=199), "below the cap"),
    (hourly_cap, lambda: make_facts(address=None, replies_this_hour=999), "nobody to reply to"),
    (answers_our_receipt, lambda: make_facts(request(subject=OUR_TAGGED, body="Could you also send the 2022 "
                                                     "figures?"), case=OPEN), "asks for more"),
    (answers_our_receipt, lambda: make_facts(request(subject=OUR_TAGGED, body="Your message matters to us.",
                                                     headers={"In-Reply-To": "<ack-1@council.example>"}), case=OPEN),
     "keeps In-Reply-To, and says something: the chain's message-id threading answers it once"),
    (answers_our_receipt, lambda: make_facts(request(subject=OUR_TAGGED, body="My address is 1 High St."), case=HELD),
     "a held request: what completes it is for the held-case links"),
    (own_mailbox, lambda: make_facts(settings=JudgeSettings(mailbox="foi@council.example")), "another sender"),
    (own_mailbox, lambda: make_facts(request(sender="foi@council.example")), "no mailbox configured"),
    (loop_token, lambda: make_facts(request(headers={"X-Loop": "other-bot"}), settings=JudgeSettings(loop_token="mb-1")),
     "somebody else's X-Loop"),
    (loop_token, lambda: make_facts(request(headers={"X-Loop": "mb-1"})), "no token configured"),
    (delivery_report, lambda: make_facts(), "a person's mail"),
    (bounce_sender, lambda: make_facts(request(subject="Undeliverable bins: Request 1")),
     "a delivery-failure subject from a person, with no failure report"),
    (daemon_envelope, lambda: with_headers(Return_Path="<person1@example.org>"), "a person's envelope"),
    (auto_submitted, lambda: with_headers(Auto_Submitted="no"), "'no' means a person sent it"),
    (auto_submitted, lambda: make_facts(), "no header"),
    (auto_submitted, lambda: with_headers(Auto_Submitted="auto-forwarded"), "a forward is forwarded-by-rule's"),
    (autoreply_headers, lambda: with_headers(Precedence="bulk"), "bulk is the bulk rule's"),
    (oof_subject, lambda: make_facts(request(subject="Office opening hours")), "an ordinary subject"),
    (oof_subject, lambda: make_facts(request(subject="Re: Out of office policy request")), "a person's reply"),
    (oof_subject, lambda: make_facts(request(subject="Absence management figures")), "no colon, more words"),
    (report_type, lambda: with_headers(Content_Type="multipart/report; report-type=delivery-status; boundary=b"),
     "a bounce is the delivery-report rule's"),
    (spam_verdict, lambda: with_headers(X_Spam_Status="No, score=-0.1", X_MS_Exchange_Organization_SCL="-1"),
     "a filter that said no"),
    (ses_bounce, lambda: make_facts(request(body='{"notificationType":"Complaint","complaint":{}}')),
     "a complaint is a report, not a failed delivery"),
    (sent_before, lambda: make_facts(request(subject="Fwd: Budget", sign_off="", body=(
        "Hi, I sent this to the wrong address, can you deal with it?\n\n---------- Forwarded message ---------\n"
        "From: Jo Bloggs <person1@example.org>\nDate: Tue, 3 Nov 2026 at 20:41\nSubject: Budget\n"
        "To: <info@elsewhere.example>\n\nPlease send the budget.")), settings=JudgeSettings(mailbox="foi@council.example")),
     "first sent to another body, not to us"),
    (third_party_data, lambda: make_facts(request(body="Please send the file you keep on me.")),
     "the sender's own data is subject access, not a third party's"),
    (ses_notification, lambda: make_facts(request(body="Please send the notification types you use.")),
     "words, not JSON"),
    (challenge_response, lambda: make_facts(request(subject="Re: please confirm you received my request")),
     "a person asking"),
    (foreign_loop, lambda: make_facts(request(headers={"X-Loop": "mailbot-1"}), settings=JudgeSettings(loop_token="mailbot-1")),
     "our own X-Loop is the loop-token rule's"),
    (list_software, lambda: with_headers(X_Mailer="Thunderbird"), "an ordinary mail client"),
    (campaign_headers, lambda: with_headers(X_Mailer="Microsoft Outlook 16.0"), "an ordinary mail client"),
    (system_name, lambda: make_facts(), "a person's name"),
    (quarantine_digest, lambda: make_facts(request(subject="Covid quarantine hotel costs")), "a request about quarantine"),
    (forwarded_by_rule, lambda: with_headers(Auto_Submitted="auto-replied"), "an auto-reply, not a forward"),
    (list_headers, lambda: with_headers(X_Listed="yes"), "not a List-* header"),
    (bulk_precedence, lambda: with_headers(Precedence="auto_reply"), "auto_reply is the autoreply rule's"),
    (null_sender, lambda: with_headers(Return_Path="<person1@example.org>"), "a real envelope sender"),
    (null_sender, lambda: make_facts(), "no Return-Path at all"),
    (robot_sender, lambda: make_facts(request(name="", sender="no-reply@portal.example.com",
                                              headers={"Reply-To": "jo@example.org"})),
     "a no-reply sender with a person's Reply-To"),
    (response_suppressed, lambda: with_headers(X_Auto_Response_Suppress="DR, RN"), "only reports suppressed"),
    (relayed_form, lambda: make_facts(), "plain mail"),
    (forwarded, lambda: make_facts(), "plain mail"),
    (daily_cap, lambda: make_facts(replies_today=9), "below the cap"),
    (daily_cap, lambda: make_facts(address=None, replies_today=99), "nobody to cap"),
    (threaded, lambda: make_facts(), "no case"),
    (answers_our_receipt, lambda: make_facts(answers_our=("acknowledgement",)), "answers an acknowledgement"),
    (acknowledges_receipt, lambda: make_facts(), "a request"),
    (acknowledges_receipt, lambda: make_facts(request(body=(
        "Thank you for your email. I have received your acknowledgement, reference 12/2024. Could you also "
        "send the 2022 figures?")), case=OPEN), "acknowledges, but asks for more"),
    (acknowledges_receipt, lambda: make_facts(request(body="Thanks, my full name is Jo Bloggs.", sign_off=""),
                                              case=HELD), "supplies what a held request lacks"),
    (acknowledges_receipt, lambda: make_facts(request(body="Thank you.", sign_off="Jo")), "thanks, but no case"),
    (forwarded_for_another, lambda: make_facts(), "plain mail"),
    (forwarded_for_another, lambda: make_facts(request(subject="Fwd: Budget", body=(
        "Resending.\n\n---------- Forwarded message ---------\nFrom: Jo Bloggs <person1@example.org>\n"
        "Date: Mon, 3 Apr 2023\nSubject: Budget\n\nPlease send the budget.")))
     , "the sender forwards their own mail"),
    (forwarded_for_another, lambda: make_facts(request(subject="RE: Budget", body=(
        "I meant 2022.\n\nFrom: Jane Smith <jane@example.net>\nSent: 03 April 2023\nTo: Jo\nSubject: Budget\n\n"
        "Which year?"))), "a reply quoting someone's mail"),
    (held_case, lambda: make_facts(case=OPEN), "the case is open"),
    (supplies_missing, lambda: make_facts(request(**SAM), case=HELD), "still no full name"),
    (supplies_missing, lambda: make_facts(case=OPEN), "nothing is held"),
    (asks_review, lambda: make_facts(), "no review words"),
    (clarification_reply, lambda: make_facts(case=OPEN), "no question outstanding"),
    (clarification_reply, lambda: make_facts(), "no case"),
    (looks_like_reply, lambda: make_facts(request(subject="Re: Request 1")), "a Re: subject on a new request"),
    (looks_like_reply, lambda: make_facts(request(headers={"In-Reply-To": "<x-1@elsewhere.example>"}),
                                          settings=JudgeSettings(mailbox="foi@council.example")),
     "a new request answering someone else's mail"),
    (looks_like_reply, lambda: make_facts(request(subject="Re: Request 1", body="> quoted"), case=OPEN),
     "it matched a case"),
    (regime, lambda: make_facts(regime_note=""), "no note, nothing to say"),
    (address, lambda: make_facts(address=None, address_source=None), "no address"),
    (no_address, lambda: make_facts(), "a person's address"),
    (full_name, lambda: make_facts(request(**SAM)), "a first name only"),
    (full_name, lambda: make_facts(name=None), "no name"),
    (name_not_required, lambda: make_facts(request(**SAM)), "FOI needs a name: missing-name speaks"),
    (name_not_required, lambda: make_facts(regime="eir"), "a full name was given"),
    (missing_name, lambda: make_facts(), "a full name"),
    (missing_name, lambda: make_facts(request(**SAM), regime="eir"), "the EIR need none"),
    (missing_name, lambda: make_facts(name=None, regime="sar"), "subject access needs none"),
    (name_conflict, lambda: make_facts(findings=(finding("Jo Bloggs", "statement"), finding("Joanne Bloggs", "sign-off"))),
     "compatible names"),
    (name_conflict, lambda: make_facts(findings=(finding("Jo Bloggs", "statement"),
                                                 finding("Acme Ltd", "sign-off", organisation=True))),
     "an organisation is not a second person"),
    (pseudonym, lambda: make_facts(), "a real-looking name"),
    (pseudonym, lambda: make_facts(findings=(finding("Mickey Mouse", "display name", full=False, pseudonym=True),
                                             finding("Jo Bloggs", "sign-off")),
                                   name=finding("Mickey Mouse", "display name", full=False, pseudonym=True)),
     "a full name beside the pseudonym"),
    (reads_like_request, lambda: make_facts(request(body="Thank you for the budget figures you sent last week.")),
     "thanks, no question"),
    (reads_like_request, lambda: make_facts(described=False), "nothing described"),
    (missing_description, lambda: make_facts(), "a described request"),
    (asks_information, lambda: make_facts(request(body="Please collect my bin, it was missed.")), "a service"),
    (asks_action, lambda: make_facts(request(body="How many complaints about officers were upheld in 2023?")),
     "asks about complaints, does not make one"),
    (asks_action, lambda: make_facts(), "a request"),
    (sales_pitch, lambda: make_facts(request(body="Which companies supply your software? Our platform is cheaper.")),
     "one weak sign alone"),
    (phishing, lambda: make_facts(request(body="How many phishing emails did the IT service desk log in 2023?")),
     "a request about phishing: one weak sign alone"),
    (calendar_invitation, lambda: with_msg(attachments=(PDF,)), "a PDF"),
    (request_attached, lambda: with_files(request(subject="Letter", body="My letter is attached.", sign_off=""), PDF),
     "a file with no word of a request: bare-attachment's"),
    (request_attached, lambda: with_files(request(subject="FOI request", body=(
        "Please find attached my request. In short, I am asking for the number of CCTV cameras the council runs."),
        sign_off=""), PDF), "the cover note describes the information itself"),
    (request_attached, lambda: make_facts(request(subject="FOI request", body=(
        "How many CCTV cameras does the council run? The 2024 figures are at https://drive.google.com/file/d/9x/view"))),
     "a link beside a request written out"),
    (two_laws, lambda: make_facts(request(body="Please tell me how many times my data was shared with the police.")),
     "a question about the writer's own data"),
    (two_laws, lambda: make_facts(request(body=(
        "Since my mum passed away I keep receiving letters addressed to her. Separately, please send me all the "
        "information you hold about me."))), "a death mentioned as context: only the writer's own data is asked for"),
    (two_laws, lambda: make_facts(request(body="How many subject access requests did you receive in 2025?")),
     "statistics about subject access, not subject access"),
    (member_enquiry, lambda: make_facts(request(name="Cllr Anita Desai", body=(
        "Under the Freedom of Information Act, please provide the council's spend on consultants."))),
     "a councillor asking for themselves says nothing of a constituent"),
    (member_enquiry, lambda: make_facts(request(body="How many constituency offices does the MP rent from you?")),
     "a request about constituencies"),
    (asks_about_address, lambda: make_facts(request(body=(
        "I sent my request to foi@council.example last week. How many parking fines were issued in 2025?")),
        settings=JudgeSettings(mailbox="foi@council.example")),
     "our address mentioned, not asked about"),
    (asks_about_address, lambda: make_facts(request(body="Is foi@council.example the right address?")),
     "no mailbox set"),
    (member_enquiry, lambda: make_facts(request(body="As Ms Smith said, how many bins were collected in 2025?")),
     "a title in a sentence is not a member's role"),
    (copied_to_us, lambda: make_facts(request(headers={"Cc": "housing@council.example"}),
                                      settings=JudgeSettings(mailbox="foi@council.example")),
     "written to us, another team copied"),
    (copied_to_us, lambda: make_facts(request(to="housing@council.example", headers={"Cc": "foi@council.example"})),
     "no mailbox set"),
    (away_text, lambda: make_facts(request(body="How many days was the Mayor away from the office in 2025?")),
     "a request about absence"),
    (away_text, lambda: make_facts(request(body="I am away until Monday. " + "Please send me the gritting budget "
                                                "for each year from 2015 to 2025, by ward and by route. " * 4)),
     "a long text that happens to open with absence"),
    (sar_by_agent, lambda: make_facts(request(body="Please send me all the personal data you hold about me.")),
     "the data subject writes for themselves"),
    (sar_by_agent, lambda: make_facts(request(name="Ann Lee via Neighbours Group",
                                              body="How many noise complaints were made in 2025?")),
     "an FOI request sent through a group: anyone may ask under FOIA"),
    (system_notice, lambda: make_facts(request(sender="no-reply@forms.example.com", body=(
        "This is an automated message from the website.\nName: Ann Lee\nRequest: How many parking fines in 2025?"))),
     "a web form labels its fields: a person's words"),
    (system_notice, lambda: make_facts(request(body="How many automated number plate cameras do you run?")),
     "a request that mentions automation"),
    (asks_information, lambda: make_facts(request(body="Thank you for the figures you sent last week.")),
     "information thanked for, not asked for"),
    (asks_information, lambda: make_facts(request(body="The data you provided was very helpful.")),
     "information already given"),
    (form_response, lambda: make_facts(request(body="How many responses did the council's budget survey get?")),
     "a request about responses to a survey"),
    (regulator_casework, lambda: make_facts(request(body=(
        "How many complaints about the council has the Information Commissioner upheld since 2020?"))),
     "a request about the regulator's decisions"),
    (recall, lambda: make_facts(request(body="Please tell me how many product recalls trading standards handled.")),
     "a request about recalls"),
    (secure_message, lambda: make_facts(request(body="How many secure emails did the council send in 2025?")),
     "a request about secure email"),
    (test_message, lambda: make_facts(request(subject="Test results", body="How many drug tests failed in 2023?")),
     "asks about tests"),
    (test_message, lambda: make_facts(request(subject="Test Valley", body="")), "a place named Test"),
    (bare_attachment, lambda: with_msg(attachments=(PDF,)), "a request written out, with a file besides"),
    (bare_attachment, lambda: with_files(request(body="Please send the 2023 budget."), PDF),
     "a short request of its own, with a file besides"),
    (bare_attachment, lambda: make_facts(request(body="", sign_off="")), "nothing attached"),
    (own_domain, lambda: make_facts(request(sender="jo@notcouncil.example"), settings=OWN), "another domain"),
    (own_domain, lambda: make_facts(request(sender="forms@council.example", headers={"Reply-To": "jo@example.org"}),
                                    settings=OWN), "relays an outsider who is answered at their own address"),
    (own_domain, lambda: make_facts(request(sender="jo@council.example")), "no own domains set"),
    (subscriber_notice, lambda: make_facts(request(body=(
        "How many people unsubscribed from the council's newsletter in 2025?\n\nUnsubscribe | Manage preferences"))),
     "a question about a newsletter, and a bare unsubscribe line (a campaign tool's request has one too)"),
    (crime_disclosure, lambda: make_facts(request(body=(
        "How many requests under Schedule 2, Part 1, paragraph 2 of the Data Protection Act 2018 did the police "
        "make to you in 2025?"))), "asks how many such requests were made: an FOI question"),
    (asks_for_credentials, lambda: make_facts(request(body=(
        "How many staff fell for the phishing email asking them to sign in with your Microsoft password?"))),
     "a question about phishing, not the ask itself"),
]


def case_id(case: tuple[ModuleType, Build, str]) -> str:
    return case[0].NAME


@pytest.mark.parametrize(("rule", "build", "reason"), HITS, ids=[case_id(c) for c in HITS])
def test_rule_hits_with_its_reason(rule: ModuleType, build: Build, reason: str) -> None:
    assert rule.check(build()) == reason


@pytest.mark.parametrize(("rule", "build", "why"), MISSES, ids=[f"{c[0].NAME}: {c[2]}" for c in MISSES])
def test_rule_stays_silent(rule: ModuleType, build: Build, why: str) -> None:
    assert not rule.check(build()), why


def test_the_chain_sees_what_each_rule_says_on_its_own() -> None:
    """`evaluate` (what the judge runs) reports each rule's own reason under its name, in RULES order."""
    for rule, build, reason in HITS:
        facts = build()
        hits = rules.evaluate(facts)
        assert hits[rule.NAME] == reason
        assert list(hits) == [r.NAME for r in rules.RULES if r.NAME in hits]
        assert rule.NAME not in rules.evaluate(facts, disabled=frozenset({rule.NAME}))


def rule_modules() -> set[str]:
    return {info.name for info in pkgutil.iter_modules(rules.__path__)}


def test_every_rule_module_is_in_the_chain_and_in_both_tables() -> None:
    modules = rule_modules()
    assert len(modules) == len(rules.RULES) == len(rules.BY_NAME)
    assert {rule.__name__.rsplit(".", 1)[1] for rule in rules.RULES} == modules
    for table in (HITS, MISSES):
        assert {rule.__name__.rsplit(".", 1)[1] for rule, _, _ in table} == modules


def test_inbound_is_the_request_parsed() -> None:
    msg = inbound(3, name="Sam", subject="Bins")
    assert (msg.sender, msg.display_name, msg.subject, msg.message_id) == (
        "person3@example.org", "Sam", "Bins", "<req-3@example.org>")
    assert msg.text.rstrip().endswith("Yours faithfully,\nSam")
