"""Settings: one TOML file for everything an admin may change, the environment for every secret.

Every key is declared here with its lawful default; `config/mailbot.example.toml` documents each one. A key that is
unknown, mistyped or of the wrong type stops the program with one message naming it (exit status 2), because a
silently ignored setting in a statutory process is worse than a refusal to start.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError, field_validator

from mailbot.clock.deadlines import ClockPolicy
from mailbot.clock.workdays import UK_NATIONS, WorkingCalendar
from mailbot.judging.keywords import DEFAULT_EIR_KEYWORDS, DEFAULT_REVIEW_KEYWORDS, DEFAULT_SAR_KEYWORDS
from mailbot.judging.names import DEFAULT_PSEUDONYMS
from mailbot.judging.settings import JudgeSettings

log = logging.getLogger(__name__)

SECRET_KEYS = {"password", "pass", "secret", "passwd"}


class ConfigError(Exception):
    """A configuration problem, already phrased for the admin: the CLI prints it and exits 2."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MailboxSettings(_Section):
    address: str = "inforights@police.example.uk"
    organisation: str = "Cleveland Police"
    display_name: str = "Information Rights Requests"
    loop_token: str = ""  # default: derived from the address

    @property
    def x_loop(self) -> str:
        return self.loop_token or f"mailbot {self.address}"


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


class SmtpSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 25
    security: Literal["tls", "starttls", "none"] = "none"
    username: str = ""  # empty: no AUTH
    timeout_seconds: float = Field(30.0, gt=0)
    verify_certificates: bool = True
    ca_file: str = ""
    retry_seconds: int = Field(60, ge=1)
    max_attempts: int = Field(20, ge=1)
    # Replies go out over this many connections at once, in one event loop: while the server digests one message
    # the bot writes the next. Relays cap concurrent connections per client; 1 sends strictly one at a time.
    connections: int = Field(3, ge=1, le=10)


class DatabaseSettings(_Section):
    url: str = ""  # empty: SQLite file mailbot.db under data_dir


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


class CalendarSettings(_Section):
    extra_non_working_days: tuple[date, ...] = ()
    sar_nations: tuple[Literal["ENG", "WLS", "SCT", "NIR"], ...] = ("ENG", "WLS")


class ClockSettings(_Section):
    working_days: int = Field(20, ge=1)
    foi_extension_working_days: int = Field(20, ge=0)
    eir_extension_working_days: int = Field(20, ge=0)
    review_extension_working_days: int = Field(20, ge=0)
    sar_extended_months: int = Field(3, ge=1, le=3)
    fee_lapse_months: int = Field(3, ge=1)
    long_overdue_working_days: int = Field(20, ge=1)


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
    disabled: tuple[str, ...] = ()

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
    # More mailboxes served by the same deployment: each table overrides any section above except the shared
    # database, data_dir and log_level (validated, with errors named mailboxes.NAME.section.key).
    mailboxes: dict[str, dict[str, Any]] = {}

    _name: str = PrivateAttr(default="default")

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
        settings = Settings.model_validate(_merge(base, self.mailboxes[name]))
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
    def digest_recipients(self) -> tuple[str, ...]:
        return self.digest.recipients or self.staff.recipients

    @property
    def imap_username(self) -> str:
        return self.imap.username or self.mailbox.address

    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(UK_NATIONS, frozenset(self.calendar.extra_non_working_days))

    def sar_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(tuple(self.calendar.sar_nations), frozenset(self.calendar.extra_non_working_days))

    def clock_policy(self) -> ClockPolicy:
        return ClockPolicy(calendar=self.working_calendar(), sar_calendar=self.sar_calendar(),
                           **self.clock.model_dump())

    def judge_settings(self) -> JudgeSettings:
        rules = self.rules
        return JudgeSettings(
            mailbox=self.mailbox.address,
            loop_token=self.mailbox.x_loop,
            reference_format=self.references.format,
            eir_keywords=rules.eir_keywords,
            sar_keywords=rules.sar_keywords,
            review_keywords=rules.review_keywords,
            pseudonyms=rules.pseudonyms,
            accept_surname_only=rules.accept_surname_only,
            name_must_be_in_body=rules.name_must_be_in_body,
            min_description_words=rules.min_description_words,
            daily_reply_cap=rules.daily_reply_cap,
            disabled_rules=frozenset(rules.disabled),
        )


REQUIRED_TO_RUN = ("mailbox.address", "mailbox.organisation", "imap.host", "smtp.host")


def require_for_run(settings: Settings) -> None:
    """The keys a real deployment must state: the embedded defaults describe the demo authority, not yours."""
    for dotted in REQUIRED_TO_RUN:
        section, key = dotted.split(".")
        if section not in settings.model_fields_set or key not in getattr(settings, section).model_fields_set:
            raise ConfigError(f"{dotted}: missing (required to run; see config/mailbot.example.toml)")
    if settings.templates.dir and not Path(settings.templates.dir).is_dir():
        # A mistyped path would mean the admin's wording is silently never used.
        raise ConfigError(f"templates.dir: {settings.templates.dir} is not a directory")


SHARED_KEYS = {"database", "data_dir", "log_level", "mailboxes"}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


class Secret(SecretStr):
    """A password: shown as asterisks by repr, str and logging, and never pickled (so never handed to another
    process or written anywhere by accident). Only the edge that logs in reads it, with get_secret_value()."""

    def __reduce_ex__(self, protocol: object) -> str | tuple[object, ...]:
        raise TypeError("a password is never pickled")

    def __copy__(self) -> Secret:
        return self  # immutable: copying needs no pickling

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        return self


def as_secret(value: SecretStr | str) -> Secret:
    return Secret(value.get_secret_value() if isinstance(value, SecretStr) else value)


def secret(name: str, environ: dict[str, str] | None = None) -> Secret | None:
    """A secret from MAILBOT_<NAME> or from the file named by MAILBOT_<NAME>_FILE (systemd credentials, k8s secrets)."""
    env = os.environ if environ is None else environ
    key = f"MAILBOT_{name.upper()}"
    if env.get(key):
        return Secret(env[key])
    path = env.get(f"{key}_FILE")
    if path:
        try:
            return Secret(Path(path).read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise ConfigError(f"{key}_FILE: cannot read {path}: {exc.strerror}") from None
    return None


def _find_secret_keys(data: dict[str, Any], prefix: str = "") -> str | None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key.lower() in SECRET_KEYS:
            return dotted
        if isinstance(value, dict):
            found = _find_secret_keys(value, dotted + ".")
            if found:
                return found
    return None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"{where}: unknown key (see config/mailbot.example.toml for every key)"
    return f"{where}: {first['msg']}"


# Keys that once meant something and now do nothing. Refusing them would stop a bot from starting after a routine
# upgrade over a setting that no longer changes what it does; so they are accepted, dropped, and warned about.
RETIRED_KEYS = {
    ("smtp", "sender"): "replies are now always sent by the bot's own process, after deciding; remove the key",
}


def _drop_retired(data: dict[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    data = dict(data)
    for (section, key), why in RETIRED_KEYS.items():
        table = data.get(section)
        if isinstance(table, dict) and key in table:
            data[section] = {k: v for k, v in table.items() if k != key}
            log.warning("%s: %s%s.%s is no longer used and is ignored: %s", source, prefix, section, key, why)
    if isinstance(data.get("mailboxes"), dict) and not prefix:
        data["mailboxes"] = {name: _drop_retired(override, source, f"mailboxes.{name}.")
                             if isinstance(override, dict) else override
                             for name, override in data["mailboxes"].items()}
    return data


def settings_from_mapping(data: dict[str, Any], source: str = "configuration") -> Settings:
    data = _drop_retired(data, source)
    secret_key = _find_secret_keys(data)
    if secret_key:
        section = secret_key.split(".")[0].upper()
        raise ConfigError(
            f"{source}: {secret_key}: passwords are never read from the config file; "
            f"set MAILBOT_{section}_PASSWORD or MAILBOT_{section}_PASSWORD_FILE"
        )
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc)}") from None
    addresses = {settings.mailbox.address.lower(): "default"}
    for name in settings.mailboxes:
        try:
            mailbox = settings.for_mailbox(name)
        except ValidationError as exc:
            raise ConfigError(f"{source}: mailboxes.{name}.{_describe(exc)}") from None
        if mailbox.mailbox.address.lower() in addresses:
            raise ConfigError(f"{source}: mailboxes.{name}.mailbox.address: the same address as mailbox "
                              f"{addresses[mailbox.mailbox.address.lower()]!r}; each mailbox needs its own")
        addresses[mailbox.mailbox.address.lower()] = name
    return settings


def load_settings(path: str | Path | None) -> Settings:
    """Settings from a TOML file, or the embedded defaults when path is None."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return settings_from_mapping(data, str(path))
