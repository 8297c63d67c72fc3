"""The IMAP edge: connecting (TLS verified by default) and the few commands ingest needs.

Kept apart from ingest so that the policy (what to fetch, when to move) reads without protocol noise.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Iterable, Sequence
from datetime import datetime

from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from pydantic import SecretStr

from mailbot.config import ImapSettings
from mailbot.mail.ids import ids_in
from mailbot.mailserver import logins
from mailbot.mailserver.oauth.advice import mailbox_advice
from mailbot.mailserver.oauth.tokens import TokenSource

log = logging.getLogger(__name__)


def header_value(header: bytes, name: str) -> str:
    """The first `name:` field of a header block, unfolded ("" if absent)."""
    text = header.decode("latin-1").replace("\r\n", "\n")
    unfolded = text.replace("\n ", " ").replace("\n\t", " ")
    prefix = f"{name.lower()}:"
    return next((line[len(prefix):].strip() for line in unfolded.split("\n") if line.lower().startswith(prefix)), "")


def tls_context(verify: bool, ca_file: str = "") -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file or None)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


# What logs in to the mailbox: its password, or (imap.auth = "oauth2") its token source.
Credential = SecretStr | TokenSource


def _server_said(exc: LoginError) -> str:
    said = str(exc).strip()
    if said[:2] in ("b'", 'b"') and said[-1:] == said[1:2]:  # imapclient gives the server's bytes' repr
        said = said[2:-1]
    return said[:200]


class ImapConnection:
    """One logged-in IMAP session. Use as a context manager; it logs out (or at least closes) on exit."""

    def __init__(self, settings: ImapSettings, username: str, password: Credential) -> None:
        """`password` is the password, or for `imap.auth = "oauth2"` the mailbox's token source."""
        self.settings = settings
        self.mechanism = "LOGIN"
        secret = password.key if isinstance(password, TokenSource) else password.get_secret_value()
        key = logins.login_key(settings.host, settings.port, username, secret)
        logins.check(key)  # credentials refused a moment ago are not tried again (account lockout)
        context = tls_context(settings.verify_certificates, settings.ca_file)
        self.client = IMAPClient(
            settings.host, port=settings.port, ssl=settings.security == "tls",
            ssl_context=context if settings.security == "tls" else None, timeout=settings.timeout_seconds,
        )
        try:
            if settings.security == "starttls":
                self.client.starttls(context)
            self._nodelay()
            if isinstance(password, TokenSource):
                self._oauth_login(username, password)
            else:
                self.client.login(username, password.get_secret_value())  # the one place it leaves its SecretStr
        except LoginError as exc:
            self.close()
            said = _server_said(exc)
            if isinstance(password, TokenSource):
                message = (f"IMAP login refused by {settings.host}:{settings.port} for user {username} ({said}) with "
                           f"a fresh OAuth token: {mailbox_advice(password.provider, 'IMAP')}")
            else:
                message = (f"IMAP login refused by {settings.host}:{settings.port} for user {username} ({said}): "
                           "check the password (MAILBOT_IMAP_PASSWORD or its _FILE) and that the account may use "
                           "IMAP")
            logins.refused(key, message, settings.login_retry_minutes * 60)
            raise logins.LoginRefused(message) from None
        except BaseException:
            self.close()
            raise
        logins.accepted(key)
        self.client.normalise_times = False  # keep INTERNALDATE's own offset: the date of receipt depends on it
        self.capabilities = {(c.decode() if isinstance(c, bytes) else str(c)).upper()
                             for c in self.client.capabilities()}

    def _oauth_login(self, username: str, source: TokenSource) -> None:
        """XOAUTH2 (or OAUTHBEARER where it is all the server offers, or where configured). A refusal of a cached
        token may only mean it expired or was revoked: one more try with a fresh one before it counts."""
        offered = {(c.decode() if isinstance(c, bytes) else str(c)).upper() for c in self.client.capabilities()}
        mechanism = source.settings.imap_mechanism
        if mechanism == "auto":
            mechanism = "oauthbearer" if "AUTH=OAUTHBEARER" in offered and "AUTH=XOAUTH2" not in offered \
                else "xoauth2"
        token = source.token()
        for attempt in (1, 2):
            try:
                if mechanism == "oauthbearer":
                    self.client.oauthbearer_login(username, token.value)
                else:
                    self.client.oauth2_login(username, token.value)
                self.mechanism = mechanism.upper()
                return
            except LoginError:
                if attempt == 2:
                    raise
                source.forget()
                token = source.token(fresh=True)
                log.info("IMAP server %s refused an OAuth token for %s: trying once with a fresh one",
                         self.settings.host, username)

    def _nodelay(self) -> None:
        # Without TCP_NODELAY every command waits on Nagle's algorithm (docs/operations.md, "How fast").
        sock = getattr(self.client, "socket", None)
        sock = sock() if callable(sock) else sock
        if isinstance(sock, socket.socket):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __enter__(self) -> ImapConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # noqa: BLE001 - a dead connection has nothing left to log out of
            try:
                self.client.shutdown()
            except Exception:  # noqa: BLE001
                pass

    def ensure_folder(self, name: str) -> None:
        if not self.client.folder_exists(name):
            self.client.create_folder(name)
            log.info("created IMAP folder %s", name)

    def select(self, folder: str) -> int:
        """Select a folder read-write and return its UIDVALIDITY."""
        info = self.client.select_folder(folder)
        return int(info[b"UIDVALIDITY"])

    def uids_after(self, last_uid: int) -> list[int]:
        # "UID n:*" always includes the highest UID even when it is below n, so filter.
        return sorted(uid for uid in self.client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)

    def fetch(self, uids: Sequence[int]) -> dict[int, tuple[bytes, datetime]]:
        """Raw bytes and INTERNALDATE; BODY.PEEK so that fetching never marks mail \\Seen."""
        data = self.client.fetch(list(uids), ["BODY.PEEK[]", "INTERNALDATE"])
        result: dict[int, tuple[bytes, datetime]] = {}
        for uid, item in data.items():
            raw = item.get(b"BODY[]")
            when = item.get(b"INTERNALDATE")
            if raw is not None and when is not None:
                result[int(uid)] = (bytes(raw), when)
        return result

    def message_ids(self, batch: int = 2000) -> dict[str, list[int]]:
        """Message-ID → UIDs in the selected folder: that one header of every message, fetched in batches. One pass
        over the folder, where a SEARCH per Message-ID would read every message's headers once per ID."""
        found: dict[str, list[int]] = {}
        uids = sorted(self.client.search("ALL"))
        for start in range(0, len(uids), batch):
            data = self.client.fetch(uids[start:start + batch], ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            for uid, item in data.items():
                header = next((bytes(v) for k, v in item.items() if bytes(k).startswith(b"BODY[HEADER")), b"")
                ids = ids_in(header_value(header, "message-id"))
                if ids:
                    found.setdefault(ids[0], []).append(int(uid))
        return found

    def delete(self, uids: Iterable[int]) -> None:
        """Remove messages from the selected folder for good (the retention schedule's server copies): with
        UIDPLUS only these UIDs are expunged, never another client's \\Deleted mail."""
        uids = list(uids)
        if not uids:
            return
        self.client.delete_messages(uids)
        if "UIDPLUS" in self.capabilities:
            self.client.uid_expunge(uids)
        else:
            self.client.expunge()

    def move(self, uids: Iterable[int], folder: str) -> None:
        uids = list(uids)
        if not uids:
            return
        if "MOVE" in self.capabilities:
            self.client.move(uids, folder)
        else:
            self.client.copy(uids, folder)
            self.client.delete_messages(uids)
            if "UIDPLUS" in self.capabilities:
                self.client.uid_expunge(uids)
            else:
                self.client.expunge()
