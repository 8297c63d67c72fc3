"""Passwords: from the environment or a secret file, never from the settings file, never shown or pickled."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from mailbot.config.sections import ConfigError

SECRET_KEYS = {"password", "pass", "secret", "passwd", "client_secret", "oidc_secret", "oidc_client_secret",
               "certificate", "private_key", "service_account"}


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


def _find_secret_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    """Every key in the file that would hold a secret (dotted), so that all of them are named at once."""
    found: list[str] = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key.lower() in SECRET_KEYS:
            found.append(dotted)
        elif isinstance(value, dict):
            found += _find_secret_keys(value, dotted + ".")
    return found


def _without_keys(data: dict[str, Any], dotted_keys: list[str]) -> dict[str, Any]:
    """The data with those keys left out (each already reported), so they are not reported again as unknown."""
    out = dict(data)
    for dotted in dotted_keys:
        table, *path, last = [out, *dotted.split(".")]
        for part in path:
            table[part] = dict(table[part])
            table = table[part]
        table.pop(last, None)
    return out


def secret_variable(dotted: str) -> str | None:
    """The environment variable that holds the secret a file tried to set at `dotted`, or None if there is none
    (a key such as `database.password`: the secret belongs in the URL's own mechanisms, not here)."""
    parts = dotted.lower().split(".")
    prefix = ""
    if parts[0] == "mailboxes" and len(parts) >= 3:
        prefix, parts = parts[1].replace("-", "_").upper() + "_", parts[2:]
    if len(parts) != 2:
        return None
    section, key = parts
    if section in ("imap", "smtp"):
        name = f"{section}_password"
    elif section == "oauth2":
        name = {"certificate": "oauth2_certificate", "private_key": "oauth2_certificate",
                "service_account": "oauth2_service_account"}.get(key, "oauth2_client_secret")
    elif section == "web":
        name = "web_oidc_secret" if "oidc" in key or "client" in key else "web_secret"
    else:
        return None
    return f"MAILBOT_{prefix}{name.upper()}"
