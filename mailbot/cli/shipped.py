"""Files that ship inside the wheel beside the code (the example settings, the systemd unit, the docs), found
where an installed package keeps them or, in a checkout (`pip install -e .`), where the repository does."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
_REPOSITORY = _PACKAGE.parent

# What each shipped folder is called inside the wheel (pyproject.toml, force-include) and in the repository.
SHIPPED = {"config": "_shipped_config", "docs": "_shipped_docs"}


def shipped_path(folder: str, name: str = "") -> Path:
    """`folder` is "config" or "docs"; the packaged copy wins when both exist (an installed wheel has only it)."""
    packaged = _PACKAGE / SHIPPED[folder]
    base = packaged if packaged.is_dir() else _REPOSITORY / folder
    return base / name if name else base


def example_settings() -> str:
    return shipped_path("config", "mailbot.example.toml").read_text(encoding="utf-8")


def systemd_unit() -> str:
    return shipped_path("config", "mailbot.service").read_text(encoding="utf-8")
