"""The author's own words (mailbot.mail.owntext): quoted replies cut, and disclaimers and gateway banners dropped,
so that a public-sector disclaimer's "may be disclosed under the Freedom of Information Act" never reads as a
request, while a request that merely mentions confidentiality is kept whole."""

from __future__ import annotations

from mailbot.mail.owntext import own_text

DISCLAIMER = ("This email and any attachments are confidential and intended solely for the addressee. Emails may "
              "be monitored and may be disclosed under the Freedom of Information Act 2000.")
BANNER = ("CAUTION: This email originated from outside of the organisation. Do not click links or open attachments "
          "unless you recognise the sender.")


def test_a_disclaimer_paragraph_is_not_the_authors_words() -> None:
    text = f"Thanks for the call today.\n\nSarah\n\n{DISCLAIMER}\n"
    assert own_text(text) == "Thanks for the call today.\n\nSarah"


def test_an_external_sender_banner_above_the_request_is_dropped() -> None:
    text = f"{BANNER}\n\nHow many wasp nests were treated in 2025?\n\nAmira Haddad"
    assert own_text(text) == "How many wasp nests were treated in 2025?\n\nAmira Haddad"


def test_a_request_that_mentions_confidentiality_once_is_kept() -> None:
    text = "Please send me the confidential annex to the 2025 audit report, if it may be released.\n\nAnn Lee"
    assert own_text(text) == text


def test_quoted_text_is_still_cut_before_the_disclaimer_is_read() -> None:
    text = f"Thank you.\n\nOn Tue, 1 Dec 2026, FOI <foi@council.example.gov.uk> wrote:\n> {DISCLAIMER}"
    assert own_text(text) == "Thank you."
