"""Files that hold secrets or say where they are must not be readable by other users of the machine.

The settings file names the mailbox, the relay and the staff; a secret file (`MAILBOT_*_FILE`) holds a password.
Start-up does not refuse a loose file (a service that will not start is worse than a warning an admin reads in the
journal), but says which one and how to fix it; `mailbot doctor` lists the same.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path


def secret_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """Every file named by a MAILBOT_*_FILE variable."""
    env = os.environ if environ is None else environ
    return [Path(value) for key, value in sorted(env.items())
            if key.startswith("MAILBOT_") and key.endswith("_FILE") and value]


def loose_files(paths: Iterable[str | Path | None]) -> list[str]:
    """One line per file that group or others may read (or write), naming its mode and the fix."""
    problems: list[str] = []
    for path in paths:
        if path is None:
            continue
        try:
            mode = stat.S_IMODE(Path(path).stat().st_mode)
        except OSError:
            continue  # a missing file is reported by whatever reads it
        if mode & 0o066:
            problems.append(f"{path} is readable by other users (mode {mode:o}): chmod 600 it")
    return problems
