"""The process that renders admin templates, so that no template can hang, bloat or stop the bot.

The bot renders in its scheduler's thread, where neither a signal nor anything else can interrupt a pure-Python
loop, and in its own address space, where a 3 GB string is the bot's 3 GB. So an admin's template is rendered here
instead: a long-lived child (started on first use, so a bot without an admin directory never starts one), with
its address space capped (RLIMIT_AS: baseline + templates.render_memory_mb) and each render interrupted by a timer
on the child's main thread after templates.render_seconds, which names the template line it stopped at. If even
that does not answer within the grace, the bot kills the child. After any render over budget the child is replaced,
so nothing it was doing survives. The child gets no MAILBOT_* environment (no passwords) and no inherited file
descriptors (no database, no mailbox connection): a template that found a way out of the sandbox would find
nothing there. One request at a time per worker (a lock); the shipped fallback never comes here.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from mailbot.replies.budget import OverBudget, RenderBudget, limit_memory, time_limit, used_over
from mailbot.replies.engine import Engine, TemplateProblem, TemplateRenderError

log = logging.getLogger(__name__)

READY = "ready"
GRACE_SECONDS = 1.0  # after its own timer should have stopped it, how long the child has before it is killed
POLL_SECONDS = 0.1  # how often a wait for the child looks whether the bot is stopping
START_TIMEOUT = 60.0  # seconds for the child to import and say it is ready (a slow, busy host)


@dataclass(frozen=True)
class Request:
    """One render: `op` is "render" (a whole reply) or "problems" (each part on its own, for the check)."""

    op: str
    roots: tuple[str, ...]
    steady: int | None  # the caller's steady() run: files are read once per run, as in the bot's own process
    name: str
    context: dict[str, Any]
    max_chars: int
    seconds: float


class RenderInterrupted(Exception):
    """The bot is stopping: the render in hand was abandoned (its worker killed) and the message is left, untouched
    and uncounted, for the next run."""


class WorkerFailed(Exception):
    """The worker did not answer: `timed_out` (killed after the grace) or it died (exit code in the message)."""

    def __init__(self, message: str, *, timed_out: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out


# -- the child ------------------------------------------------------------------------------------------------------

def serve(read_fd: int, write_fd: int, memory_mb: int) -> None:
    """The child's loop: one request in, one answer out, until the bot closes the pipe (or a budget is hit)."""
    requests = Connection(read_fd, writable=False)
    answers = Connection(write_fd, readable=False)
    limit_memory(memory_mb)
    engines: dict[tuple[str, ...], tuple[Engine, ExitStack, list[int | None]]] = {}
    answers.send(READY)
    while True:
        try:
            request: Request = requests.recv()
        except (EOFError, OSError):
            return
        if request.roots not in engines:
            engines[request.roots] = (Engine([Path(root) for root in request.roots], memory_mb), ExitStack(), [None])
        engine, stack, run = engines[request.roots]
        if run[0] != request.steady:  # a new run of the caller's: files may have changed since the last one
            stack.close()
            if request.steady is not None:
                stack.enter_context(engine.loader.steady())
            run[0] = request.steady
        answer: Any
        over = False
        try:
            with time_limit(request.seconds):
                if request.op == "render":
                    answer = ("ok", engine.render_reply(request.name, request.context, request.max_chars))
                else:
                    answer = ("problems", engine.problems(request.name, request.context, request.max_chars))
        except TemplateRenderError as exc:
            answer = ("problem", exc.problem)
        except (OverBudget, MemoryError) as exc:  # outside any template frame (e.g. pickling): still the budget
            answer = ("failed", str(exc) if isinstance(exc, OverBudget) else used_over(memory_mb))
            over = True
        except Exception as exc:  # noqa: BLE001 - a bug here must still be an answer, not a dead renderer
            answer = ("problem", TemplateProblem(request.name, request.name, None, f"{type(exc).__name__}: {exc}"))
        over = over or (answer[0] == "problem" and answer[1].over_budget) or (
            answer[0] == "problems" and any(problem.over_budget for problem in answer[1]))
        answers.send((*answer, over))
        if over:
            return  # a fresh child for the next render: nothing half-done here survives


# -- the bot's side -------------------------------------------------------------------------------------------------

class RenderWorker:
    """The bot's handle on one child; `call` starts it when needed and kills it when it does not answer."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._receive: Connection | None = None
        self.started = 0  # children started so far (the benchmark and the tests read it)

    def call(self, request: Request, cancelled: Callable[[], bool] = lambda: False) -> tuple[str, Any]:
        """The child's answer; WorkerFailed when it does not give one in time, RenderInterrupted when `cancelled()`
        turns true meanwhile (checked every POLL_SECONDS)."""
        with self._lock:
            if cancelled():
                raise RenderInterrupted("mailbot is stopping")
            send, receive = self._ensure()
            try:
                send.send(request)
            except OSError as exc:  # the child had gone: start another and try once more
                self._stop()
                send, receive = self._ensure()
                log.debug("render worker replaced (%s)", type(exc).__name__)
                send.send(request)
            deadline = time.monotonic() + request.seconds + GRACE_SECONDS
            while not receive.poll(max(0.0, min(POLL_SECONDS, deadline - time.monotonic()))):
                if cancelled():
                    self._stop()
                    raise RenderInterrupted("mailbot is stopping")
                if time.monotonic() >= deadline:
                    self._stop()
                    raise WorkerFailed(f"no answer within {request.seconds + GRACE_SECONDS:g} s", timed_out=True)
            try:
                kind, value, leaving = receive.recv()
            except (EOFError, OSError):
                code = self._stop()
                raise WorkerFailed(f"the template renderer stopped unexpectedly (exit code {code})",
                                   timed_out=False) from None
            if leaving:
                self._stop()  # it leaves after a render over budget: a fresh one for the next render
            return kind, value

    def _ensure(self) -> tuple[Connection, Connection]:
        if self._process is not None and self._process.poll() is None and self._send and self._receive:
            return self._send, self._receive
        self._stop()
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        environment = {key: value for key, value in os.environ.items() if not key.startswith("MAILBOT_")}
        code = "import sys; from mailbot.replies.worker import serve; serve(*map(int, sys.argv[1:]))"
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", code, str(request_read), str(answer_write), str(self.memory_mb)],
                pass_fds=(request_read, answer_write), env=environment, stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            os.close(request_read)
            os.close(answer_write)
        self._send = Connection(request_write, readable=False)
        self._receive = Connection(answer_read, writable=False)
        self.started += 1
        if not self._receive.poll(START_TIMEOUT) or self._receive.recv() != READY:
            self._stop()
            raise WorkerFailed("the template renderer did not start", timed_out=False)
        return self._send, self._receive

    def _stop(self) -> int | None:
        """Kill and reap the child (if any); its exit code."""
        for connection in (self._send, self._receive):
            if connection is not None:
                connection.close()
        self._send = self._receive = None
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.kill()
        return process.wait()

    def close(self) -> None:
        with self._lock:
            self._stop()


_workers: dict[int, RenderWorker] = {}
_workers_lock = threading.Lock()


def worker_for(budget: RenderBudget) -> RenderWorker:
    """One worker per memory budget for the whole process, shared by every mailbox's Templates."""
    with _workers_lock:
        if budget.memory_mb not in _workers:
            _workers[budget.memory_mb] = RenderWorker(budget.memory_mb)
        return _workers[budget.memory_mb]


@atexit.register
def _close_all() -> None:
    for worker in list(_workers.values()):
        worker._stop()
