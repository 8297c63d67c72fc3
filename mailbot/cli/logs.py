"""Where log lines go and in what shape: text for a person at a terminal, one JSON object a line for a collector."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")

# Libraries whose INFO lines say nothing an operator acts on: Alembic's "Context impl SQLiteImpl." at every
# start, APScheduler's job bookkeeping, IMAPClient's protocol chatter.
QUIET_LIBRARIES = ("alembic", "apscheduler", "imapclient")


class SkippedWakeFilter(logging.Filter):
    """APScheduler warns "maximum number of running instances reached" when new mail wakes a mailbox (IMAP IDLE,
    the demo's delivery) while its cycle is already running. That is by design, not a fault: the wake is
    remembered and the cycle in hand runs again as soon as it ends (Bot._scheduled_cycle). Any other APScheduler
    warning still shows."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in record.getMessage()


class JsonFormatter(logging.Formatter):
    """One object per line with the fields collectors index (time, level, logger, message), and the traceback
    as a field rather than as extra lines a collector would split into separate events."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, log_format: str = "text") -> None:
    """Messages are named by Message-ID and enquiry reference only; no module logs bodies or addresses at INFO."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=getattr(logging, level.upper()), handlers=[handler])  # a no-op under pytest
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    scheduler = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, SkippedWakeFilter) for f in scheduler.filters):
        scheduler.addFilter(SkippedWakeFilter())
