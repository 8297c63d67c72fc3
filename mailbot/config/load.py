"""Reading the settings file: every key checked, retired keys dropped with a warning, one message per mistake."""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mailbot.config.secrets import _find_secret_keys, _without_keys, secret_variable
from mailbot.config.sections import ConfigError
from mailbot.config.settings import Settings
from mailbot.config.types import type_problems

log = logging.getLogger("mailbot.config")


# pydantic's words for types, in TOML's (the file's) words.
_TOML_WORDS = (("a valid tuple", "an array"), ("a valid list", "an array"), ("a valid dictionary", "a table"),
               ("a valid integer", "an integer"), ("a valid boolean", "a boolean"), ("a valid string", "a string"),
               ("a valid number", "a float"))


def _describe(error: ValidationError, prefix: str = "") -> list[str]:
    """One line per problem pydantic found (every one, not only the first), each naming its key."""
    lines = []
    for problem in error.errors():
        where = prefix + (".".join(str(p) for p in problem["loc"]) or "(top level)")
        if problem["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key (see `mailbot config example` for every key)")
            continue
        message = problem["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
        for pydantic_word, toml_word in _TOML_WORDS:
            message = message.replace(pydantic_word, toml_word)
        lines.append(f"{where}: {message}")
    return lines


# Keys that once meant something and now do nothing. Refusing them would stop a bot from starting after a routine
# upgrade over a setting that no longer changes what it does; so they are accepted, dropped, and warned about.
RETIRED_KEYS = {
    ("smtp", "sender"): "replies are now always sent by the bot's own process, after deciding; remove the key",
    ("smtp", "max_attempts"): "a reply is now retried until the relay accepts it or refuses it for good (5xx), "
                              "so an outage of any length loses nothing; remove the key",
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
    problems = []
    secret_keys = _find_secret_keys(data)
    for secret_key in secret_keys:
        variable = secret_variable(secret_key)
        problems.append(f"{secret_key}: passwords are never read from the config file; "
                        + (f"set {variable} or {variable}_FILE" if variable else
                           "remove it (secrets come from the environment: see `mailbot config example`)"))
    data = _without_keys(data, secret_keys)
    problems += type_problems(Settings, data)
    mailboxes = data.get("mailboxes")
    for name, override in (mailboxes.items() if isinstance(mailboxes, dict) else ()):
        if isinstance(override, dict):
            problems += type_problems(Settings, override, f"mailboxes.{name}.")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        named = {problem.split(":")[0] for problem in problems}  # a key already named for its type, once
        problems += [line for line in _describe(exc) if line.split(":")[0] not in named]
    if problems:
        raise ConfigError("\n".join(f"{source}: {problem}" for problem in problems))
    addresses = {settings.mailbox.address.lower(): "default"}
    for name in settings.mailboxes:
        try:
            mailbox = settings.for_mailbox(name)
        except ValidationError as exc:
            raise ConfigError("\n".join(f"{source}: {line}" for line in _describe(exc, f"mailboxes.{name}."))) \
                from None
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
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a configuration file") from None
    except PermissionError:
        raise ConfigError(f"{path}: not readable by this user (uid {os.getuid()}); check its owner and mode") \
            from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); TOML files are UTF-8: save it as UTF-8") \
            from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return settings_from_mapping(data, str(path))
