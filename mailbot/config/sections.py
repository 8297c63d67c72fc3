"""The sections of the settings file, each a frozen model with its lawful default and its validation."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mailbot.clock.workdays import HOLIDAY_CORRECTIONS
from mailbot.judging.readers.keywords import DEFAULT_EIR_KEYWORDS, DEFAULT_REVIEW_KEYWORDS, DEFAULT_SAR_KEYWORDS
from mailbot.judging.readers.pseudonyms import DEFAULT_PSEUDONYMS


class ConfigError(Exception):
    """A configuration problem, already phrased for the admin: the CLI prints it and exits 2."""


GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
LOOPBACK_HTTP = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/.*)?$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MailboxSettings(_Section):
    address: str = "inforights@police.example.uk"
    organisation: str = "Cleveland Police"
    display_name: str = "Information Rights Requests"
    loop_token: str = ""  # default: derived from the address
    # The authority's own mail domains (a subdomain counts): colleagues' mail goes to staff, never gets an
    # automatic reply. Empty: the domain of the address.
    own_domains: tuple[str, ...] = ()

    @property
    def x_loop(self) -> str:
        return self.loop_token or f"mailbot {self.address}"

    @property
    def domains(self) -> tuple[str, ...]:
        """The own domains in force: the list given, else the mailbox address's own domain."""
        if self.own_domains:
            return self.own_domains
        domain = self.address.rpartition("@")[2].lower()
        return (domain,) if domain else ()

    @field_validator("own_domains")
    @classmethod
    def _plain_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Bare domain names, lower-cased: an address or a wildcard here would silently match nothing."""
        cleaned = []
        for item in value:
            domain = item.strip().lower().rstrip(".")
            if not DOMAIN.match(domain):
                raise ValueError(f"{item!r} is not a domain name (write council.gov.uk; subdomains count already)")
            cleaned.append(domain)
        return tuple(cleaned)


class ImapSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 143
    security: Literal["tls", "starttls", "none"] = "none"
    username: str = ""  # default: the mailbox address
    inbox: str = "INBOX"
    processed_folder: str = "Processed"
    sent_folder: str = "Sent"
    quarantine_folder: str = "Quarantine"
    batch_size: int = Field(50, ge=1, le=1000)
    idle: bool = True  # wait for new mail with IMAP IDLE where the server supports it (polling stays the net)
    timeout_seconds: float = Field(30.0, gt=0)
    verify_certificates: bool = True
    ca_file: str = ""
    # After the server refuses the login, the same password is not tried again for this long (a new one at once):
    # repeated failed logins lock accounts at Exchange Online and Google.
    login_retry_minutes: int = Field(60, ge=1, le=24 * 60)
    # "oauth2": log in by XOAUTH2 (or OAUTHBEARER) with a token from the [oauth2] section, as Exchange Online and
    # Google Workspace require; "password": MAILBOT_IMAP_PASSWORD (or its _FILE).
    auth: Literal["password", "oauth2"] = "password"


class SmtpSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 25
    security: Literal["tls", "starttls", "none"] = "none"
    username: str = ""  # empty: no AUTH
    timeout_seconds: float = Field(30.0, gt=0)
    verify_certificates: bool = True
    ca_file: str = ""
    retry_seconds: int = Field(60, ge=1)
    # Replies go out over this many connections at once, in one event loop: while the server digests one message
    # the bot writes the next. Relays cap concurrent connections per client; 1 sends strictly one at a time.
    connections: int = Field(3, ge=1, le=10)
    # "password": AUTH with MAILBOT_SMTP_PASSWORD when username is set; "oauth2": AUTH XOAUTH2 with a token from
    # [oauth2], as the mailbox (username, default the mailbox address).
    auth: Literal["password", "oauth2"] = "password"
    # As imap.login_retry_minutes: refused credentials are not tried again for this long (a changed secret at once).
    login_retry_minutes: int = Field(60, ge=1, le=24 * 60)


class DatabaseSettings(_Section):
    url: str = ""  # empty: SQLite file mailbot.db under data_dir

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        """SQLite and PostgreSQL are what mailbot is tested on; anything else is refused by name at start-up
        rather than failing at the first query (or, for a typo, creating a database somewhere unexpected)."""
        if not value:
            return value
        scheme, separator, rest = value.partition("://")
        if not separator or not re.fullmatch(r"[a-z][a-z0-9+]*", scheme):
            raise ValueError(f"{value[:40]!r} is not a database URL: write sqlite:////var/lib/mailbot/mailbot.db "
                             "or postgresql://user@host:5432/mailbot (or leave it empty for SQLite under data_dir)")
        dialect = scheme.split("+")[0]
        if dialect not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(f"{dialect} databases are not supported: use postgresql://… or sqlite:///…")
        if not rest:
            raise ValueError(f"{value!r} names no database: postgresql://user@host:5432/mailbot")
        return value


class ReferenceSettings(_Section):
    format: str = "{seq}/{year}"
    next: int = Field(1, ge=1)
    reset_yearly: bool = True

    @field_validator("format")
    @classmethod
    def _has_seq(cls, value: str) -> str:
        if "{seq}" not in value:
            raise ValueError("must contain {seq}")
        try:
            value.format(seq=1, year=2022, yy="22")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"only {{seq}}, {{year}} and {{yy}} may be used ({exc})") from None
        return value


class ScheduleSettings(_Section):
    poll_seconds: int = Field(60, ge=1)


class ProcessingSettings(_Section):
    max_attempts: int = Field(3, ge=1)  # failures before a message is quarantined


Nation = Literal["ENG", "WLS", "SCT", "NIR"]


def _shipped_corrections() -> dict[Nation, tuple[date, ...]]:
    by_nation: dict[Nation, tuple[date, ...]] = {}
    for nation, day in sorted(HOLIDAY_CORRECTIONS):
        key = cast(Nation, nation)  # HOLIDAY_CORRECTIONS holds only the four codes
        by_nation[key] = (*by_nation.get(key, ()), day)
    return by_nation


class CalendarSettings(_Section):
    extra_non_working_days: tuple[date, ...] = ()
    sar_nations: tuple[Nation, ...] = ("ENG", "WLS")
    # Per nation: a day the holidays package lists for that nation which was not a bank holiday there in law.
    # The default is the corrections mailbot ships (clock.workdays.HOLIDAY_CORRECTIONS, each with its citation);
    # a file that sets this key replaces them.
    not_holidays: dict[Nation, tuple[date, ...]] = Field(default_factory=_shipped_corrections)

    @field_validator("not_holidays")
    @classmethod
    def _weekdays(cls, value: dict[Nation, tuple[date, ...]]) -> dict[Nation, tuple[date, ...]]:
        for nation, days in value.items():
            for day in days:
                if day.weekday() >= 5:
                    raise ValueError(f"{nation} {day.isoformat()} is a {day:%A}: a weekend day is never a working "
                                     "day, so there is nothing to correct")
        return value

    @model_validator(mode="after")
    def _not_both(self) -> CalendarSettings:
        both = sorted({day for days in self.not_holidays.values() for day in days} & set(self.extra_non_working_days))
        if both:
            raise ValueError(f"{both[0].isoformat()} is both in extra_non_working_days and in not_holidays")
        return self

    def corrections(self) -> frozenset[tuple[str, date]]:
        """The (nation, day) pairs the working calendar leaves out."""
        return frozenset((nation, day) for nation, days in self.not_holidays.items() for day in days)


class ClockSettings(_Section):
    working_days: int = Field(20, ge=1)
    foi_extension_working_days: int = Field(20, ge=0)
    eir_extension_working_days: int = Field(20, ge=0)
    review_extension_working_days: int = Field(20, ge=0)
    sar_extended_months: int = Field(3, ge=1, le=3)
    fee_lapse_months: int = Field(3, ge=1)
    long_overdue_working_days: int = Field(20, ge=1)


class RetentionSettings(_Section):
    """The retention schedule (docs/operations.md, "Retention and disposal", gives each default and its ground)."""

    dispose: bool = True  # the daily job disposes of what is due (after `notice_days` of warning in the digest)
    time: str = "02:30"  # HH:MM, Europe/London: when the daily job runs (the leader only)
    closed_case_years: int = Field(3, ge=1, le=100)  # FOI, EIR, internal review: anonymised after closure
    sar_case_years: int = Field(6, ge=1, le=100)  # subject access cases
    unanswered_mail_days: int = Field(90, ge=7)  # robot mail and mail that was not a request
    quarantine_days: int = Field(90, ge=7)  # quarantined messages, after staff dealt with them
    staff_mail_days: int = Field(90, ge=7)  # alerts and digests the bot wrote to staff
    appeal_window_days: int = Field(42, ge=28)  # after an ICO or tribunal decision (28 days to appeal)
    later_request_holds: bool = True  # a later open request from the same applicant keeps earlier cases
    notice_days: int = Field(30, ge=0, le=365)  # the digest lists what goes this far ahead; first disposal waits

    @field_validator("time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", value):
            raise ValueError("must be HH:MM on the 24-hour clock, e.g. \"02:30\"")
        return value

    @property
    def hour_minute(self) -> tuple[int, int]:
        hour, minute = self.time.split(":")
        return int(hour), int(minute)


class RuleSettings(_Section):
    accept_surname_only: bool = False
    name_must_be_in_body: bool = False
    min_description_words: int = Field(3, ge=1)
    eir_keywords: tuple[str, ...] = DEFAULT_EIR_KEYWORDS
    sar_keywords: tuple[str, ...] = DEFAULT_SAR_KEYWORDS
    review_keywords: tuple[str, ...] = DEFAULT_REVIEW_KEYWORDS
    pseudonyms: tuple[str, ...] = DEFAULT_PSEUDONYMS
    acknowledge_follow_ups: bool = True
    daily_reply_cap: int = Field(10, ge=1)
    hourly_reply_cap: int = Field(200, ge=1)
    trusted_authserv_ids: tuple[str, ...] = ()  # the authority's own receiving servers (empty: A-R not read)
    disabled: tuple[str, ...] = ()

    @field_validator("trusted_authserv_ids")
    @classmethod
    def _authserv_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        ids = tuple(item.strip().lower() for item in value)
        if any(not item or any(c.isspace() or c in ";=()" for c in item) for item in ids):
            raise ValueError("each authserv-id is one word, as the server writes it (e.g. \"mx.council.gov.uk\")")
        return ids

    @field_validator("disabled")
    @classmethod
    def _known_rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from mailbot.judging.rules import BY_NAME

        unknown = [name for name in value if name not in BY_NAME]
        if unknown:
            raise ValueError(f"unknown rule {unknown[0]!r} (`mailbot rules` lists them)")
        return value


class TemplateSettings(_Section):
    dir: str = ""  # an admin directory whose files override the shipped templates one by one
    language: Literal["en", "cy"] = "en"
    # Budgets for rendering one admin template (in a separate process): over either, the shipped wording is sent
    # and staff are alerted with the cause. Shipped templates are part of mailbot and are not budgeted.
    render_seconds: float = Field(2.0, ge=0.1, le=60)
    render_memory_mb: int = Field(128, ge=32, le=4096)


ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")


def _addresses(values: tuple[str, ...]) -> tuple[str, ...]:
    """Bare addresses only: a display name or a comma here would be a header-injection route into staff mail."""
    for value in values:
        if not ADDRESS.match(value):
            raise ValueError(f"{value!r} is not a plain email address (write name@example.org, one per item)")
    return values


class StaffSettings(_Section):
    recipients: tuple[str, ...] = ()  # who is told when a template breaks (and gets the digest by default)

    @field_validator("recipients")
    @classmethod
    def _plain(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _addresses(value)


class DigestSettings(_Section):
    recipients: tuple[str, ...] = ()  # empty: staff.recipients; no recipients at all: no digest
    time: str = "08:00"  # HH:MM, Europe/London, on working days only

    @field_validator("recipients")
    @classmethod
    def _plain(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _addresses(value)

    @field_validator("time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", value)
        if not match:
            raise ValueError("must be HH:MM on the 24-hour clock, e.g. \"08:00\"")
        return value

    @property
    def hour_minute(self) -> tuple[int, int]:
        hour, minute = self.time.split(":")
        return int(hour), int(minute)


class WebSettings(_Section):
    """The staff web app (`mailbot web`): one for every mailbox of the deployment."""

    host: str = "127.0.0.1"  # loopback: put a TLS reverse proxy in front (docs/operations.md)
    port: int = Field(8025, ge=1, le=65535)
    base_url: str = ""  # the address staff use, e.g. https://foi.example.gov.uk/ (https makes cookies Secure)
    session_hours: int = Field(10, ge=1, le=24 * 14)  # a signed-in session lasts at most this long
    page_size: int = Field(50, ge=10, le=500)  # requests per page
    signin_attempts: int = Field(5, ge=1, le=100)  # failed sign-ins per account or address per 15 minutes

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+(/.*)?$", value):
            raise ValueError("must be an http:// or https:// address, e.g. https://foi.example.gov.uk/")
        return value

    # Single sign-on with Microsoft Entra ID (OpenID Connect), on when oidc_client_id is set. The client secret comes
    # from MAILBOT_WEB_OIDC_SECRET (or _FILE), never from this file. Accounts are bound to the token's tid + oid.
    oidc_tenant_id: str = ""  # the directory (tenant) id, a GUID: the only tenant whose people may sign in
    oidc_client_id: str = ""  # the app registration's application (client) id
    oidc_metadata_url: str = ""  # default: https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration
    oidc_issuer: str = ""  # the ID token's iss; default: the metadata's issuer

    @field_validator("oidc_metadata_url", "oidc_issuer")
    @classmethod
    def _oidc_url(cls, value: str) -> str:
        # Plain http only on loopback (a test provider): anywhere else the token would travel in the clear.
        if value and not (value.startswith("https://") or LOOPBACK_HTTP.match(value)):
            raise ValueError("must be an https:// address (http:// only for 127.0.0.1 or localhost)")
        return value

    @field_validator("oidc_tenant_id", "oidc_client_id")
    @classmethod
    def _guid(cls, value: str) -> str:
        if value and not GUID.match(value):
            raise ValueError("must be a GUID as the Entra admin centre shows it (e.g. "
                             "0e4a1c1e-89a4-4e3b-9c27-2f6b8e7d1a55); 'common' or 'organizations' would let in any "
                             "tenant")
        return value.lower()

    @model_validator(mode="after")
    def _oidc_complete(self) -> WebSettings:
        given = [self.oidc_tenant_id, self.oidc_client_id, self.oidc_metadata_url, self.oidc_issuer]
        if any(given) and not (self.oidc_tenant_id and self.oidc_client_id):
            raise ValueError("single sign-on needs both oidc_tenant_id and oidc_client_id (and the client secret in "
                             "MAILBOT_WEB_OIDC_SECRET or MAILBOT_WEB_OIDC_SECRET_FILE)")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_client_id)

    @property
    def oidc_metadata(self) -> str:
        return self.oidc_metadata_url or (
            f"https://login.microsoftonline.com/{self.oidc_tenant_id}/v2.0/.well-known/openid-configuration")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


OAUTH2_SCOPES = {
    "microsoft": "https://outlook.office365.com/.default",
    "google": "https://mail.google.com/",
    "generic": "",
}


class OAuth2Settings(_Section):
    """OAuth 2.0 for `imap.auth` / `smtp.auth` = "oauth2" (docs/microsoft365.md, docs/google.md).

    The credential itself is never here: the client secret is MAILBOT_OAUTH2_CLIENT_SECRET, a certificate (PEM: the
    private key and the certificate) MAILBOT_OAUTH2_CERTIFICATE, Google's service-account key (its JSON file)
    MAILBOT_OAUTH2_SERVICE_ACCOUNT; each also as a file named by the same variable with _FILE.
    """

    provider: Literal["microsoft", "google", "generic"] = "microsoft"
    tenant_id: str = ""  # Microsoft: the directory (tenant) id, a GUID
    client_id: str = ""  # Microsoft and generic: the application (client) id
    # Microsoft: default https://login.microsoftonline.com/<tenant_id> (a national cloud has its own host).
    # Generic: not used. http:// only on loopback (tests).
    authority: str = ""
    token_url: str = ""  # generic: the token endpoint (client-credentials grant); Google: from the key file
    scope: str = ""  # default: the provider's mail scope (OAUTH2_SCOPES)
    ca_file: str = ""  # trust for the token endpoint's certificate, beside the system's (a private CA)
    imap_mechanism: Literal["auto", "xoauth2", "oauthbearer"] = "auto"  # auto: XOAUTH2 unless only OAUTHBEARER
    # When the client secret (or a Google key with an expiry policy) expires, as the admin centre shows it: staff
    # are warned in the digest 30 days before. A certificate's own expiry is read from it.
    client_secret_expires: date | None = None
    timeout_seconds: float = Field(30.0, gt=0)

    @field_validator("authority", "token_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if value and not (value.startswith("https://") or LOOPBACK_HTTP.match(value)):
            raise ValueError("must be an https:// address (http:// only for 127.0.0.1 or localhost)")
        return value.rstrip("/") if value else value

    @field_validator("tenant_id", "client_id")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if value and any(c.isspace() or c in "/?#" for c in value):
            raise ValueError("must be the id alone, as the provider's admin centre shows it")
        return value

    @property
    def scopes(self) -> list[str]:
        return (self.scope or OAUTH2_SCOPES[self.provider]).split()

    @property
    def authority_url(self) -> str:
        return self.authority or f"https://login.microsoftonline.com/{self.tenant_id}"

    def missing(self) -> str | None:
        """What an oauth2 login cannot do without, phrased for the admin, one line each (every one at once); None
        when complete."""
        problems: list[str] = []
        if self.provider == "microsoft":
            if not self.client_id:
                problems.append("oauth2.client_id: missing (the app registration's Application (client) ID)")
            if not (self.tenant_id or self.authority):
                problems.append("oauth2.tenant_id: missing (the Directory (tenant) ID of your Microsoft 365 "
                                "organisation)")
            if self.tenant_id and not GUID.match(self.tenant_id) and "." not in self.tenant_id:
                problems.append("oauth2.tenant_id: must be your tenant's GUID or its domain (e.g. "
                                "council.onmicrosoft.com); 'common' or 'organizations' cannot be used with an app's "
                                "own permissions")
        if self.provider == "generic":
            if not self.token_url:
                problems.append("oauth2.token_url: missing (the provider's token endpoint)")
            if not self.client_id:
                problems.append("oauth2.client_id: missing")
            if not self.scopes:
                problems.append("oauth2.scope: missing (the provider gives no default; its documentation names it)")
        return "\n".join(problems) or None
