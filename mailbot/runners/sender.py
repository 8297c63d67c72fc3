"""The sender: replies go out beside the decision runner, from a process of its own (or, if so set, a thread).

Why a process: deciding is Python at work, sending is Python waiting for the mail server; in one process they take
turns at the interpreter's lock, and each slows the other (a 2,000-message backlog: decide and send overlapped
took as long as one after the other). A process of its own gives sending a core of its own.

What the process does is what the thread does: `Outbox.send_pending` for the cycle in hand, woken by news of each
committed decision, until the runner says it has finished; then it reports its figures. Between cycles it waits.

- It dies with its parent. A reader thread exits it the moment the socket to the parent closes, which the kernel
  does when the parent dies however it dies; so a sender can never go on sending beside a successor that has
  started to reconcile its `sending` rows. A crash of the pair is a crash of one process, as before.
- It ignores SIGINT and SIGTERM, which a terminal or systemd sends to every process of the group: the parent stops
  it (after the batch in hand) through `stop_requested`, as it stops its own runner.
- Its clock is the parent's: the moment of the parent's latest message (the tests' fake clocks included); with the
  real clock, its own.
- Its log records go to the parent's logging, over the same socket.
- It is a fresh interpreter (`python -m mailbot.runners.sender`), not a fork, so that no thread or lock of the parent is
  copied into it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from typing import Any

from mailbot.config import Settings
from mailbot.runners.send import Outbox, SendStats
from mailbot.mailserver.sentfolder import SentFolder
from mailbot.store.db import Database

log = logging.getLogger("mailbot.runners.sender")  # by name: in the sender process this module is __main__


class SenderError(RuntimeError):
    """The sender failed, or its process died, during a cycle. Nothing is lost: what it did not send stays queued."""


class Handoff:
    """News from the decision runner to the sender working beside it: replies were queued, or no more will come.

    The sender waits here between rounds instead of polling the outbox, and wakes at least every `tick` seconds so
    that a stop request is seen promptly.
    """

    def __init__(self, tick: float = 1.0) -> None:
        self._cond = threading.Condition()
        self._queued = False
        self._finished = False
        self._tick = tick

    def queued(self) -> None:
        with self._cond:
            self._queued = True
            self._cond.notify()

    def finish(self) -> None:
        with self._cond:
            self._finished = True
            self._cond.notify()

    def wait(self) -> bool | None:
        """True: replies were queued; None: nothing yet; False: the runner has finished."""
        with self._cond:
            self._cond.wait_for(lambda: self._queued or self._finished, timeout=self._tick)
            if self._finished:
                return False
            news, self._queued = self._queued, False
            return True if news else None


class SenderThread(threading.Thread):
    """One cycle's sender as a thread of the bot's own process (`smtp.sender = "thread"`)."""

    def __init__(self, outbox: Outbox, clock: Callable[[], datetime], should_stop: Callable[[], bool]) -> None:
        super().__init__(name="mailbot-sender", daemon=True)
        self.outbox, self.clock, self.should_stop = outbox, clock, should_stop
        self.handoff = Handoff()
        self.stats = SendStats()
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.stats = self.outbox.send_pending(self.clock, more=self.handoff.wait, should_stop=self.should_stop)
        except BaseException as exc:  # noqa: BLE001 - handed to the cycle, which raises it in its own thread
            self.error = exc

    def queued(self) -> None:
        self.handoff.queued()

    def result(self) -> SendStats:
        self.handoff.finish()
        self.join()
        if self.error is not None:
            raise self.error
        return self.stats


class SenderProcess:
    """The bot's side of the sender process: started once, serving one cycle after another.

    `begin` starts a cycle's sending, `queued` passes on news of a committed decision, `result` says the runner has
    finished and waits for the sender's figures. The process is `python -m mailbot.runners.sender`, talking over a socket
    pair (rather than multiprocessing's spawn, which would import the caller's main module again).
    """

    def __init__(self, settings: Settings, db_url: str, smtp_password: str | None, imap_password: str,
                 clock: Callable[[], datetime], real_clock: bool) -> None:
        self._clock = clock
        ours, theirs = socket.socketpair()
        try:
            self._process = subprocess.Popen([sys.executable, "-m", "mailbot.runners.sender", str(theirs.fileno())],
                                             pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        finally:
            theirs.close()  # the child's end: closed here, so that each side sees the other go
        self._socket = ours  # kept to shut down: closing a descriptor another thread is reading sends no EOF
        self._conn = Connection(os.dup(ours.fileno()))
        self._send_lock = threading.Lock()
        self._tell("start", settings, db_url, smtp_password, imap_password, real_clock,
                   logging.getLogger("mailbot").getEffectiveLevel())
        self._results: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._listener = threading.Thread(target=self._listen, name="mailbot-sender-reports", daemon=True)
        self._listener.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.poll() is None and self._listener.is_alive()

    def _tell(self, *message: Any) -> None:
        with self._send_lock:
            try:
                self._conn.send(message)
            except OSError as exc:  # it died: the cycle's result says so
                log.debug("sender process unreachable (%s)", type(exc).__name__)

    def _listen(self) -> None:
        """Log records go to our logging as they come; a cycle's result to whoever waits for it."""
        while True:
            try:
                kind, payload = self._conn.recv()
            except (EOFError, OSError):
                self._results.put(("died", None))
                return
            if kind == "log":
                record = logging.makeLogRecord(payload)
                logging.getLogger(record.name).handle(record)
            else:
                self._results.put((kind, payload))

    def begin(self) -> None:
        self._tell("begin", self._clock())

    def queued(self) -> None:
        self._tell("queued", self._clock())

    def stop_requested(self) -> None:
        """Called from a signal handler, which may have interrupted a `_tell` in this very thread: the message goes
        from a thread of its own, once the lock is free."""
        threading.Thread(target=self._tell, args=("stop", self._clock()), name="mailbot-sender-stop",
                         daemon=True).start()

    def result(self) -> SendStats:
        self._tell("finish", self._clock())
        kind, payload = self._results.get()
        if kind == "done":
            return payload  # type: ignore[no-any-return]
        if kind == "died":
            code = self._process.wait(timeout=5)
            raise SenderError(f"the sender process exited (code {code}); unsent replies stay queued for the next "
                              "cycle")
        raise SenderError(f"sending failed: {payload}")

    def close(self) -> None:
        """Closing our end ends the process (see the module's docstring); wait for it briefly."""
        with self._send_lock:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:  # already gone
                pass
            self._socket.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
        self._listener.join(timeout=5)
        self._conn.close()


class _PipeQueue:
    """The queue QueueHandler writes to: here, the socket to the parent (shared with the results, hence the lock)."""

    def __init__(self, conn: Connection, lock: threading.Lock) -> None:
        self._conn, self._lock = conn, lock

    def put_nowait(self, record: logging.LogRecord) -> None:
        with self._lock:
            self._conn.send(("log", record.__dict__))


class _News:
    """The sender's view of its parent: the cycle's Handoff, the parent's clock, and whether to stop."""

    def __init__(self, real_clock: bool) -> None:
        self._real_clock = real_clock
        self._cond = threading.Condition()
        self._begun = False
        self._now = datetime.now(timezone.utc)
        self.handoff = Handoff()
        self.stop = threading.Event()

    def now(self) -> datetime:
        return datetime.now(timezone.utc) if self._real_clock else self._now

    def read(self, conn: Connection) -> None:
        """The reader thread: apply each message; when the parent's end closes, end the process at once."""
        try:
            while True:
                kind, when = conn.recv()
                with self._cond:
                    self._now = when
                    if kind == "begin":
                        self.handoff = Handoff()
                        self._begun = True
                        self._cond.notify_all()
                if kind == "queued":
                    self.handoff.queued()
                elif kind == "finish":
                    self.handoff.finish()
                elif kind == "stop":
                    self.stop.set()
        except (EOFError, OSError):
            pass
        os._exit(0)  # the parent is gone (or has closed us): nothing may be sent beside a successor

    def next_cycle(self) -> Handoff:
        with self._cond:
            self._cond.wait_for(lambda: self._begun)
            self._begun = False
            return self.handoff


def serve(conn: Connection) -> None:
    """The sender process's main: one `send_pending` per cycle, for as long as the parent is there."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    try:
        _, settings, db_url, smtp_password, imap_password, real_clock, mailbot_level = conn.recv()
    except (EOFError, OSError):
        return
    lock = threading.Lock()
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(_PipeQueue(conn, lock))]  # type: ignore[arg-type]
    root.setLevel(logging.WARNING)
    logging.getLogger("mailbot").setLevel(mailbot_level)
    state = _News(real_clock)
    threading.Thread(target=state.read, args=(conn,), name="mailbot-sender-news", daemon=True).start()
    db = Database(db_url, migrate=False)
    outbox = Outbox(settings, db, smtp_password, SentFolder(settings, imap_password))
    while True:
        handoff = state.next_cycle()
        try:
            report: tuple[str, Any] = ("done", outbox.send_pending(state.now, more=handoff.wait,
                                                                   should_stop=state.stop.is_set))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it in its cycle
            log.error("sending failed (%s: %s)", type(exc).__name__, str(exc)[:300],
                      exc_info=log.isEnabledFor(logging.DEBUG))
            report = ("error", f"{type(exc).__name__}: {str(exc)[:300]}")
        with lock:
            conn.send(report)


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
