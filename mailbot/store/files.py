"""The SQLite files hold every request, name and address the bot has seen: only the bot's own user may read them.

`mailbot run` sets a umask of 077, so whatever it creates is private; but the files may be created first by another
command (`mailbot db upgrade` from an admin's shell, umask 022), and an older version left them world-readable. So
a data directory it creates is 0700 and the database file is made 0600 before SQLite opens it (SQLite gives the -wal
and -shm files the database file's own mode); database files already there are tightened, once, with a warning.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & ~mode == 0:
        return  # not ours to change (a shared directory), or already private
    os.chmod(path, stat.S_IMODE(info.st_mode) & mode)
    log.warning("%s was readable by others (mode %o): now %o", path, stat.S_IMODE(info.st_mode),
                stat.S_IMODE(info.st_mode) & mode)


def secure_sqlite(database: Path) -> None:
    """Create the data directory 0700 and the database file 0600 (or tighten them), before SQLite touches them."""
    directory = database.parent
    if not directory.exists():
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    else:
        # A directory already there may be shared (a home directory, /srv): its mode is the admin's to choose,
        # so it is named (here and by `mailbot doctor`) rather than changed; the files in it are private anyway.
        info = directory.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            log.warning("the data directory %s is open to others (mode %o): chmod 700 it", directory,
                        stat.S_IMODE(info.st_mode))
    if not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    for suffix in SQLITE_SUFFIXES:
        _tighten(database.with_name(database.name + suffix), FILE_MODE)
