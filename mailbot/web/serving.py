"""The web app served from a background thread on a free loopback port: for `mailbot demo --serve` and the
browser tests, which run it beside other work in one process (`mailbot web` runs uvicorn in the foreground)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def serve_in_thread(app: Starlette, *, host: str = "127.0.0.1", port: int | None = None,
                    started_within: float = 10.0) -> Served:
    """Returns once the server accepts connections (or `started_within` seconds have passed)."""
    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()
    deadline = time.monotonic() + started_within
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return Served(f"http://{host}:{port}", server, thread)


__all__ = ["Served", "free_port", "serve_in_thread"]
