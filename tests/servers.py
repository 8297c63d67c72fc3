"""Real mail and database servers for tests, as plain importable classes.

Why real servers: the bot's correctness depends on what an actual IMAP server does with
INTERNALDATE, MOVE, UIDs and reconnects, and on what an actual SMTP server answers (4xx
deferrals, 5xx refusals, AUTH failures). Fakes would encode our own assumptions about those
protocols; these fixtures let the tests find out instead.

* :class:`DovecotServer` runs a private Dovecot (``dovecot -F``) on 127.0.0.1 from a config
  written into its own temp dir, so it never touches or collides with a system Dovecot.
* :class:`SmtpSink` is an in-process aiosmtpd server that records every message and can be
  told to defer/refuse the next deliveries.
* :func:`make_postgres_database` creates a throw-away PostgreSQL database.

The traps these classes avoid, with their figures, are in docs/operations.md ("Figures behind choices in the code").
"""

from __future__ import annotations

import base64
import email
import email.policy
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl as ssl_module
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

__all__ = [
    "DEFAULT_DOMAIN",
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "DovecotAccount",
    "DovecotNotInstalled",
    "DovecotServer",
    "ServerStartError",
    "SmtpMessage",
    "SmtpSink",
    "find_dovecot",
    "free_port",
    "make_postgres_database",
]

DEFAULT_USER = "foi@police.example.uk"
DEFAULT_PASSWORD = "secret"
DEFAULT_DOMAIN = "police.example.uk"

#: Special-use folders a real mailbox of this kind has; declared so tests see a realistic LIST.
SPECIAL_FOLDERS: dict[str, str] = {"Sent": r"\Sent", "Trash": r"\Trash", "Junk": r"\Junk"}


class ServerStartError(RuntimeError):
    """A test server did not come up; the message carries its log so CI output explains why."""


class DovecotNotInstalled(RuntimeError):
    """No ``dovecot`` binary: the conftest turns this into a skip (or a failure on CI)."""


def free_port(host: str = "127.0.0.1") -> int:
    """Ask the kernel for an unused TCP port.

    There is an unavoidable race between closing this socket and the server binding the port;
    callers retry start-up with a new port when the bind fails.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def find_dovecot() -> str | None:
    """Locate the dovecot binary; /usr/sbin is often missing from a non-root PATH."""
    for candidate in (shutil.which("dovecot"), "/usr/sbin/dovecot", "/usr/local/sbin/dovecot"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no {path.name})"
    return text[-limit:] if text else f"({path.name} is empty)"


@dataclass(frozen=True)
class ProcessEntry:
    """One line of the process table, as /proc/PID/stat gives it."""

    pid: int
    state: str  # "Z" for a zombie
    ppid: int
    pgrp: int

    def cmdline(self) -> bytes:
        try:
            with open(f"/proc/{self.pid}/cmdline", "rb") as f:
                return f.read()
        except OSError:
            return b""


def process_table() -> list[ProcessEntry]:
    """Every process this machine shows in /proc (one that ends while being read is left out)."""
    table: list[ProcessEntry] = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            # Fields after the parenthesised command: state, ppid, pgrp, ...
            fields = stat[stat.rfind(b")") + 2 :].split()
            table.append(ProcessEntry(int(entry.name), fields[0].decode(), int(fields[1]), int(fields[2])))
        except (OSError, ValueError, IndexError):
            continue
    return table


def _instance_processes(pgid: int, tag: str) -> list[int]:
    """PIDs of the live (non-zombie) processes of one Dovecot instance.

    A process belongs to the instance if it is in the master's process group or its command
    line names the instance's private temp dir (``tag``, e.g. ``dv-ab12cd``): Dovecot sets
    its children's titles to ``dovecot-<instance_name>/<service>``, which contains it. The
    second rule catches a process that left the group, so none can outlive stop() and keep
    the port or serve old sessions. Zombies are left out: they hold no sockets and are
    reaped by init (or the subreaper) whenever it gets round to it.
    """
    needle = tag.encode()
    found: list[int] = []
    for process in process_table():
        if process.state == "Z":
            continue
        if process.pgrp != pgid:
            cmdline = process.cmdline()
            if needle not in cmdline or b"dovecot" not in cmdline:
                continue
        found.append(process.pid)
    return found


def _signal_all(pids: Sequence[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _set_nodelay(client: IMAPClient) -> None:
    """Disable Nagle: without it every IMAP command waits for a delayed ACK (docs/operations.md)."""
    try:
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):  # pragma: no cover - best effort on odd sockets
        pass


_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


# --------------------------------------------------------------------------------------------
# Dovecot
# --------------------------------------------------------------------------------------------


class DovecotServer:
    """A private Dovecot IMAP server on 127.0.0.1, configured entirely from a temp dir.

    Why these choices (the figures are in docs/operations.md):

    * As root, Dovecot's login processes refuse to run as root and its mail processes refuse
      uid 0, so logins run as ``dovenull`` and mail is stored as ``nobody:nogroup``; hence the
      temp dir is created under /tmp (short: UNIX socket paths are limited to 108 bytes) and
      chmod 755 so ``nobody`` can reach the mail dir. Run as an ordinary user, everything runs
      as that user and without chroot instead (written for developers' machines; not
      exercised here, where tests and CI run as root).
    * ``base_dir``/``state_dir``/``log_path``/``instance_name`` all live in the temp dir so that
      several instances (parallel test runs, a system Dovecot) never share sockets or state.
    * Users come from ``passwd-file`` s with ``{PLAIN}`` passwords, one file per user, so
      :meth:`add_user` works at once while the server runs (see there).
    * ``mail_fsync = never`` keeps appends fast. Failed logins are answered at once (a
      ``nodelay`` passdb field, no anvil auth penalty): by default each one sleeps 0.5-2 s
      and every further failure from 127.0.0.1 slows later logins by 2, 4, 8 ... s.
    * Stopping signals the whole process group (see :meth:`_terminate`), which is much quicker.
    * Ready means the ``* OK`` greeting arrived: Dovecot accepts TCP before its login process
      works, so an open port alone proves nothing.

    ``tls=True`` generates a self-signed certificate (for 127.0.0.1/localhost) with the
    ``openssl`` CLI, enables STARTTLS on :attr:`port` and implicit TLS on :attr:`imaps_port`;
    trust it with ``ssl.create_default_context(cafile=server.cafile)``.
    """

    def __init__(
        self,
        users: dict[str, str] | None = None,
        *,
        tls: bool = False,
        host: str = "127.0.0.1",
        start_timeout: float = 10.0,
        dovecot_binary: str | None = None,
        oauth2_introspection_url: str | None = None,
    ) -> None:
        """``oauth2_introspection_url``: also accept XOAUTH2 and OAUTHBEARER logins, each token checked by RFC 7662
        introspection at that URL (Dovecot 2.3's oauth2 password database; the user is the answer's
        ``username``)."""
        binary = dovecot_binary or find_dovecot()
        if binary is None:
            raise DovecotNotInstalled(
                "dovecot binary not found (install Debian package dovecot-imapd)"
            )
        self.binary: str = binary
        self.host: str = host
        self.tls: bool = tls
        self.start_timeout: float = start_timeout
        self.oauth2_introspection_url = oauth2_introspection_url
        self.users: dict[str, str] = dict(users) if users is not None else {
            DEFAULT_USER: DEFAULT_PASSWORD
        }
        self.port: int = 0
        self.imaps_port: int | None = None
        self.dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._users_lock = threading.Lock()

    # -- paths -------------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        if self.dir is None:
            raise RuntimeError("DovecotServer has not been started")
        return self.dir / name

    @property
    def config_path(self) -> Path:
        return self._path("dovecot.conf")

    @property
    def log_path(self) -> Path:
        return self._path("dovecot.log")

    @property
    def passwd_dir(self) -> Path:
        """One passwd-file per user (see :meth:`add_user` for why)."""
        return self._path("passwd.d")

    @property
    def mail_root(self) -> Path:
        """``DIR/mail``; each user's home is ``DIR/mail/<user>`` with the Maildir inside."""
        return self._path("mail")

    @property
    def cafile(self) -> Path:
        """The self-signed certificate to trust (only with ``tls=True``)."""
        if not self.tls:
            raise RuntimeError("server was started without tls=True")
        return self._path("cert.pem")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log(self) -> str:
        """The server's log so far; attach it to assertion messages when a test is puzzling."""
        return _tail(self.log_path, limit=1_000_000)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> DovecotServer:
        """Create the temp dir and config (first time only) and start the server.

        Retries with a fresh port if the chosen one was grabbed in the meantime.
        """
        if self.running:
            return self
        if self.dir is None:
            self._prepare_dir()
        last_error: ServerStartError | None = None
        # Only the first start picks ports; restart() must keep them so clients can reconnect.
        attempts = 3 if self.port == 0 else 1
        for _ in range(attempts):
            if attempts > 1 or self.port == 0:
                self.port = free_port(self.host)
                self.imaps_port = free_port(self.host) if self.tls else None
            self._write_config()
            try:
                self._spawn_and_wait()
                return self
            except ServerStartError as exc:
                last_error = exc
                if "Address already in use" not in str(exc):
                    break
        assert last_error is not None
        raise last_error

    def _prepare_dir(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="dv-", dir="/tmp"))
        # nobody must traverse DIR to reach its mail; mkdtemp makes it 0700.
        os.chmod(self.dir, 0o755)
        for sub in ("run", "state", "mail", "passwd.d"):
            (self.dir / sub).mkdir()
        uid, gid = self._mail_ids()
        os.chown(self.mail_root, uid, gid)
        for user, password in self.users.items():
            self._write_passwd(user, password)
        if self.tls:
            self._make_certificate()

    @staticmethod
    def _is_root() -> bool:
        return os.geteuid() == 0

    def _mail_ids(self) -> tuple[int, int]:
        if self._is_root():
            nobody = pwd.getpwnam("nobody")
            return nobody.pw_uid, nobody.pw_gid
        return os.geteuid(), os.getegid()

    def _make_certificate(self) -> None:
        """Self-signed EC cert valid for 127.0.0.1 and localhost (EC: much faster than RSA)."""
        openssl = shutil.which("openssl")
        if openssl is None:
            raise ServerStartError("tls=True needs the openssl command")
        subprocess.run(
            [
                openssl, "req", "-x509", "-nodes", "-days", "2",
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-keyout", str(self._path("key.pem")), "-out", str(self._path("cert.pem")),
                "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ],
            check=True,
            capture_output=True,
        )

    def _write_config(self) -> None:
        d = self.dir
        assert d is not None
        if self._is_root():
            # Login processes refuse root; mail processes refuse uid 0 (see class docstring).
            internal_user, login_user = "root", "dovenull"
            userdb_ids = "uid=nobody gid=nogroup"
            chroot_lines = ""
        else:
            me = pwd.getpwuid(os.geteuid()).pw_name
            internal_user = login_user = me
            userdb_ids = f"uid={os.geteuid()} gid={os.getegid()}"
            # chroot needs root; without it an unprivileged Dovecot cannot start its logins.
            chroot_lines = "  chroot =\n"
        mailboxes = "".join(
            f"  mailbox {name} {{\n    special_use = {use}\n    auto = subscribe\n  }}\n"
            for name, use in SPECIAL_FOLDERS.items()
        )
        if self.tls:
            ssl_lines = (
                "ssl = yes\n"
                f"ssl_cert = <{d}/cert.pem\n"
                f"ssl_key = <{d}/key.pem\n"
                "ssl_min_protocol = TLSv1.2\n"
            )
            imaps_listener = (
                f"  inet_listener imaps {{\n    address = {self.host}\n"
                f"    port = {self.imaps_port}\n    ssl = yes\n  }}\n"
            )
        else:
            ssl_lines = "ssl = no\n"
            imaps_listener = "  inet_listener imaps {\n    port = 0\n  }\n"
        mechanisms, oauth2_passdb = "plain login", ""
        if self.oauth2_introspection_url:
            mechanisms = "plain login xoauth2 oauthbearer"
            self._path("dovecot-oauth2.conf.ext").write_text(
                "introspection_mode = post\n"
                f"introspection_url = {self.oauth2_introspection_url}\n"
                "username_attribute = username\n"
                "active_attribute = active\n"
                "active_value = true\n"
                "force_introspection = yes\n"
            )
            oauth2_passdb = (f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                             f"  args = {d}/dovecot-oauth2.conf.ext\n}}\n")
        config = f"""\
# Written by tests/servers.py for one test session; never a system config.
instance_name = mailbot-test-{d.name}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
protocols = imap
listen = {self.host}
default_internal_user = {internal_user}
default_login_user = {login_user}
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
auth_failure_delay = 0
auth_verbose = yes
# The first passdb authenticates nobody ("noauthenticate"): it only adds the field
# "nodelay", so a failed login is answered at once instead of after Dovecot's 0.5-2 s
# failure delay. The passwd-file passdb below still decides every login.
passdb {{
  driver = static
  args = noauthenticate=yes nodelay=yes
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {d}/passwd.d/%u
}}
{oauth2_passdb}userdb {{
  driver = static
  args = {userdb_ids} home={d}/mail/%u
}}
mail_location = maildir:~/Maildir
mail_fsync = never
# No stats process connections: a login that races shutdown otherwise waits 5 s for it.
stats_writer_socket_path =
namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}}}
protocol imap {{
  mail_max_userip_connections = 1000
}}
# No per-IP auth penalty (2, 4, 8 ... s after each failed login from 127.0.0.1): tests of
# wrong passwords and unknown users must not slow every later login down.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
{chroot_lines}  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
{imaps_listener}}}
"""
        if chroot_lines:
            for service in ("anvil",):
                config += f"service {service} {{\n{chroot_lines}}}\n"
        self.config_path.write_text(config)

    def _spawn_and_wait(self) -> None:
        stderr_path = self._path("dovecot.stderr")
        with open(stderr_path, "ab") as stderr:
            self._proc = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # a Ctrl-C in pytest must not race our SIGTERM
            )
        deadline = time.monotonic() + self.start_timeout
        last: str = ""
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                raise ServerStartError(
                    f"dovecot exited during start-up (port {self.port}).\n"
                    f"stderr:\n{_tail(stderr_path)}\nlog:\n{_tail(self.log_path)}"
                )
            try:
                with socket.create_connection((self.host, self.port), timeout=1.0) as sock:
                    greeting = sock.recv(512)
                if greeting.startswith(b"* OK"):
                    return
                last = repr(greeting)
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.005)
        self._terminate()
        raise ServerStartError(
            f"dovecot gave no '* OK' greeting on {self.host}:{self.port} within "
            f"{self.start_timeout}s (last: {last}).\nstderr:\n{_tail(stderr_path)}\n"
            f"log:\n{_tail(self.log_path)}"
        )

    def _terminate(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 10.0) -> None:
        """Signal Dovecot's whole process group and wait until every member is gone.

        Why the group and not just the master: a SIGTERM to the master alone leaves mail
        processes serving their clients after it exits (an IDLE-ing client never notices the
        "outage") and is slow. With the group-wide SIGTERM every client gets
        ``* BYE Server shutting down`` and the children exit at once (docs/operations.md).

        The master then sometimes idles in its own shutdown loop (0.1 s polls, or a fixed
        1 s sleep when it still has an unreaped child such as a readiness-probe login). Once
        it is the only live process left there is nothing more for it to do, so after a
        short grace period it gets SIGKILL, and its stale pid file is removed.
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return
        pgid = proc.pid  # start_new_session=True made the master a group leader
        tag = self.dir.name if self.dir is not None else f"pgid-{pgid}"
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        _signal_all(_instance_processes(pgid, tag), sig)
        deadline = time.monotonic() + timeout
        alone_since: float | None = None
        while True:
            members = _instance_processes(pgid, tag)
            if not members and proc.poll() is not None:
                break
            now = time.monotonic()
            if now > deadline:
                _signal_all(members, signal.SIGKILL)
                deadline = now + timeout  # SIGKILL cannot be ignored; wait for it to land
            elif members == [pgid]:  # only the master is left
                alone_since = alone_since or now
                if now - alone_since > 0.03:
                    proc.kill()
            time.sleep(0.002)
        if self.dir is not None:
            # A stale pid that the kernel reuses would make the next start refuse to run.
            (self.dir / "run" / "master.pid").unlink(missing_ok=True)

    def stop(self) -> None:
        """SIGTERM the server (all its processes) and wait; the temp dir and mail stay."""
        self._terminate()

    def kill(self) -> None:
        """SIGKILL every Dovecot process: a crash rather than a clean shutdown.

        Clients see the connection drop without a ``BYE``; :meth:`start` brings it back.
        """
        self._terminate(signal.SIGKILL)

    def restart(self) -> None:
        """Stop and start again on the same port with the same mail: a server outage."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop and delete the temp dir (set MAILBOT_KEEP_SERVER_DIRS=1 to keep it)."""
        self.stop()
        if self.dir is not None and not os.environ.get("MAILBOT_KEEP_SERVER_DIRS"):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- users -------------------------------------------------------------------------------

    def _write_passwd(self, user: str, password: str) -> None:
        path = self.passwd_dir / user
        tmp = path.with_name(f".{user}.tmp")
        tmp.write_text(f"{user}:{{PLAIN}}{password}\n")
        os.replace(tmp, path)  # atomic: the auth process may be reading it right now

    def add_user(self, user: str, password: str = DEFAULT_PASSWORD) -> DovecotAccount:
        """Add a user while the server runs; usable immediately.

        Why one passwd-file per user (``passwd.d/%u``): Dovecot re-checks a passwd-file at
        most once per second, so a user appended to one shared file could fail to log in
        for up to a second. A new file is read on first lookup. (Changing an existing
        user's password is still subject to that one-second re-check.)
        """
        if not user or user.startswith(".") or any(c in user for c in "/:\n\0"):
            raise ValueError(f"unusable user name {user!r}")
        if any(c in password for c in ":\n\0"):
            raise ValueError("password must not contain ':' or newlines")
        with self._users_lock:
            self.users[user] = password
            if self.dir is not None:
                self._write_passwd(user, password)
        return DovecotAccount(self, user, password)

    def account(self, user: str = DEFAULT_USER) -> DovecotAccount:
        """A handle bound to an existing user, with that user's helpers."""
        return DovecotAccount(self, user, self.users[user])

    def _password(self, user: str | None) -> tuple[str, str]:
        user = user or next(iter(self.users))
        return user, self.users[user]

    # -- IMAP helpers ------------------------------------------------------------------------

    def client(
        self,
        user: str | None = None,
        password: str | None = None,
        *,
        ssl: bool = False,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> IMAPClient:
        """A logged-in :class:`IMAPClient`; the caller logs out (use it as a context manager).

        ``ssl=True`` uses the implicit-TLS port, ``starttls=True`` upgrades the plain port;
        both need ``tls=True`` and trust :attr:`cafile`.
        """
        if user is None:
            user, default_password = self._password(None)
        else:
            default_password = self.users.get(user, "")
        context: ssl_module.SSLContext | None = None
        if ssl or starttls:
            context = ssl_module.create_default_context(cafile=str(self.cafile))
        port = self.imaps_port if ssl else self.port
        assert port is not None
        client = IMAPClient(
            self.host, port=port, ssl=ssl, ssl_context=context if ssl else None, timeout=timeout
        )
        _set_nodelay(client)
        try:
            if starttls:
                client.starttls(context)
            client.login(user, password if password is not None else default_password)
        except BaseException:
            client.shutdown()
            raise
        return client

    def append(
        self,
        raw: bytes,
        internaldate: datetime,
        folder: str = "INBOX",
        *,
        flags: Sequence[str | bytes] = (),
        user: str | None = None,
    ) -> int | None:
        """Deliver ``raw`` as if it had been received at ``internaldate``; returns its UID.

        IMAP APPEND with a date is how tests put mail "received" years ago into a mailbox:
        the bot must trust INTERNALDATE (statutory deadlines run from receipt), not ``Date:``.
        Pass an aware datetime; a naive one is taken as local time by imapclient.
        """
        with self.client(user) as client:
            response = client.append(folder, raw, flags=tuple(flags), msg_time=internaldate)
        match = _APPENDUID.search(response if isinstance(response, bytes) else b"")
        return int(match.group(1)) if match else None

    def list_messages(self, folder: str = "INBOX", *, user: str | None = None) -> list[
        tuple[int, bytes]
    ]:
        """``[(uid, raw bytes)]`` in UID order, read without setting ``\\Seen``."""
        with self.client(user) as client:
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search("ALL"))
            if not uids:
                return []
            data = client.fetch(uids, ["BODY.PEEK[]"])
        return [(uid, data[uid][b"BODY[]"]) for uid in uids if uid in data]

    def list_folders(self, *, user: str | None = None) -> list[str]:
        """Folder names as the server lists them (the bot creates the ones it needs)."""
        with self.client(user) as client:
            return sorted(name for _flags, _sep, name in client.list_folders())


class DovecotAccount:
    """One user's view of a :class:`DovecotServer`: what a test needs to configure the bot.

    The function-scoped ``dovecot`` fixture hands out one of these with a brand-new user, so
    tests share one fast server yet never see each other's mail.
    """

    def __init__(self, server: DovecotServer, user: str, password: str) -> None:
        self.server = server
        self.user = user
        self.password = password

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def maildir(self) -> Path:
        return self.server.mail_root / self.user / "Maildir"

    def client(self, **kwargs: Any) -> IMAPClient:
        """A logged-in IMAPClient for this user (see :meth:`DovecotServer.client`)."""
        return self.server.client(self.user, self.password, **kwargs)

    def append(
        self,
        raw: bytes,
        internaldate: datetime,
        folder: str = "INBOX",
        *,
        flags: Sequence[str | bytes] = (),
    ) -> int | None:
        return self.server.append(raw, internaldate, folder, flags=flags, user=self.user)

    def list_messages(self, folder: str = "INBOX") -> list[tuple[int, bytes]]:
        return self.server.list_messages(folder, user=self.user)

    def list_folders(self) -> list[str]:
        return self.server.list_folders(user=self.user)

    def restart(self) -> None:
        """Restart the whole server (it keeps every user's mail and its port)."""
        self.server.restart()

    def __repr__(self) -> str:
        return f"DovecotAccount({self.user!r} @ {self.host}:{self.port})"


# --------------------------------------------------------------------------------------------
# SMTP sink
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpMessage:
    """One accepted delivery, as the bot's relay would have received it."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage
    auth_login: str | None = None
    mail_options: list[str] = field(default_factory=list)


_STAGES = ("MAIL", "RCPT", "DATA")


class _SinkHandler:
    """aiosmtpd handler: records deliveries and plays back queued failures."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_MAIL(  # noqa: N802 - aiosmtpd calls handle_<VERB> by name
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        mail_options: list[str],
    ) -> str:
        failure = self.sink._take_failure("MAIL")
        if failure is not None:
            return failure
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd calls handle_<VERB> by name
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:
        failure = self.sink._take_failure("RCPT")
        if failure is not None:
            return failure
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - as above
        failure = self.sink._take_failure("DATA")
        if failure is not None:
            return failure
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):  # only when decode_data=True; kept for safety
            raw = raw.encode("utf-8", "surrogateescape")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        record = SmtpMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            raw=bytes(raw),
            message=parsed,  # type: ignore[arg-type]  # policy.default yields EmailMessage
            auth_login=login.decode("utf-8", "replace") if login else None,
            mail_options=list(envelope.mail_options),
        )
        self.sink._record(record)
        return "250 Message accepted for delivery"


class _OAuthSinkHandler(_SinkHandler):
    """As _SinkHandler, and AUTH XOAUTH2 (RFC-less, as Google and Microsoft define it), each token checked by the
    sink's ``oauth`` callable."""

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802 - aiosmtpd's name
        if len(args) > 1:
            response = args[1].encode()
        else:
            challenge = await server.challenge_auth("", encode_to_b64=False)
            if not isinstance(challenge, bytes):
                return AuthResult(success=False, handled=False)
            response = challenge
        try:
            decoded = base64.b64decode(response, validate=True).decode("utf-8")
            fields = dict(part.split("=", 1) for part in decoded.split("\x01") if "=" in part)
            user, token = fields["user"], fields["auth"].removeprefix("Bearer ")
        except (ValueError, KeyError, UnicodeDecodeError):
            return AuthResult(success=False, handled=False)
        check = self.sink.oauth
        ok = check is not None and check(user, token)
        with self.sink._cond:
            self.sink.auth_attempts.append((user, ok))
        if not ok:
            return AuthResult(success=False, handled=False)  # aiosmtpd answers 535 5.7.8
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))


class SmtpSink:
    """An in-process SMTP server on 127.0.0.1 that captures what the bot sends.

    Why in-process aiosmtpd: it starts in milliseconds, and lets a test both read back the
    exact bytes the bot sent and script the server's answers (:meth:`fail_next`) to prove the
    bot retries 4xx deferrals and gives up on 5xx refusals.

    With ``credentials`` set, AUTH PLAIN/LOGIN is offered (without TLS, which aiosmtpd would
    otherwise insist on) and checked; ``auth_required=True`` refuses mail before AUTH.
    """

    def __init__(
        self,
        *,
        credentials: dict[str, str] | None = None,
        auth_required: bool = False,
        host: str = "127.0.0.1",
        oauth: Callable[[str, str], bool] | None = None,
    ) -> None:
        """``oauth``: offer AUTH XOAUTH2 and accept a login when ``oauth(user, token)`` is true."""
        self.oauth = oauth
        self.host = host
        self.port = 0
        self.credentials = dict(credentials) if credentials else None
        self.auth_required = auth_required
        self._messages: list[SmtpMessage] = []
        self._failures: deque[tuple[str, str]] = deque()
        self._cond = threading.Condition()
        self._controller: Controller | None = None
        self.auth_attempts: list[tuple[str, bool]] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> SmtpSink:
        """Start serving; a sink that ran before comes back on the same port.

        Keeping the port is what lets a test model an SMTP outage: ``stop()``, let the bot
        fail to deliver, ``start()``, and the bot's unchanged configuration works again.
        """
        if self._controller is not None:
            return self
        last_error: Exception | None = None
        keep_port = self.port != 0
        for _ in range(1 if keep_port else 3):
            if not keep_port:
                self.port = free_port(self.host)
            kwargs: dict[str, Any] = {
                "hostname": self.host,
                "port": self.port,
                "ready_timeout": 10.0,
                "enable_SMTPUTF8": True,
            }
            if self.credentials is not None or self.oauth is not None:
                kwargs.update(
                    authenticator=self._authenticate,
                    auth_require_tls=False,
                    auth_required=self.auth_required,
                )
            handler = _OAuthSinkHandler(self) if self.oauth is not None else _SinkHandler(self)
            controller = Controller(handler, **kwargs)
            try:
                controller.start()
            except Exception as exc:  # noqa: BLE001 - whatever the start raised, the port raced away: try another
                last_error = exc
                continue
            self._controller = controller
            return self
        raise ServerStartError(f"SMTP sink did not start on port {self.port}: {last_error!r}")

    def restart(self) -> None:
        """Stop and start again on the same port, keeping the captured messages."""
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- behaviour ---------------------------------------------------------------------------

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
        auth_data: Any,
    ) -> AuthResult:
        # handled=False makes aiosmtpd answer 535 itself; otherwise a failed login hangs.
        if not isinstance(auth_data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        ok = self.credentials.get(login) == password
        with self._cond:
            self.auth_attempts.append((login, ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def fail_next(self, count: int = 1, reply: str = "451 4.3.0 try later", *,
                  stage: str = "DATA") -> None:
        """Make the next ``count`` commands at ``stage`` (MAIL, RCPT or DATA) answer ``reply``.

        DATA-stage failures are the usual relay deferral/refusal after the message was sent;
        RCPT-stage ``550 5.1.1`` models an unknown recipient.
        """
        stage = stage.upper()
        if stage not in _STAGES:
            raise ValueError(f"stage must be one of {_STAGES}")
        if not re.match(r"^[45]\d\d[ -]", reply):
            raise ValueError("reply must start with a 4xx or 5xx code, e.g. '451 4.3.0 later'")
        with self._cond:
            self._failures.extend((stage, reply) for _ in range(count))

    def _take_failure(self, stage: str) -> str | None:
        with self._cond:
            for i, (queued_stage, reply) in enumerate(self._failures):
                if queued_stage == stage:
                    del self._failures[i]
                    return reply
        return None

    def _record(self, record: SmtpMessage) -> None:
        with self._cond:
            self._messages.append(record)
            self._cond.notify_all()

    @property
    def messages(self) -> list[SmtpMessage]:
        """A snapshot copy of the accepted messages, safe to iterate while mail arrives."""
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        with self._cond:
            self._messages.clear()
            self._failures.clear()

    def wait_for(self, n: int = 1, timeout: float = 10.0) -> list[SmtpMessage]:
        """Block until at least ``n`` messages were accepted; raise AssertionError on timeout."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._messages) >= n, timeout=timeout):
                raise AssertionError(
                    f"expected {n} message(s) at the SMTP sink within {timeout}s, "
                    f"got {len(self._messages)}"
                )
            return list(self._messages)

    def __repr__(self) -> str:
        return f"SmtpSink({self.host}:{self.port}, {len(self._messages)} message(s))"


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------


def _psycopg_url(url: str) -> str:
    """psycopg understands ``postgresql://`` but not SQLAlchemy's ``postgresql+driver://``."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def make_postgres_database(
    base_url: str, *, prefix: str = "mailbot_test", connect_timeout: int = 5
) -> tuple[str, Callable[[], None]]:
    """Create a fresh, uniquely named database on ``base_url``'s server.

    Returns ``(url, dropper)``: ``url`` is ``base_url`` with the database name replaced
    (scheme and query kept, so ``postgresql+psycopg://`` stays usable by SQLAlchemy), and
    ``dropper()`` drops it ``WITH (FORCE)`` so a test that leaked a connection cannot block
    clean-up. A fresh database per test is why the tests can run migrations and assert on
    exact row counts without interfering with each other.

    The database ``base_url`` names need not exist: the new one is created from the server's maintenance
    database ``postgres`` (as ``createdb`` does), so a fresh server with only its default databases will do.

    Raises ``psycopg.OperationalError`` if the server is unreachable.
    """
    import psycopg
    from psycopg import sql

    name = f"{prefix}_{secrets.token_hex(6)}"
    admin_parts = urlsplit(_psycopg_url(base_url))
    admin_url = urlunsplit((admin_parts.scheme, admin_parts.netloc, "/postgres", admin_parts.query, ""))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=connect_timeout) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    parts = urlsplit(base_url)
    url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))

    def dropper() -> None:
        with psycopg.connect(
            admin_url, autocommit=True, connect_timeout=connect_timeout
        ) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    return url, dropper
