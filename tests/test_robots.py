"""Robot mail in the formats real systems send (issue 13): bounces from many MTAs, machine reports, quarantine
digests, auto-replies in many languages, challenge-response robots, list and campaign mail, spam verdicts, Amazon
SES notices, robot senders and system names. Each is recorded and never answered, with a reason staff can read;
a person's mail that only a forwarding rule touched is registered for staff. People's look-alikes stay people's.
"""

from __future__ import annotations

import pytest
from test_judge import ListIndex

from mailbot.judging.decision import CaseRef, Decision
from mailbot.judging.judge import judge
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.values import CaseStatus, Regime
from mailbot.mail.parse import parse_message

SETTINGS = JudgeSettings(mailbox="foi@council.example", loop_token="mailbot foi@council.example")
REQUEST = "Please send me the number of potholes repaired in Leeds in 2024, by month.\n\nYours sincerely,\nJo Bloggs"


def eml(head: str, body: str = "Thank you for your message.", ctype: str = "text/plain; charset=utf-8") -> bytes:
    """Header lines (without To, Message-ID, MIME-Version, Content-Type), then the body; CRLF as on the wire."""
    text = (f"{head.strip()}\nTo: foi@council.example\nMessage-ID: <{abs(hash(head + body))}@mail.example.net>\n"
            f"MIME-Version: 1.0\nContent-Type: {ctype}\n\n{body}\n")
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def report(head: str, report_type: str, text: str, machine_type: str, machine: str, returned: str = "") -> bytes:
    """RFC 6522 multipart/report: the human part, the machine part, and the returned headers."""
    body = (f"--R\nContent-Type: text/plain; charset=us-ascii\n\n{text}\n"
            f"--R\nContent-Type: {machine_type}\n\n{machine}\n"
            f"--R\nContent-Type: text/rfc822-headers\n\n{returned or 'From: foi@council.example'}\n"
            "Message-ID: <ack-7@council.example>\nSubject: Your request\n--R--")
    return eml(head, body, f'multipart/report; report-type={report_type}; boundary="R"')


def decide(raw: bytes, index: ListIndex | None = None) -> Decision:
    return judge(parse_message(raw), index, SETTINGS)


DSN = "Reporting-MTA: dns; {mta}\n\nFinal-Recipient: rfc822; {rcpt}\nAction: {action}\nStatus: {status}\n"
BOUNCES = {
    "gmail": report("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
                    "Subject: Delivery Status Notification (Failure)", "delivery-status",
                    "Address not found\n\nYour message wasn't delivered to jo@example.com because the address "
                    "couldn't be found.", "message/delivery-status",
                    DSN.format(mta="mx.google.com", rcpt="jo@example.com", action="failed", status="5.1.1")),
    "postfix": report("From: MAILER-DAEMON@mail.example.org (Mail Delivery System)\n"
                      "Subject: Undelivered Mail Returned to Sender", "delivery-status",
                      "This is the mail system at host mail.example.org.\n\nI'm sorry to have to inform you that "
                      "your message could not\nbe delivered to one or more recipients.", "message/delivery-status",
                      DSN.format(mta="mail.example.org", rcpt="jo@example.com", action="failed", status="5.1.1")),
    "outlook.com": report("From: postmaster@outlook.com\nSubject: Undeliverable: Your request", "delivery-status",
                          "Delivery has failed to these recipients or groups:\n\njo@example.com\nThe email "
                          "address you entered couldn't be found.", "message/delivery-status",
                          DSN.format(mta="dns;AM0PR01MB1234.eurprd01.prod.outlook.com", rcpt="jo@example.com",
                                     action="failed", status="5.1.10")),
    "exchange-delayed": report("From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e"
                               "@council.example>\nSubject: Delivery delayed:Your request", "delivery-status",
                               "Delivery is delayed to these recipients or groups:", "message/delivery-status",
                               DSN.format(mta="mx.council.example", rcpt="jo@example.com", action="delayed",
                                          status="4.4.7")),
    "sendmail": report("From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.edu>\n"
                       "Subject: Returned mail: see transcript for details", "delivery-status",
                       "The original message was received at Mon, 3 Jun 2024 10:00:00 +0100\n\n"
                       "   ----- The following addresses had permanent fatal errors -----\n<jo@example.edu>",
                       "message/delivery-status",
                       DSN.format(mta="relay.example.edu", rcpt="jo@example.edu", action="failed", status="5.1.1")),
    "exim": eml("From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n"
                "Subject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: jo@example.net\n"
                "Auto-Submitted: auto-replied",
                "This message was created automatically by mail delivery software.\n\nA message that you sent "
                "could not be delivered to one or more of its\nrecipients. This is a permanent error. The "
                "following address(es) failed:\n\n  jo@example.net\n    mailbox is full"),
    "qmail": eml("From: MAILER-DAEMON@mx.example.com\nReturn-Path: <>\nSubject: failure notice",
                 "Hi. This is the qmail-send program at mx.example.com.\nI'm afraid I wasn't able to deliver your "
                 "message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't "
                 "work out.\n\n<jo@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n"),
    "yahoo": eml("From: MAILER-DAEMON@yahoo.com\nSubject: Failure Notice",
                 "Sorry, we were unable to deliver your message to the following address.\n\n<jo@yahoo.com>:\n"
                 "554: delivery error: dd This user doesn't have a yahoo.com account (jo@yahoo.com) [0] - "
                 "mta1234.mail.ir2.yahoo.com\n"),
    "lotus-notes": eml("From: Postmaster@notes.example.co.uk\nSubject: DELIVERY FAILURE: User Jo Bloggs "
                       "(jo.bloggs@example.co.uk) not listed in Domino Directory",
                       "Your message\n\n  Subject: Your request\n\nwas not delivered to:\n\n  "
                       "jo.bloggs@example.co.uk\n\nbecause:\n\n  User Jo Bloggs (jo.bloggs@example.co.uk) not "
                       "listed in Domino Directory\n"),
    "daemon-with-empty-address": eml("From: MAILER-DAEMON <>\nSubject: Warning: could not send message",
                                     "The message below has not yet been delivered to jo@example.org."),
    "daemon-envelope": eml("From: mail@gateway.example.org\nReturn-Path: <MAILER-DAEMON@gateway.example.org>\n"
                           "Subject: Notice", "Your message to jo@example.org was rejected by the gateway."),
    "exchange-ndr-marker": eml("From: Council Mail <mail@council.example>\nSubject: Not delivered\n"
                               "X-MS-Exchange-Message-Is-Ndr:", "Your message couldn't be delivered to jo@example.org."),
    "post_master": eml("From: post_master@example.fr\nSubject: Message non remis",
                       "Votre message n'a pas pu être remis à jo@example.fr."),
}


@pytest.mark.parametrize("name", sorted(BOUNCES))
def test_bounces_from_many_systems_are_recorded_never_answered(name: str) -> None:
    decision = decide(BOUNCES[name])
    assert (decision.kind, decision.action) == ("bounce", "none"), decision.reasons
    assert decision.reasons[-1].startswith(("bounce:", "daemon-envelope:"))


@pytest.mark.parametrize(("name", "recipient", "permanent"), [
    ("gmail", "jo@example.com", True), ("exchange-delayed", "jo@example.com", False),
    ("exim", "jo@example.net", True), ("qmail", "jo@example.com", True), ("yahoo", "jo@yahoo.com", True),
])
def test_bounces_name_who_failed_and_whether_for_good(name: str, recipient: str, permanent: bool) -> None:
    details = decide(BOUNCES[name]).details
    assert recipient in details["failed_recipients"] and details["permanent"] is permanent


ARF = ("Feedback-Type: abuse\nUser-Agent: {agent}\nVersion: 1\nOriginal-Mail-From: <foi@council.example>\n"
       "Arrival-Date: Mon, 3 Jun 2024 10:00:00 +0000\nSource-IP: 192.0.2.1\nReported-Domain: council.example\n")
ZIP = "UEsDBBQAAAAIAA=="
REPORTS = {
    "arf-yahoo": report("From: Yahoo! Mail AntiSpam Feedback <feedback@arf.mail.yahoo.com>\n"
                        "Subject: FW: Your request", "feedback-report",
                        "This is an email abuse report for an email message received from IP 192.0.2.1.",
                        "message/feedback-report", ARF.format(agent="Yahoo!-Mail-Feedback/2.0")),
    "arf-rackspace": report("From: Rackspace FBL Service <fbl@rackspace.com>\nSubject: Email Feedback Report for "
                            "IP 192.0.2.1", "feedback-report", "A user has reported this message as spam.",
                            "message/feedback-report", ARF.format(agent="Rackspace-FBL/1.0")),
    "opendmarc-forensic": report("From: OpenDMARC Filter <opendmarc@mx.example.org>\nSubject: FAILURE REPORT for "
                                 "council.example from 192.0.2.1", "feedback-report",
                                 "This is an authentication failure report for an email message received from "
                                 "IP 192.0.2.1.", "message/feedback-report",
                                 ARF.format(agent="OpenDMARC-Filter/1.4.2").replace("abuse", "auth-failure")),
    "read-receipt-thunderbird": report("From: Jo Bloggs <jo@example.org>\nSubject: Return Receipt (displayed) - "
                                       "Your request", "disposition-notification",
                                       "This is a Return Receipt for the mail that you sent to jo@example.org.",
                                       "message/disposition-notification",
                                       "Reporting-UA: example.org; Thunderbird 115.0\nFinal-Recipient: rfc822;"
                                       "jo@example.org\nOriginal-Message-ID: <ack-7@council.example>\n"
                                       "Disposition: manual-action/MDN-sent-manually; displayed"),
    "read-receipt-outlook": eml("From: Jo Bloggs <jo@example.org>\nSubject: Read: Your request",
                                "Your message\n\n  To: Jo Bloggs\n  Subject: Your request\n  Sent: 03 June 2024\n\n"
                                "was read on 03 June 2024 11:02:13 (UTC+00:00) Dublin, London."),
    "read-receipt-french": eml("From: Jeanne Dupont <jeanne@example.fr>\nSubject: Lu : Votre demande",
                               "Votre message a été lu le lundi 3 juin 2024 11:02:13."),
    "read-receipt-german": eml("From: Hans Müller <hans@example.de>\nSubject: Gelesen: Ihre Anfrage",
                               "Ihre Nachricht wurde am Montag, 3. Juni 2024 11:02:13 gelesen."),
    "read-receipt-spanish": eml("From: Ana García <ana@example.es>\nSubject: Leído: Su solicitud",
                                "Su mensaje fue leído el lunes, 3 de junio de 2024 11:02:13."),
    "dmarc-google": eml("From: noreply-dmarc-support@google.com\nSubject: Report domain: council.example "
                        "Submitter: google.com Report-ID: 9876543210987654321",
                        f'--Z\nContent-Type: text/plain\n\n\n--Z\nContent-Type: application/zip; name="google.com!'
                        f'council.example!1717372800!1717459199.zip"\nContent-Disposition: attachment; filename="'
                        f'google.com!council.example!1717372800!1717459199.zip"\nContent-Transfer-Encoding: base64\n'
                        f"\n{ZIP}\n--Z--", 'multipart/mixed; boundary="Z"'),
    "dmarc-microsoft": eml("From: DMARC Aggregate Report <dmarcreport@microsoft.com>\nSubject: [Preview] Report "
                           "Domain: council.example Submitter: protection.outlook.com Report-ID: <a1b2c3>",
                           f'--Z\nContent-Type: text/plain\n\nThis is a DMARC aggregate report from Microsoft '
                           f'Corporation.\n--Z\nContent-Type: application/gzip\nContent-Disposition: attachment; '
                           f'filename="protection.outlook.com!council.example!1717372800!1717459200.xml.gz"\n'
                           f"Content-Transfer-Encoding: base64\n\n{ZIP}\n--Z--", 'multipart/mixed; boundary="Z"'),
    "tls-report": report("From: noreply-smtp-tls-reporting@google.com\nTLS-Report-Domain: council.example\n"
                         "TLS-Report-Submitter: google.com\nSubject: Report Domain: council.example Submitter: "
                         "google.com Report-ID: <2024.06.03T00.00.00Z+council.example@google.com>", "tlsrpt",
                         "This is an aggregate TLS report from google.com", "application/tlsrpt+gzip", ZIP),
    "jmrp-hotmail": eml("From: staff@hotmail.com\nSubject: complaint about message from 192.0.2.1",
                        "--J\nContent-Type: message/rfc822\n\nFrom: foi@council.example\nTo: jo@hotmail.com\n"
                        "Subject: Your request\n\nDear Jo\n--J--", 'multipart/mixed; boundary="J"'),
    "barracuda-digest": eml("From: Barracuda Email Security Service <quarantine@barracuda.example.com>\n"
                            "Subject: Barracuda Message Center Quarantine Summary for foi@council.example",
                            "The following messages have been quarantined since your last summary."),
    "mimecast-digest": eml("From: Mimecast <postmaster-digest@eu.mimecast.example>\nSubject: Hold For Review "
                           "Digest for foi@council.example", "You have 4 messages on hold for review."),
    "proofpoint-digest": eml("From: Proofpoint Essentials <noreply@proofpointessentials.example>\n"
                             "Subject: End User Digest: 3 New Messages", "You have 3 new messages in your "
                             "quarantine. Release | Safelist | Blocklist"),
    "microsoft-365-digest": eml("From: Microsoft 365 Message center <quarantine@messaging.microsoft.com>\n"
                                "Subject: Microsoft 365 security: You have messages in quarantine",
                                "Review these messages within 15 days of receipt."),
    "sophos-digest": eml("From: Sophos Central <do-not-reply@central.sophos.example>\nSubject: Quarantine "
                         "Summary: 2 messages", "Messages held for you since the last summary."),
}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_machine_reports_and_quarantine_digests_are_auto_replies_never_answered(name: str) -> None:
    decision = decide(REPORTS[name])
    assert (decision.kind, decision.action) == ("auto_reply", "none"), decision.reasons
    assert decision.valid is None and decision.applicant_name is None


SES = ('{"notificationType":"%s","mail":{"timestamp":"2024-06-03T10:00:00.000Z","source":"news@shop.example",'
       '"destination":["foi@council.example"]},"%s":{"feedbackId":"0102018f"}}')
SPAM = {
    "spamassassin-flag": eml("From: IT Service Desk <helpdesk@it-support.example>\nSubject: Confirm your password\n"
                             "X-Spam-Flag: YES\nX-Spam-Status: Yes, score=9.1 required=5.0",
                             "Your mailbox is full. Confirm your password within 24 hours to keep your account."),
    "spamassassin-status": eml("From: Dr Mark Obi <mark.obi@example.ng>\nSubject: Business proposal\n"
                               "X-Spam-Status: Yes, score=12.3 required=5.0 tests=ADVANCE_FEE_4_NEW",
                               "I am writing to request your assistance with a transfer of funds."),
    "exchange-scl": eml("From: Winner <lottery@prize.example>\nSubject: You have won\n"
                        "X-MS-Exchange-Organization-SCL: 9", "Send your bank details to claim the prize."),
    "forefront": eml("From: Offers <offers@cheap.example>\nSubject: Request for quote\nX-Forefront-Antispam-Report: "
                     "CIP:192.0.2.1;CTRY:US;LANG:en;SCL:6;SRV:;IPV:NLI;SFV:SPM;", "Please send us a quote."),
    "barracuda": eml("From: Sales <sales@leads.example>\nSubject: Information request\nX-Barracuda-Spam-Status: "
                     "Yes, SCORE=7.20 using global scores of TAG_LEVEL=3.5", "Please send your price list."),
}


@pytest.mark.parametrize("name", sorted(SPAM))
def test_spam_is_spam_never_answered(name: str) -> None:
    decision = decide(SPAM[name])
    assert (decision.kind, decision.action) == ("spam", "none"), decision.reasons
    assert any(r.startswith("spam-verdict:") for r in decision.reasons)


# An SES failure is a bounce; its other events (complaints, deliveries) are reports. Neither is spam.
SES_NOTICES = {
    "ses-bounce": eml("From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message",
                      SES % ("Bounce", "bounce")),
    "ses-complaint": eml("From: Shop <alerts@shop.example>\nSubject: Complaint", SES % ("Complaint", "complaint")),
    "ses-delivery-in-sns": eml("From: AWS Notifications <no-reply@sns.amazonaws.com>\nSubject: AWS Notification",
                               '{\n  "Type" : "Notification",\n  "MessageId" : "22b80b92",\n  "TopicArn" : '
                               '"arn:aws:sns:eu-west-2:123456789012:ses-events",\n  "Message" : "{\\"notificationType'
                               '\\":\\"Delivery\\",\\"mail\\":{}}"\n}'),
}
SES_KINDS = {"ses-bounce": ("bounce", "ses-bounce:"), "ses-complaint": ("auto_reply", "ses-notification:"),
             "ses-delivery-in-sns": ("auto_reply", "ses-notification:")}


@pytest.mark.parametrize("name", sorted(SES_NOTICES))
def test_ses_notifications_are_bounces_or_reports_never_answered(name: str) -> None:
    decision = decide(SES_NOTICES[name])
    kind, reason = SES_KINDS[name]
    assert (decision.kind, decision.action) == (kind, "none"), decision.reasons
    assert any(r.startswith(reason) for r in decision.reasons)


@pytest.mark.parametrize("headers", ["X-Spam-Flag: NO\nX-Spam-Status: No, score=-1.2 required=5.0",
                                     "X-MS-Exchange-Organization-SCL: -1",
                                     "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:1;SFV:NSPM;"])
def test_a_persons_request_that_filters_passed_is_acknowledged(headers: str) -> None:
    decision = decide(eml(f"From: Jo Bloggs <jo@example.org>\nSubject: Potholes\n{headers}", REQUEST))
    assert (decision.kind, decision.action) == ("request", "acknowledge"), decision.reasons


def test_a_request_about_quarantine_or_dmarc_is_a_request() -> None:
    for subject in ("Covid quarantine hotel costs", "DMARC report handling policy"):
        decision = decide(eml(f"From: Jo Bloggs <jo@example.org>\nSubject: {subject}", REQUEST))
        assert (decision.kind, decision.action) == ("request", "acknowledge"), (subject, decision.reasons)


def test_a_bounce_of_our_reply_is_linked_to_its_enquiry() -> None:
    enquiry = CaseRef(case_id=4, status=CaseStatus.OPEN, regime=Regime.FOI, reference="12/2026")
    decision = decide(BOUNCES["postfix"], ListIndex(by_id={"<ack-7@council.example>": enquiry}))
    assert decision.kind == "bounce" and decision.case == enquiry
