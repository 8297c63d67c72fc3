"""Settings: the example file documents every key, and a wrong key is refused with its name."""

from __future__ import annotations

import logging
import os
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


@pytest.mark.parametrize("data,named", [
    ({"schedule": {"poll_seconds": "60"}}, 'schedule.poll_seconds: must be an integer, not a string ("60")'),
    ({"imap": {"verify_certificates": "no"}}, 'imap.verify_certificates: must be a boolean, not a string ("no")'),
    ({"imap": {"port": 993.0}}, "imap.port: must be an integer, not a float (993.0)"),
    ({"imap": {"port": True}}, "imap.port: must be an integer, not a boolean (True)"),
    ({"mailbox": {"own_domains": "council.gov.uk"}}, "mailbox.own_domains: must be an array, not a string"),
    ({"imap": "localhost"}, "imap: must be a table, not a string"),
    ({"imap": {"hots": "x"}}, "imap.hots: unknown key; did you mean host?"),
    ({"database": {"url": "mysql://u@h/db"}}, "database.url: mysql databases are not supported"),
    ({"database": {"url": "garbage"}}, "database.url: 'garbage' is not a database URL"),
    ({"mailboxes": {"dp": {"imap": {"port": "993"}}}}, "mailboxes.dp.imap.port: must be an integer"),
])
def test_wrong_types_are_refused_in_tomls_words(data: dict, named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        settings_from_mapping(data)


def test_a_whole_number_where_a_float_is_declared_and_any_case_log_level_are_fine() -> None:
    settings = settings_from_mapping({"imap": {"timeout_seconds": 30}, "log_level": "debug",
                                      "database": {"url": "postgresql:///mailbot?host=/run/postgresql"}})
    assert settings.imap.timeout_seconds == 30.0 and settings.log_level == "DEBUG"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping({"imap": {"port": "x", "hots": "y"}, "schedule": {"poll_seconds": 0},
                               "smtp": {"security": "ssl"}}, "m.toml")
    lines = str(raised.value).splitlines()
    assert any(line.startswith("m.toml: imap.port: must be an integer") for line in lines)
    assert any(line.startswith("m.toml: imap.hots: unknown key; did you mean host?") for line in lines)
    with pytest.raises(ConfigError) as raised:  # pydantic's checks too: every one, each on its line
        settings_from_mapping({"schedule": {"poll_seconds": 0}, "smtp": {"security": "ssl"}}, "m.toml")
    lines = str(raised.value).splitlines()
    assert sorted(line.split(":")[1].strip() for line in lines) == ["schedule.poll_seconds", "smtp.security"]
    assert "m.toml: smtp.security: must be 'tls', 'starttls' or 'none'" in lines


def test_unreadable_and_non_utf8_files_are_named(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[mailbox]\norganisation = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=re.escape(f"{latin1}: not UTF-8 text")):
        load_settings(latin1)
    with pytest.raises(ConfigError, match="is a directory"):
        load_settings(tmp_path)
    if os.getuid() != 0:  # root reads any file
        locked = tmp_path / "locked.toml"
        locked.write_text("")
        locked.chmod(0)
        with pytest.raises(ConfigError, match="not readable"):
            load_settings(locked)


def test_secrets_in_the_file_are_reported_with_every_other_mistake_each_naming_its_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping({"imap": {"password": "x", "port": "993"}, "web": {"secret": "y"},
                               "mailboxes": {"north": {"mailbox": {"address": "north@council.example"},
                                                       "smtp": {"password": "z"}}},
                               "log_levl": "INFO"}, "m.toml")
    lines = str(raised.value).splitlines()
    assert "m.toml: imap.password: passwords are never read from the config file; set MAILBOT_IMAP_PASSWORD or " \
           "MAILBOT_IMAP_PASSWORD_FILE" in lines
    assert any(line.startswith("m.toml: web.secret:") and line.endswith("set MAILBOT_WEB_SECRET or "
                                                                          "MAILBOT_WEB_SECRET_FILE") for line in lines)
    assert any(line.startswith("m.toml: mailboxes.north.smtp.password:") and "MAILBOT_NORTH_SMTP_PASSWORD" in line
               for line in lines)
    assert any(line.startswith("m.toml: imap.port: must be an integer") for line in lines)
    assert any(line.startswith("m.toml: log_levl: unknown key") for line in lines)
    assert not any("password: unknown key" in line or "secret: unknown key" in line for line in lines)
