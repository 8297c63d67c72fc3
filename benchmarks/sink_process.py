"""The tests' aiosmtpd sink in a process of its own, as an SMTP server is in a deployment.

In the benchmark's own process the sink would share the interpreter (and its lock) with the bot, so every
millisecond the server spends on a reply would be charged to the bot as well. Run by harness.servers(): prints its
port, answers "clear" by forgetting the messages received, and stops when its
standard input closes.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from servers import SmtpSink  # noqa: E402


def main() -> None:
    sink = SmtpSink().start()
    print(sink.port, flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "clear":
                sink.clear()
                print("ok", flush=True)
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
