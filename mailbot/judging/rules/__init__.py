"""The rules: each a small module with a NAME, a DESCRIPTION, ROBOT and `check(facts) -> reason | None`.

In the spirit of GNU Mailman's rules, a rule only observes; what happens is decided by the chain (chain.py), an
ordered table over the names of the rules that hit. Any rule can be switched off by name (`rules.disabled`).

ROBOT plays the part of Mailman's `record`: a rule that speaks about robots, loops or threading says so, and only
such rules' reasons are listed for mail nobody will answer (a bounce's "no full name" would only mislead staff).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

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

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts


class Rule(Protocol):
    """What every rule module provides (a module satisfies a Protocol by its attributes)."""

    NAME: str
    DESCRIPTION: str
    ROBOT: bool  # its reason is worth listing for robot mail too

    def check(self, facts: Facts) -> str | None: ...


# Order is the order reasons are listed in: robots first, then threading, then the request itself.
RULES: tuple[Rule, ...] = (
    own_mailbox, loop_token, spam_verdict, ses_bounce, ses_notification, delivery_report, bounce_sender, report_type,
    quarantine_digest, auto_submitted, autoreply_headers, oof_subject, away_text, challenge_response, foreign_loop,
    list_headers, list_software, campaign_headers, bulk_precedence, subscriber_notice, daemon_envelope, null_sender,
    robot_sender, system_name, system_notice, fails_authentication, forwarded_by_rule, response_suppressed, phishing,
    asks_for_credentials, sales_pitch, relayed_form, forwarded, forwarded_for_another, sent_before, own_domain,
    daily_cap, hourly_cap, threaded, answers_our_receipt, acknowledges_receipt, held_case, supplies_missing,
    asks_review, clarification_reply, looks_like_reply, asks_action, asks_about_address, calendar_invitation, recall,
    regulator_casework, secure_message, form_response, test_message, bare_attachment, request_attached,
    asks_information, regime, address, no_address, full_name, name_not_required, missing_name, name_conflict,
    pseudonym, third_party_data, two_laws, sar_by_agent, member_enquiry, crime_disclosure, copied_to_us,
    reads_like_request, missing_description,
)
BY_NAME: dict[str, Rule] = {rule.NAME: rule for rule in RULES}
# The only reasons worth listing for mail nobody will answer, as each rule declares.
ROBOT_RULES = frozenset(rule.NAME for rule in RULES if rule.ROBOT)


def evaluate(facts: Facts, disabled: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every rule that hits, in order, with its reason."""
    hits: dict[str, str] = {}
    for rule in RULES:
        if rule.NAME in disabled:
            continue
        reason = rule.check(facts)
        if reason:
            hits[rule.NAME] = reason
    return hits
