"""What a mailbox may tune about judging, as one frozen value: the judge never reads configuration itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from mailbot.judging.readers.keywords import DEFAULT_EIR_KEYWORDS, DEFAULT_REVIEW_KEYWORDS, DEFAULT_SAR_KEYWORDS
from mailbot.judging.readers.pseudonyms import DEFAULT_PSEUDONYMS


@dataclass(frozen=True)
class JudgeSettings:
    mailbox: str | None = None
    loop_token: str | None = None
    own_domains: tuple[str, ...] = ()  # the authority's own mail domains (lower case); subdomains count
    reference_format: str = "{seq}/{year}"
    eir_keywords: tuple[str, ...] = DEFAULT_EIR_KEYWORDS
    sar_keywords: tuple[str, ...] = DEFAULT_SAR_KEYWORDS
    review_keywords: tuple[str, ...] = DEFAULT_REVIEW_KEYWORDS
    pseudonyms: tuple[str, ...] = DEFAULT_PSEUDONYMS
    accept_surname_only: bool = False
    name_must_be_in_body: bool = False
    min_description_words: int = 3
    daily_reply_cap: int = 10  # per mailbox a person reads (sub-addresses and case folded), per day
    hourly_reply_cap: int = 200  # automatic replies from this mailbox in any hour, to everyone together
    trusted_authserv_ids: tuple[str, ...] = ()  # whose Authentication-Results to believe (empty: none)
    disabled_rules: frozenset[str] = field(default_factory=frozenset)

    @property
    def mailbox_domain(self) -> str:
        """The domain of the mailbox's own address ("" when none is set): where compose.py makes our Message-IDs."""
        return (self.mailbox or "").rpartition("@")[2].strip().lower().rstrip(".")

    @property
    def domains(self) -> tuple[str, ...]:
        """The own domains, or the mailbox address's domain when none are set: colleagues never get an automatic
        reply, even from `mailbot check` or a hand-made settings value."""
        if self.own_domains:
            return self.own_domains
        return (self.mailbox_domain,) if self.mailbox_domain else ()

    def own_domain(self, address: str | None) -> str | None:
        """The own domain an address belongs to (itself or as a subdomain), or None."""
        if not address or "@" not in address:
            return None
        host = address.rpartition("@")[2].strip().lower().rstrip(".")
        return next((d for d in self.domains if host == d or host.endswith(f".{d}")), None)
