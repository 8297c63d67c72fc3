"""Issue 14: the bot as a backscatter amplifier, and the loops its caps only slowed. Each attack is reproduced, then
shown refused: floods and loops through the real servers (Dovecot → bot → aiosmtpd), the pure logic through the
judge and its readers with hand-made input.

Authentication-Results headers are written exactly as Exchange Online, Gmail and a Postfix gateway (OpenDKIM,
OpenDMARC) write them; a header from any other server is a forger's and is ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from servers import DovecotAccount, SmtpSink
from sqlalchemy import select

from mailbot.judging.decision import CaseRef
from mailbot.judging.judge import judge
from mailbot.judging.readers.authentication import sender_authentication
from mailbot.judging.readers.references import ReferenceKey
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.threads import EmptyIndex
from mailbot.judging.values import Action, CaseStatus, Kind, Regime, StaffNotice
from mailbot.mail.authresults import parse_authentication_results
from mailbot.mail.echo import echo_subject
from mailbot.mail.mailbox_key import mailbox_key
from mailbot.mail.parse import parse_message
from mailbot.store.models import Case, Decision
from mailbot.testing.bots import BotFactory
from mailbot.testing.clock import ManualClock
from mailbot.testing.floods import SPAM_SUBJECT, flood, forged_request, victim
from mailbot.testing.messages import request
from mailbot.testing.moments import WHEN

MAILBOX = "foi@council.example"
STAFF = "ir-team@council.example"
GATEWAY = "mx.council.example"

# Exchange Online: no authserv-id at all.
EXO_PASS = ("spf=pass (sender IP is 40.107.22.51) smtp.mailfrom=example.org; dkim=pass (signature was verified) "
            "header.d=example.org;dmarc=pass action=none header.from=example.org;compauth=pass reason=100")
EXO_FAIL = ("spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=example.org; dkim=none (message not signed) "
            "header.d=none;dmarc=fail action=oreject header.from=example.org;compauth=fail reason=000")
EXO_NO_POLICY = ("spf=softfail (sender IP is 203.0.113.9) smtp.mailfrom=example.org; dkim=none (message not signed) "
                 "header.d=none;dmarc=none action=none header.from=example.org;compauth=fail reason=001")
EXO_BEST_GUESS = ("spf=pass (sender IP is 198.51.100.7) smtp.mailfrom=example.org; dkim=none (message not signed) "
                  "header.d=none;dmarc=bestguesspass action=none header.from=example.org;compauth=pass reason=109")
# Gmail (and Google Workspace): authserv-id mx.google.com, folded over lines.
GMAIL_PASS = ("mx.google.com;\r\n       dkim=pass header.i=@example.org header.s=s1 header.b=AbC123xy;\r\n"
              "       spf=pass (google.com: domain of jo@example.org designates 209.85.220.41 as permitted sender) "
              "smtp.mailfrom=jo@example.org;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.org")
GMAIL_FAIL = ("mx.google.com;\r\n       spf=softfail (google.com: domain of transitioning jo@example.org does not "
              "designate 203.0.113.9 as permitted sender) smtp.mailfrom=jo@example.org;\r\n"
              "       dmarc=fail (p=QUARANTINE sp=QUARANTINE dis=QUARANTINE) header.from=example.org")
# A Postfix gateway: OpenDKIM writes one header, then OpenDMARC another above it.
POSTFIX_DKIM_PASS = (f"{GATEWAY};\r\n\tdkim=pass (2048-bit key; unprotected) header.d=example.org "
                     "header.i=@example.org header.a=rsa-sha256 header.s=s1 header.b=AbCdEf12")
POSTFIX_DMARC_PASS = f"{GATEWAY}; dmarc=pass (p=reject dis=none) header.from=example.org"
POSTFIX_DMARC_FAIL = f"{GATEWAY}; dmarc=fail (p=reject dis=none) header.from=example.org"
POSTFIX_SPF_SOFTFAIL = f"{GATEWAY}; spf=softfail smtp.mailfrom=example.org"
FORGED_PASS = "mx.forger.example; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass"


# -- sender authentication: the readers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("headers", "trusted", "passed", "server"), [
    ((EXO_PASS,), ("exchange-online",), True, "exchange-online"),
    ((EXO_FAIL,), ("exchange-online",), False, "exchange-online"),
    ((EXO_NO_POLICY,), ("exchange-online",), False, "exchange-online"),
    ((EXO_BEST_GUESS,), ("exchange-online",), True, "exchange-online"),
    ((GMAIL_PASS,), ("mx.google.com",), True, "mx.google.com"),
    ((GMAIL_FAIL,), ("mx.google.com",), False, "mx.google.com"),
    ((POSTFIX_DMARC_PASS, POSTFIX_DKIM_PASS), (GATEWAY,), True, GATEWAY),
    ((POSTFIX_DMARC_FAIL, POSTFIX_DKIM_PASS), (GATEWAY,), False, GATEWAY),
    ((POSTFIX_SPF_SOFTFAIL,), (GATEWAY,), False, GATEWAY),  # no DMARC result, SPF fails and no DKIM
    ((f"{GATEWAY}; spf=pass smtp.mailfrom=bounces.example.org",), (GATEWAY,), True, GATEWAY),  # aligned subdomain
    ((f"{GATEWAY}; spf=pass smtp.mailfrom=attacker.example; dkim=pass header.d=attacker.example",), (GATEWAY,),
     False, GATEWAY),  # the forger's own domain passes, but it is not the From domain
    ((f"{GATEWAY} 1; none",), (GATEWAY,), None, GATEWAY),  # checked nothing: no verdict
], ids=["exchange-pass", "exchange-fail", "exchange-no-dmarc-policy", "exchange-bestguesspass", "gmail-pass",
        "gmail-fail", "postfix-pass", "postfix-dmarc-fail", "postfix-spf-softfail", "aligned-subdomain",
        "unaligned-passes", "none"])
def test_authentication_results_as_receiving_servers_write_them(
        headers: Sequence[str], trusted: tuple[str, ...], passed: bool | None, server: str) -> None:
    verdict = sender_authentication(headers, trusted, "jo@example.org")
    assert verdict is not None and (verdict.passed, verdict.server) == (passed, server), verdict


@pytest.mark.parametrize(("headers", "trusted", "why"), [
    ((FORGED_PASS,), (GATEWAY,), "the forger's own server"),
    ((EXO_FAIL,), (GATEWAY,), "no authserv-id, and Exchange Online is not trusted"),
    ((GMAIL_FAIL,), (), "nothing trusted: the header is not read"),
    ((f"{GATEWAY.upper()}.evil.example; dmarc=fail header.from=example.org",), (GATEWAY,), "a look-alike id"),
    ((FORGED_PASS, EXO_FAIL), ("exchange-online",), "Exchange Online's header is only ever the topmost"),
])
def test_forged_or_untrusted_headers_are_ignored(headers: Sequence[str], trusted: tuple[str, ...], why: str) -> None:
    assert sender_authentication(headers, trusted, "jo@example.org") is None, why


def test_a_forged_pass_below_the_servers_own_fail_is_never_read() -> None:
    forged = f"{GATEWAY}; dmarc=pass header.from=example.org; spf=pass smtp.mailfrom=example.org"
    verdict = sender_authentication((POSTFIX_DMARC_FAIL, forged), (GATEWAY,), "jo@example.org")
    assert verdict is not None and verdict.passed is False
    exchange = sender_authentication((EXO_FAIL, EXO_PASS), ("exchange-online",), "jo@example.org")
    assert exchange is not None and exchange.passed is False


@pytest.mark.parametrize("value", ["", ";;;", "(((", 'x; dkim=pass reason="a;b" header.d="example.org', "=" * 500,
                                   "spf", "mx; =pass", "mx; dkim=pass header.d=(comment) example.org"])
def test_the_reader_never_raises_on_malformed_headers(value: str) -> None:
    parse_authentication_results(value)  # tolerant: whatever a gateway or a forger writes


# -- sender authentication: the judge ---------------------------------------------------------------------------

def _judged(raw: bytes, settings: JudgeSettings) -> tuple[Action, str, tuple[str, ...]]:
    decision = judge(parse_message(raw), None, settings)
    return decision.action, decision.details["chain"], decision.reasons


def test_a_request_failing_dmarc_goes_to_staff_with_the_reason_and_a_passing_one_is_acknowledged() -> None:
    settings = JudgeSettings(mailbox=MAILBOX, trusted_authserv_ids=("mx.google.com",))
    forged = request(sender="jo@example.org", headers={"Authentication-Results": GMAIL_FAIL})
    action, chain, reasons = _judged(forged, settings)
    assert (action, chain) == (Action.STAFF_REVIEW, "unauthenticated")
    assert any("not authenticated by mx.google.com: dmarc=fail for example.org" in r for r in reasons)
    genuine = request(sender="jo@example.org", headers={"Authentication-Results": GMAIL_PASS})
    assert _judged(genuine, settings)[0] is Action.ACKNOWLEDGE
    # Before: the same forged mail, with no trusted server named, is acknowledged (the header is not read).
    assert _judged(forged, JudgeSettings(mailbox=MAILBOX))[0] is Action.ACKNOWLEDGE


def test_a_forged_header_claiming_a_fail_for_an_untrusted_server_changes_nothing() -> None:
    settings = JudgeSettings(mailbox=MAILBOX, trusted_authserv_ids=(GATEWAY,))
    raw = request(sender="jo@example.org", headers={"Authentication-Results": GMAIL_FAIL})
    assert _judged(raw, settings)[0] is Action.ACKNOWLEDGE


# -- caps an attacker cannot walk around ---------------------------------------------------------------------------

@pytest.mark.parametrize(("address", "key"), [
    ("Victim+1@Example.NET", "victim@example.net"), ("victim+a+b@example.net", "victim@example.net"),
    ("<VICTIM@example.net.>", "victim@example.net"), ("v.i.c.t.i.m+x@googlemail.com", "victim@gmail.com"),
    ("jo.bloggs@example.org", "jo.bloggs@example.org"), ("not an address", "not an address"),
])
def test_addresses_fold_to_the_mailbox_they_deliver_to(address: str, key: str) -> None:
    assert mailbox_key(address) == key


class CountingIndex(EmptyIndex):
    """What the store would count: replies per mailbox today and the mailbox's replies this hour."""

    def __init__(self, today: dict[str, int], hour: int = 0) -> None:
        self.today, self.hour = today, hour

    def replies_today(self, address: str) -> int:
        return self.today.get(address, 0)

    def replies_this_hour(self, up_to: int) -> int:
        return min(up_to, self.hour)


def test_the_daily_cap_counts_every_spelling_of_one_mailbox() -> None:
    index = CountingIndex({"victim0@example.net": 10})
    decision = judge(parse_message(forged_request(0, 7)), index, JudgeSettings(mailbox=MAILBOX))
    assert decision.details["chain"] == "daily-cap" and decision.staff_notice is StaffNotice.DAILY_CAP


def test_the_hourly_cap_holds_whoever_the_replies_go_to() -> None:
    settings = JudgeSettings(mailbox=MAILBOX, hourly_reply_cap=200)
    at_cap = judge(parse_message(request(sender="new.person@example.org")), CountingIndex({}, 200), settings)
    assert (at_cap.action, at_cap.details["chain"], at_cap.staff_notice) == (
        Action.STAFF_REVIEW, "hourly-cap", StaffNotice.HOURLY_CAP)
    below = judge(parse_message(request(sender="new.person@example.org")), CountingIndex({}, 199), settings)
    assert below.action is Action.ACKNOWLEDGE


@pytest.mark.parametrize(("subject", "echoed"), [
    (SPAM_SUBJECT, "Claim your refund now at hxxp://refunds[.]evil[.]example/claim?id=42 before Friday"),
    ("See www.evil.example now", "See www[.]evil[.]example now"),
    ("HTTPS://Evil.Example/x and mail x@evil.co.uk", "hxxps://Evil[.]Example/x and mail x@evil[.]co[.]uk"),
    ("Budget 2023 (see budget.pdf)", "Budget 2023 (see budget.pdf)"),
])
def test_echoed_subjects_carry_no_live_link(subject: str, echoed: str) -> None:
    assert echo_subject(subject) == echoed


def test_echoed_subjects_are_cut_to_a_sensible_length() -> None:
    echoed = echo_subject("Request for information about parking " * 10)
    assert len(echoed) <= 120 and echoed.endswith("…") and not echoed[:-1].endswith(" ")


# -- loops stop at the first turn (the judge) ----------------------------------------------------------------------

OPEN = CaseRef(case_id=7, status=CaseStatus.OPEN, regime=Regime.FOI, reference="13931/2026", applicant_name="Rob Otto")
TAGGED = "Re: Budget [Enquiry Ref: 13931/2026]"


class CaseIndex(EmptyIndex):
    """A store that knows one open case, found by its reference."""

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None:
        return OPEN if any(key.seq == 13931 for key in keys) else None


def _responder(body: str, subject: str = TAGGED, **headers: str) -> bytes:
    return request(sender="helpdesk@elsewhere.example", name="Helpdesk", subject=subject, body=body, sign_off="",
                   headers=headers)


@pytest.mark.parametrize("body", [
    "Your message matters to us. Our opening hours are 9 to 5.",  # drops In-Reply-To, keeps "Re: subject"
    "Thanks for your email.",
    "Thank you for your email. I am out of the office until Monday.",
])
def test_an_automatic_answer_to_our_acknowledgement_is_recorded_not_acknowledged(body: str) -> None:
    decision = judge(parse_message(_responder(body)), CaseIndex(), JudgeSettings(mailbox=MAILBOX))
    assert decision.action is Action.NONE and decision.details["chain"] in {"answer-to-our-receipt",
                                                                            "receipt-on-our-case"}


@pytest.mark.parametrize("body", [
    "Could you also send the 2022 figures for the same budget?\n\nRob Otto",  # asks
    "I have still not had a reply, and it is now June.",  # chases
    "I meant the 2021 budget, not the 2022 one.\n\nYours sincerely,\nRob Otto",  # signed by the applicant
])
def test_a_person_writing_on_the_same_thread_without_in_reply_to_is_still_acknowledged(body: str) -> None:
    decision = judge(parse_message(_responder(body)), CaseIndex(), JudgeSettings(mailbox=MAILBOX))
    assert decision.action is Action.ACKNOWLEDGE_FOLLOW_UP


def test_mail_quoting_our_acknowledgement_with_nothing_of_its_own_is_recorded() -> None:
    body = ("> Dear Rob Otto,\n> I acknowledge receipt of your request for information, received on 3 March.\n"
            "> Information Rights mailbox. Please keep the enquiry reference in the subject line.")
    raw = request(sender="crm@elsewhere.example", name="", subject="Budget", body=body, sign_off="")
    decision = judge(parse_message(raw), EmptyIndex(), JudgeSettings(mailbox=MAILBOX))
    assert decision.action is Action.NONE and decision.kind is not Kind.REQUEST


@pytest.mark.parametrize(("sender", "headers"), [
    ("FOI+loop@Council.Example", {}),
    ("victim@example.net", {"Reply-To": "foi@council.example"}),
    ("victim@example.net", {"Reply-To": "Foi+ack@COUNCIL.example"}),
])
def test_mail_from_or_answered_at_our_own_address_is_never_answered(sender: str, headers: dict[str, str]) -> None:
    decision = judge(parse_message(request(sender=sender, headers=headers)), None, JudgeSettings(mailbox=MAILBOX))
    assert (decision.action, decision.kind) == (Action.NONE, Kind.LOOP)


def test_mail_to_be_answered_at_a_colleagues_address_goes_to_staff() -> None:
    settings = JudgeSettings(mailbox=MAILBOX, own_domains=("council.example",))
    raw = request(sender="jo@example.org", headers={"Reply-To": "Anna.Smith@Council.Example"})
    decision = judge(parse_message(raw), None, settings)
    assert (decision.action, decision.kind) == (Action.STAFF_REVIEW, Kind.INTERNAL)


DIGEST_SUBJECT = "Test Council information rights digest, Thursday 28 March 2024: 0 due today, 0 overdue, 1 new"


@pytest.mark.parametrize(("subject", "body"), [
    (f"Automatic reply: {DIGEST_SUBJECT}", "I am out of the office until Monday. Please send requests to the team."),
    ("Away until Monday", ("I am away until Monday. Please send requests to the team.\n\n-----Original Message-----\n"
                   f"From: FOI <{MAILBOX}>\nSent: 28 March 2024 08:00\nSubject: {DIGEST_SUBJECT}\n\nNew\n"
                   "13931/2024 Please send the 2023 budget for parks.")),
])
def test_an_out_of_office_answering_the_digest_is_never_a_request(subject: str, body: str) -> None:
    raw = request(sender="anna.smith@shared-services.example", name="Anna Smith", subject=subject, body=body,
                  sign_off="")
    decision = judge(parse_message(raw), None, JudgeSettings(mailbox=MAILBOX))
    assert decision.action is Action.NONE and decision.kind is not Kind.REQUEST


# -- through the real servers -------------------------------------------------------------------------------------

def _per_mailbox(smtp_sink: SmtpSink) -> Counter[str]:
    return Counter(mailbox_key(address) for m in smtp_sink.messages for address in m.rcpt_tos)


def _chains(bot) -> list[str]:  # type: ignore[no-untyped-def]
    with bot.db.session() as session:
        return [d.facts.get("chain") for d in session.scalars(select(Decision).order_by(Decision.id))]


def test_a_forged_flood_in_one_victims_name_stops_at_the_daily_cap(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot({"rules": {"daily_reply_cap": 10}, "staff": {"recipients": [STAFF]}})
    for n, raw in enumerate(flood(1, 24)):  # victim0+1@…, VICTIM0+2@…, …: one real mailbox
        dovecot.append(raw, WHEN + timedelta(seconds=n))
    bot.cycle()
    sent = _per_mailbox(smtp_sink)
    assert sent[victim(0)] == 10  # before: 24, one per spelling of the address
    assert sent[STAFF] == 1  # staff are told once
    assert _chains(bot).count("daily-cap") == 14
    subjects = [m.message["Subject"] for m in smtp_sink.messages if STAFF not in m.rcpt_tos]
    assert all("http://" not in s and "hxxp://refunds[.]evil[.]example" in s for s in subjects)


def test_a_forged_flood_across_many_victims_stops_at_the_hourly_cap(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot({"rules": {"hourly_reply_cap": 15}, "staff": {"recipients": [STAFF]}})
    for n, raw in enumerate(flood(8, 5)):  # 40 forged requests in 8 victims' names
        dovecot.append(raw, WHEN + timedelta(seconds=n))
    bot.cycle()
    sent = _per_mailbox(smtp_sink)
    staff = sent.pop(STAFF, 0)
    assert sum(sent.values()) == 15  # before: 40
    assert staff == 1  # one alert for the hour, however many are held
    assert _chains(bot).count("hourly-cap") == 25
    for n, raw in enumerate(flood(8, 1)):  # more in the same hour: held too, and staff are not told again
        dovecot.append(raw.replace(b"<forged-", b"<again-"), WHEN + timedelta(minutes=5, seconds=n))
    bot.cycle()
    assert _per_mailbox(smtp_sink)[STAFF] == 1 and _chains(bot).count("hourly-cap") == 33


def test_a_backlog_that_arrived_over_hours_is_answered_whatever_the_hourly_cap(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    """After an outage the bot finds hours of mail at once: the cap counts by when mail arrived, not when the bot
    got to it, so real requests spread over four hours are all acknowledged while a flood in seconds is not."""
    bot = make_bot({"rules": {"hourly_reply_cap": 15}, "staff": {"recipients": [STAFF]}})
    for n in range(40):  # one every six minutes: at most ten in any hour
        dovecot.append(request(n + 1), WHEN + timedelta(minutes=6 * n))
    bot.cycle()
    sent = _per_mailbox(smtp_sink)
    assert STAFF not in sent and sum(sent.values()) == 40
    assert _chains(bot).count("hourly-cap") == 0


def test_forged_mail_failing_dmarc_at_our_gateway_gets_no_reply(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot({"rules": {"trusted_authserv_ids": [GATEWAY]}})
    fail = f"{GATEWAY}; spf=softfail smtp.mailfrom=attacker.example; dkim=none; dmarc=fail header.from=example.net"
    for n, raw in enumerate(flood(3, 2, authentication_results=fail)):
        dovecot.append(raw, WHEN + timedelta(seconds=n))
    genuine = request(sender="jo@example.org", headers={"Authentication-Results": POSTFIX_DMARC_PASS})
    dovecot.append(genuine, WHEN + timedelta(minutes=1))
    # A forger's own header, from a server we do not trust, claiming a pass, under our gateway's fail.
    smuggled = forged_request(9, 0, authentication_results=fail).replace(
        b"From:", f"Authentication-Results: {FORGED_PASS}\r\nFrom:".encode(), 1)
    dovecot.append(smuggled, WHEN + timedelta(minutes=2))
    bot.cycle()
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["jo@example.org"]]
    assert _chains(bot).count("unauthenticated") == 7
    with bot.db.session() as session:
        reasons = [r for d in session.scalars(select(Decision)) for r in d.reasons]
    assert any(r.startswith(f"fails-authentication: the From address is not authenticated by {GATEWAY}: dmarc=fail")
               for r in reasons)


@pytest.mark.parametrize("words", [
    "Your message matters to us. Our opening hours are 9 to 5.",
    "Thanks for your email.",
])
def test_an_auto_responder_that_drops_in_reply_to_gets_one_reply_only(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink, words: str) -> None:
    bot = make_bot()
    responder = "helpdesk@elsewhere.example"
    dovecot.append(request(sender=responder, name="Rob Otto", subject="Budget", tag="start"), WHEN)
    bot.cycle()
    answered = 0
    for round_ in range(5):
        new = smtp_sink.messages[answered:]
        answered = len(smtp_sink.messages)
        for sent in new:  # keeps "Re: subject", drops In-Reply-To and References, sends no robot header
            dovecot.append((f"From: Helpdesk <{responder}>\r\nTo: {MAILBOX}\r\nSubject: Re: {sent.message['Subject']}"
                            f"\r\nMessage-ID: <auto-{round_}@elsewhere.example>\r\n\r\n{words}\r\n").encode(),
                           WHEN + timedelta(minutes=round_ + 1))
        bot.cycle()
    assert len(smtp_sink.messages) == 1  # the acknowledgement of the real request; before: one more every round
    chains = _chains(bot)
    assert len(chains) == 2 and chains[1] in {"answer-to-our-receipt", "receipt-on-our-case"}  # recorded
    with bot.db.session() as session:
        assert len(list(session.scalars(select(Case)))) == 1  # no second enquiry opened


def test_reply_to_our_own_address_makes_the_bot_acknowledge_nothing(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    bot = make_bot()
    dovecot.append(request(sender="victim@example.net", headers={"Reply-To": "FOI+x@council.example"}), WHEN)
    bot.cycle()
    assert smtp_sink.messages == [] and _chains(bot) == ["loop"]


def test_an_out_of_office_answering_the_digest_opens_no_enquiry(
        make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink) -> None:
    outsider_staff = "anna.smith@shared-services.example"  # staff outside mailbox.own_domains
    clock = ManualClock(datetime(2024, 3, 28, 8, 0, tzinfo=UTC))
    bot = make_bot({"staff": {"recipients": [outsider_staff]}}, clock=clock)
    outcome = bot.digest_job()
    assert outcome is not None and outcome.issued
    digest = smtp_sink.messages[-1].message
    clock.advance(minutes=1)
    dovecot.append((f"From: Anna Smith <{outsider_staff}>\r\nTo: {MAILBOX}\r\n"
                    f"Subject: Automatic reply: {digest['Subject']}\r\nMessage-ID: <oof-1@shared-services.example>\r\n"
                    "\r\nI am out of the office until Monday. Please send any requests to the team.\r\n\r\n"
                    "Anna Smith\r\n").encode(), clock.now)
    bot.cycle()
    assert len(smtp_sink.messages) == 1  # only the digest itself
    with bot.db.session() as session:
        assert list(session.scalars(select(Case))) == []
        decision = session.scalars(select(Decision)).one()
    assert (decision.action, decision.kind) == ("none", "auto_reply")
