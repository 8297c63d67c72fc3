"""Settings: the example file documents every key, and a wrong key is refused with its name."""

from __future__ import annotations

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
    assert secret("imap_password", {"MAILBOT_IMAP_PASSWORD": "env"}) == "env"
    assert secret("imap_password", {"MAILBOT_IMAP_PASSWORD_FILE": str(path)}) == "from-file"
    assert secret("imap_password", {}) is None
    with pytest.raises(ConfigError, match="MAILBOT_IMAP_PASSWORD_FILE"):
        secret("imap_password", {"MAILBOT_IMAP_PASSWORD_FILE": str(tmp_path / "missing")})
