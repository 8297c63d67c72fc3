"""The whole settings of one deployment, the view of one mailbox among several, and what the core is given."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import PrivateAttr, field_validator

from mailbot.clock.deadlines import ClockPolicy
from mailbot.clock.retention import RetentionPolicy
from mailbot.clock.workdays import UK_NATIONS, WorkingCalendar
from mailbot.config.secrets import Secret, secret
from mailbot.config.sections import (
    CalendarSettings,
    ClockSettings,
    ConfigError,
    DatabaseSettings,
    DigestSettings,
    ImapSettings,
    MailboxSettings,
    OAuth2Settings,
    ProcessingSettings,
    ReferenceSettings,
    RetentionSettings,
    RuleSettings,
    ScheduleSettings,
    SmtpSettings,
    StaffSettings,
    TemplateSettings,
    WebSettings,
    _Section,
)
from mailbot.judging.settings import JudgeSettings

SHARED_KEYS = {"database", "data_dir", "log_level", "mailboxes", "web"}


def merge_tables(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` laid over `base`, table by table: a mailbox (or a test) names only the settings it changes."""
    merged = dict(base)
    for key, value in override.items():
        both_tables = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = merge_tables(merged[key], value) if both_tables else value
    return merged


class Settings(_Section):
    data_dir: str = "data"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    mailbox: MailboxSettings = MailboxSettings()
    imap: ImapSettings = ImapSettings()
    smtp: SmtpSettings = SmtpSettings()
    database: DatabaseSettings = DatabaseSettings()
    references: ReferenceSettings = ReferenceSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    processing: ProcessingSettings = ProcessingSettings()
    calendar: CalendarSettings = CalendarSettings()
    clock: ClockSettings = ClockSettings()
    rules: RuleSettings = RuleSettings()
    templates: TemplateSettings = TemplateSettings()
    staff: StaffSettings = StaffSettings()
    digest: DigestSettings = DigestSettings()
    web: WebSettings = WebSettings()
    oauth2: OAuth2Settings = OAuth2Settings()
    retention: RetentionSettings = RetentionSettings()
    # More mailboxes served by the same deployment: each table overrides any section above except the shared
    # database, data_dir, log_level and web (validated, with errors named mailboxes.NAME.section.key).
    mailboxes: dict[str, dict[str, Any]] = {}  # noqa: RUF012 - a pydantic field, copied for each instance

    _name: str = PrivateAttr(default="default")

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        """`debug` means DEBUG, as it does on the command line (--log-level)."""
        return value.upper() if isinstance(value, str) else value

    @field_validator("mailboxes")
    @classmethod
    def _mailbox_names(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, override in value.items():
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,30}", name) or name == "default":
                raise ValueError(f"mailbox name {name!r}: use lower-case letters, digits, - and _ (not 'default')")
            shared = SHARED_KEYS & set(override)
            if shared:
                raise ValueError(f"{name}.{sorted(shared)[0]}: shared by every mailbox; set it at the top level")
        return value

    @property
    def mailbox_name(self) -> str:
        return self._name

    def for_mailbox(self, name: str) -> Settings:
        """The settings of one mailbox: the top level, overridden by its [mailboxes.NAME] table."""
        if name == "default":
            return self
        if name not in self.mailboxes:
            raise ConfigError(f"no mailbox named {name!r} (configured: {', '.join(self.mailbox_names())})")
        base = self.model_dump(exclude_unset=True, exclude={"mailboxes"})
        settings = Settings.model_validate(merge_tables(base, self.mailboxes[name]))
        settings._name = name
        return settings

    def mailbox_names(self) -> list[str]:
        return ["default", *self.mailboxes]

    def all_mailboxes(self) -> list[Settings]:
        return [self.for_mailbox(name) for name in self.mailbox_names()]

    def secret(self, key: str) -> Secret | None:
        """MAILBOT_<NAME>_<KEY> for a named mailbox (falling back to MAILBOT_<KEY>), MAILBOT_<KEY> otherwise."""
        if self._name != "default":
            found = secret(f"{self._name.replace('-', '_')}_{key}")
            if found is not None:
                return found
        return secret(key)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{Path(self.data_dir).resolve() / 'mailbot.db'}"

    @property
    def smtp_username(self) -> str:
        """Who SMTP AUTH logs in as: smtp.username, or with OAuth the mailbox itself (an empty name: no AUTH)."""
        if self.smtp.auth == "oauth2":
            return self.smtp.username or self.mailbox.address
        return self.smtp.username

    @property
    def uses_oauth2(self) -> bool:
        return "oauth2" in (self.imap.auth, self.smtp.auth)

    @property
    def digest_recipients(self) -> tuple[str, ...]:
        return self.digest.recipients or self.staff.recipients

    @property
    def imap_username(self) -> str:
        return self.imap.username or self.mailbox.address

    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(UK_NATIONS, frozenset(self.calendar.extra_non_working_days),
                               self.calendar.corrections())

    def sar_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(tuple(self.calendar.sar_nations), frozenset(self.calendar.extra_non_working_days),
                               self.calendar.corrections())

    def clock_policy(self) -> ClockPolicy:
        return ClockPolicy(calendar=self.working_calendar(), sar_calendar=self.sar_calendar(),
                           **self.clock.model_dump())

    def retention_policy(self) -> RetentionPolicy:
        keep = set(RetentionPolicy.__dataclass_fields__)
        return RetentionPolicy(**{k: v for k, v in self.retention.model_dump().items() if k in keep})

    def judge_settings(self) -> JudgeSettings:
        rules = self.rules
        return JudgeSettings(
            mailbox=self.mailbox.address,
            loop_token=self.mailbox.x_loop,
            own_domains=self.mailbox.domains,
            reference_format=self.references.format,
            eir_keywords=rules.eir_keywords,
            sar_keywords=rules.sar_keywords,
            review_keywords=rules.review_keywords,
            pseudonyms=rules.pseudonyms,
            accept_surname_only=rules.accept_surname_only,
            name_must_be_in_body=rules.name_must_be_in_body,
            min_description_words=rules.min_description_words,
            daily_reply_cap=rules.daily_reply_cap,
            hourly_reply_cap=rules.hourly_reply_cap,
            trusted_authserv_ids=rules.trusted_authserv_ids,
            disabled_rules=frozenset(rules.disabled),
        )


REQUIRED_TO_RUN = ("mailbox.address", "mailbox.organisation", "imap.host", "smtp.host")


def require_for_run(settings: Settings) -> None:
    """The keys a real deployment must state: the embedded defaults describe the demo authority, not yours. Every
    one missing is named at once, one line each."""
    problems = []
    for dotted in REQUIRED_TO_RUN:
        section, key = dotted.split(".")
        if section not in settings.model_fields_set or key not in getattr(settings, section).model_fields_set:
            problems.append(f"{dotted}: missing (required to run; see config/mailbot.example.toml)")
    if settings.uses_oauth2:
        missing = settings.oauth2.missing()
        if missing:
            problems.append(missing)
    if settings.templates.dir and not Path(settings.templates.dir).is_dir():
        # A mistyped path would mean the admin's wording is silently never used.
        problems.append(f"templates.dir: {settings.templates.dir} is not a directory")
    if problems:
        raise ConfigError("\n".join(problems))
