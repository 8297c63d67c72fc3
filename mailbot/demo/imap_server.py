"""The demo's IMAP server: pymap's in-memory dict backend on 127.0.0.1, set up the way the bot needs it.

What a client should know about this server is listed in `mailbot.demo.embedded`'s docstring; the workarounds for
pymap's own problems (connection tasks collected mid-session, responses written in pieces) live here.
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import uuid
from collections.abc import Iterable
from contextlib import AsyncExitStack
from datetime import datetime
from typing import Any

from proxyprotocol.result import ProxyResultLocal
from proxyprotocol.sock import SocketInfo
from pymap.backend.dict import Config as _DictConfig
from pymap.backend.dict import DictBackend, Identity, Login
from pymap.concurrent import Subsystem
from pymap.imap import IMAPServer
from pymap.parsing.message import AppendMessage
from pymap.parsing.specials.flag import Flag
from pymap.user import UserMetadata
from pysasl.hashing import Cleartext

HOST = "127.0.0.1"
SERVER_NAME = "mailbot-demo"


class _DemoConfig(_DictConfig):
    """pymap's dict-backend config with a fixed greeting.

    The stock greeting calls ``socket.getfqdn()`` on every connection, which takes seconds on machines with slow
    reverse DNS (notably macOS); a demo must not stall on that.
    """

    @property
    def greeting(self) -> bytes:
        return b"Server ready " + SERVER_NAME.encode("ascii")


def _pymap_args(user: str, password: str, port: int) -> argparse.Namespace:
    """The options the ``pymap`` command line would have parsed; pymap's config constructors read them."""
    return argparse.Namespace(
        debug=False,
        host=HOST,
        port=port,
        cert=None,
        key=None,
        tls=False,
        inherited_sockets=None,
        proxy_protocol=None,
        passlib_cfg=None,
        skip_services=[],
        demo_data=False,
        demo_user=user,
        demo_password=password,
    )


async def start_imap(stack: AsyncExitStack, user: str, password: str, port: int,
                     more_users: dict[str, str] | None = None) -> tuple[DictBackend, int]:
    """Serve `user`'s in-memory mailbox (and one for each of `more_users`, user to password) on `port` (0: any
    free port) until `stack` closes; the backend and the port."""
    args = _pymap_args(user, password, port)
    # Cleartext: the password already sits in this process's memory, and pymap's default PBKDF2 (500,000
    # rounds) would be paid at startup and at every LOGIN (docs/operations.md). The asyncio subsystem keeps
    # pymap from starting its own thread pool, which would outlive stop().
    config = _DemoConfig.from_args(
        args,
        invalid_user_sleep=0.0,
        hash_context=Cleartext(),
        cpu_subsystem=Subsystem.for_asyncio(),
        ssl_context=ssl.create_default_context(ssl.Purpose.CLIENT_AUTH),  # never used: tls=False
        reject_dnsbl=False,
    )
    config.apply_context()
    login = Login(config)
    login.users_dict[user] = UserMetadata(config, user, password=password)
    for other, other_password in (more_users or {}).items():
        login.users_dict[other] = UserMetadata(config, other, password=other_password)
    backend = DictBackend(login, config)
    await backend.start(stack)
    imap_server = IMAPServer(login, config)

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # pymap's IMAPService goes through proxyprotocol's callback, which starts each connection with a bare
        # asyncio.create_task() and keeps no reference; from Python 3.12 the garbage collector can destroy
        # such a task mid-session ("Task was destroyed but it is pending!", the client sees EOF). Awaiting
        # the connection here keeps it inside the task that asyncio.start_server holds on to.
        sock_info = SocketInfo.get(writer, ProxyResultLocal(), unique_id=uuid.uuid4().bytes)
        await imap_server(reader, _CoalescingWriter(writer), sock_info)  # type: ignore[arg-type]  # duck-typed writer

    # IMAPService would also hide the server object, and we need it for the bound port.
    server = await asyncio.start_server(on_connect, host=HOST, port=port)
    stack.push_async_callback(close_server, server)
    return backend, server.sockets[0].getsockname()[1]


async def append_message(backend: DictBackend, user: str, data: bytes, when: datetime, folder: str,
                         flag_set: frozenset[Flag]) -> int:
    """Deliver `data` into `user`'s `folder` (created if missing) as received at `when`; its UID."""
    identity = Identity(user, backend.login, None, frozenset())
    async with identity.new_session() as session:
        mailbox_set = session.mailbox_set
        try:
            mailbox = await mailbox_set.get_mailbox(folder)
        except KeyError:
            await mailbox_set.add_mailbox(folder)
            mailbox = await mailbox_set.get_mailbox(folder)
        message = await mailbox.append(AppendMessage(data, when, flag_set), recent=True)
        return message.uid


async def close_server(server: asyncio.AbstractServer) -> None:
    server.close()
    await server.wait_closed()


class _CoalescingWriter:
    """A StreamWriter stand-in that sends each pymap response in one piece.

    pymap writes a response as many small ``write()`` calls ("* 1 FETCH (", "FLAGS", …) and asyncio sends each at
    once, so one line can reach the client in several TCP segments. imapclient's ``idle_check()`` reads without
    blocking and aborts on a partial line ("unterminated line: b'* 1 FETCH ('"), which made IDLE flaky. pymap
    always ``drain()``s after a whole response, so buffering until then sends complete lines together.
    """

    __slots__ = ("_pending", "_writer")

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._pending.append(bytes(data))

    def writelines(self, data: Iterable[bytes | bytearray | memoryview]) -> None:
        for chunk in data:
            self.write(chunk)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._writer.is_closing():
                self._writer.write(data)

    async def drain(self) -> None:
        self._flush()
        await self._writer.drain()

    def close(self) -> None:
        self._flush()
        self._writer.close()

    def __getattr__(self, name: str) -> Any:  # get_extra_info, is_closing, wait_closed, transport, …
        return getattr(self._writer, name)
