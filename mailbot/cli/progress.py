"""`run --once` on a backlog, at a terminal: one status line that counts messages stored, judged and replies sent.

The runners already log each of these (by Message-ID, at INFO); the counter listens to those records instead of
threading a callback through every runner. It draws only when standard error is a terminal: under systemd, cron
or a pipe, `run --once` stays as quiet as before.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

# Which log record counts as what: (logger, the start of its format string) → the counter it moves.
COUNTED = {
    ("mailbot.runners.ingest", "stored %s"): "stored",
    ("mailbot.runners.decide", "decided %s"): "judged",
    ("mailbot.runners.send", "sent reply %s"): "replies sent",
}
REDRAW_SECONDS = 0.1  # at most ten redraws a second, however fast messages go


class ProgressLine(logging.Handler):
    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.counts = dict.fromkeys(COUNTED.values(), 0)
        self._drawn_at = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        for (name, start), counter in COUNTED.items():
            if record.name == name and isinstance(record.msg, str) and record.msg.startswith(start):
                self.counts[counter] += 1
                now = time.monotonic()
                if now - self._drawn_at >= REDRAW_SECONDS:
                    self._drawn_at = now
                    self.draw()
                return

    def text(self) -> str:
        return ", ".join(f"{counter} {count}" for counter, count in self.counts.items())

    def draw(self) -> None:
        self.stream.write(f"\r\033[Kmailbot: {self.text()}")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write(f"\r\033[Kmailbot: done: {self.text()}\n")
        self.stream.flush()


@contextmanager
def progress_on_terminal(stream: TextIO | None = None) -> Iterator[ProgressLine | None]:
    """Counts while the block runs, if `stream` (standard error) is a terminal; the final counts when it ends.
    The counted loggers are opened to INFO for the counter alone: the log handlers keep their own level."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield None
        return
    line = ProgressLine(stream)
    root = logging.getLogger()
    handler_levels = [(handler, handler.level) for handler in root.handlers]
    for handler, level in handler_levels:
        if level == logging.NOTSET:  # a handler without a level of its own keeps to the root logger's
            handler.setLevel(root.getEffectiveLevel())
    loggers = [logging.getLogger(name) for name in {name for name, _ in COUNTED}]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(line)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    try:
        yield line
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(line)
            logger.setLevel(level)
        for handler, level in handler_levels:
            handler.setLevel(level)
        line.finish()
