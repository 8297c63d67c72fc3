"""Running `mailbot` commands in the test's own process, through Click's CliRunner.

A subprocess per command costs an interpreter start and every import; the contract tests that need a real process
(what a shell sees, signals, `python -m mailbot.cli`) still start one. In process, output and exit status are the
same: Click turns `ctx.exit(n)` into the result's `exit_code`, and stdout and stderr stay apart.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping

from click.testing import CliRunner, Result

from mailbot.cli import main


def mailbot(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """`mailbot ARGS...` with `env` added to the environment for the call (None removes a variable).

    Exceptions propagate (a crash fails the test with its traceback instead of hiding in the result). Some
    commands leave their database engine to the garbage collector, as a process exit would; collecting here
    closes those connections before the test's next command, so a test holds no more connections than a shell
    script running the same commands would.
    """
    try:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    finally:
        gc.collect()
