"""Reading the settings file: every key checked, retired keys dropped with a warning, one message per mistake."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mailbot.config.secrets import _find_secret_keys
from mailbot.config.sections import ConfigError
from mailbot.config.settings import Settings

log = logging.getLogger("mailbot.config")


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
    secret_key = _find_secret_keys(data)
    if secret_key:
        section = secret_key.split(".")[0].upper()
        variable = (f"MAILBOT_OAUTH2_{secret_key.split('.')[-1].upper()}" if section == "OAUTH2"
                    else f"MAILBOT_{section}_OIDC_SECRET" if "oidc" in secret_key or "client_secret" in secret_key
                    else f"MAILBOT_{section}_PASSWORD")
        raise ConfigError(
            f"{source}: {secret_key}: passwords are never read from the config file; "
            f"set {variable} or {variable}_FILE"
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
