"""Settings: the example file documents every key, and a wrong key is refused with its name."""

from __future__ import annotations

import logging
import pickle
import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from mailbot.config import ConfigError, Settings, load_settings, secret, settings_from_mapping

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "mailbot.example.toml"


def keys_of(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= keys_of(annotation, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def documented_keys(text: str) -> set[str]:
    keys, section = set(), ""
    for line in text.splitlines():
        line = line.strip()
        if match := re.match(r"^\[(\w+)\]$", line):
            section = match.group(1) + "."
        elif match := re.match(r"^#?\s*(\w+)\s*=", line):
            keys.add(section + match.group(1))
    return keys


def test_example_documents_every_key_and_loads() -> None:
    assert keys_of(Settings) <= documented_keys(EXAMPLE.read_text())
    assert load_settings(EXAMPLE) == load_settings(EXAMPLE)  # parses, validates, deterministic
    assert tomllib.loads(EXAMPLE.read_text())


@pytest.mark.parametrize("data,named", [
    ({"imap": {"prot": 993}}, "imap.prot: unknown key"),
    ({"imap": {"port": "nine"}}, "imap.port"),
    ({"imap": {"security": "ssl"}}, "imap.security"),
    ({"smtp": {"password": "hunter2"}}, "smtp.password: passwords are never read"),
    ({"references": {"format": "{year}"}}, "references.format"),
    ({"surprise": 1}, "surprise: unknown key"),
])
def test_wrong_keys_are_named(data: dict, named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        settings_from_mapping(data)


def test_secret_from_environment_or_file(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("from-file\n")
    assert secret("imap_password", {"MAILBOT_IMAP_PASSWORD": "env"}).get_secret_value() == "env"
    assert secret("imap_password", {"MAILBOT_IMAP_PASSWORD_FILE": str(path)}).get_secret_value() == "from-file"
    assert secret("imap_password", {}) is None
    with pytest.raises(ConfigError, match="MAILBOT_IMAP_PASSWORD_FILE"):
        secret("imap_password", {"MAILBOT_IMAP_PASSWORD_FILE": str(tmp_path / "missing")})


def test_a_password_is_never_shown_nor_pickled(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD", "hunter2-imap")
    monkeypatch.setenv("MAILBOT_SMTP_PASSWORD", "hunter2-smtp")
    settings = settings_from_mapping({"smtp": {"username": "bot"}})
    password = settings.secret("imap_password")
    assert password is not None and password.get_secret_value() == "hunter2-imap"
    caplog.set_level(logging.DEBUG)
    logging.getLogger("mailbot.test").info("logging in with %s, %r", password, settings.secret("smtp_password"))
    shown = f"{password} {password!r} {settings!r} {settings} {caplog.text}"
    assert "hunter2" not in shown and "**********" in shown
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(password)
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps({"nested": [password]})


def test_the_retired_sender_setting_is_accepted_with_a_warning_and_ignored(caplog) -> None:  # type: ignore[no-untyped-def]
    """`smtp.sender` chose a sender process or thread; there is one way to send now. An upgrade must not stop the bot
    over it, and the admin is told to remove it (for a named mailbox too)."""
    caplog.set_level(logging.WARNING, logger="mailbot.config")
    settings = settings_from_mapping({"smtp": {"sender": "process", "port": 2525},
                                      "mailboxes": {"dp": {"mailbox": {"address": "dp@council.example"},
                                                           "smtp": {"sender": "thread"}}}}, "m.toml")
    assert settings.smtp.port == 2525 and "sender" not in settings.smtp.model_dump()
    assert settings.for_mailbox("dp").smtp.port == 2525
    warned = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("m.toml: smtp.sender is no longer used and is ignored") for m in warned)
    assert any(m.startswith("m.toml: mailboxes.dp.smtp.sender is no longer used") for m in warned)
    with pytest.raises(ConfigError, match=r"smtp\.sendr: unknown key"):  # a typo is still refused
        settings_from_mapping({"smtp": {"sendr": "thread"}})


def test_not_holidays_defaults_to_the_shipped_correction_and_is_validated() -> None:
    from datetime import date

    settings = settings_from_mapping({})
    assert settings.calendar.not_holidays == {"SCT": (date(2006, 11, 30),)}
    assert settings.working_calendar().add_working_days(date(2006, 11, 24), 20) == date(2006, 12, 22)
    replaced = settings_from_mapping({"calendar": {"not_holidays": {"NIR": ["2025-03-17"]}}})
    assert replaced.working_calendar().is_working_day(date(2025, 3, 17))
    assert replaced.working_calendar().add_working_days(date(2006, 11, 24), 20) == date(2006, 12, 27)
    assert settings_from_mapping({"calendar": {"not_holidays": {}}}).calendar.corrections() == frozenset()
    for bad, named in [({"XYZ": ["2006-11-30"]}, "calendar.not_holidays"),
                       ({"SCT": ["2006-11-31"]}, "calendar.not_holidays"),
                       ({"SCT": ["2006-12-02"]}, "is a Saturday")]:
        with pytest.raises(ConfigError, match=re.escape(named)):
            settings_from_mapping({"calendar": {"not_holidays": bad}})
    with pytest.raises(ConfigError, match="both in extra_non_working_days and in not_holidays"):
        settings_from_mapping({"calendar": {"extra_non_working_days": ["2006-11-30"]}})
