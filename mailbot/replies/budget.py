"""How much time and memory rendering one admin template may take, and the sandbox that refuses the obvious abuse.

An admin's template is code: `{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}`
prints nothing and never ends, and `{{ 'x' * (3 * 10**9) }}` builds 3 GB before any output cap can see it. The
sandbox here refuses what can be refused by looking at the operands (a repetition or a power whose result would
be over the memory budget) before it is built, with the line at fault; everything else (loops, filters that build
big strings, `%`-formatting) is bounded where the template is rendered — a separate process (`worker`), whose
address space is capped (RLIMIT_AS) and whose render is interrupted by a timer on its own main thread, and which
the bot kills if even that does not come back. Why a process and not a thread: see templates/README.md.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = ["BudgetedSandbox", "OverBudget", "RenderBudget", "limit_memory", "time_limit", "took_over", "used_over"]

_SEQUENCES = (str, bytes, list, tuple)
MAX_POWER_BITS = 1_000_000  # a 300,000-digit number has no place in a letter, and a bigger one can take minutes


@dataclass(frozen=True)
class RenderBudget:
    """What one render of an admin template may use (settings templates.render_seconds and render_memory_mb)."""

    seconds: float = 2.0
    memory_mb: int = 128


class OverBudget(BaseException):
    """Raised inside a render by the timer or the memory cap. A BaseException, so no `except Exception` in Jinja2
    or a filter can swallow it and carry on looping."""


def took_over(seconds: float) -> str:
    return (f"rendering took over {seconds:g} s (the templates.render_seconds budget) and was stopped: a loop that "
            "runs too long or never ends?")


def used_over(memory_mb: int) -> str:
    return (f"rendering used over {memory_mb} MB of memory (the templates.render_memory_mb budget) and was stopped: "
            "a value built too large?")


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus: `*` and `**` are checked before they run (and so are never folded into a
    constant at compile time either), refusing a result bigger than the memory budget."""

    intercepted_binops = frozenset({"*", "**"})
    memory_mb = RenderBudget.memory_mb

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            sequence, times = (left, right) if isinstance(left, _SEQUENCES) else (right, left)
            if isinstance(sequence, _SEQUENCES) and isinstance(times, int):
                item_bytes = 1 if isinstance(sequence, str | bytes) else 8
                size = len(sequence) * times
                if size * item_bytes > self.memory_mb * 2**20:
                    raise SecurityError(f"refused: '*' would build a value of {size:,} "
                                        f"{'characters' if item_bytes == 1 else 'items'}, more than the "
                                        f"{self.memory_mb} MB a template may use (templates.render_memory_mb)")
        elif (operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1
              and abs(left).bit_length() * right > MAX_POWER_BITS):
            raise SecurityError(f"refused: {left} ** {right} is a number too large for a template")
        return super().call_binop(context, operator, left, right)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise OverBudget in the code running inside, after `seconds`, whatever it is doing in Python.

    SIGALRM is delivered to the main thread only, so this works only there (the render worker's); elsewhere it
    does nothing and the caller's own deadline (the worker being killed) is the bound."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(_signum: int, _frame: object) -> None:
        raise OverBudget(took_over(seconds))

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def address_space_bytes() -> int | None:
    """This process's virtual size now (Linux), the baseline the memory budget is added to."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at what it uses now plus `memory_mb`: an allocation past it fails with
    MemoryError in the render instead of growing until the host's OOM killer picks a victim."""
    baseline = address_space_bytes()
    if baseline is None:
        baseline = 512 * 2**20  # no /proc: a generous allowance for the interpreter itself
    limit = baseline + memory_mb * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
