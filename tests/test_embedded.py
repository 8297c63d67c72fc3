"""The embedded demo servers, exercised for real: pymap over TCP with imapclient, aiosmtpd with aiosmtplib.

``mailbot demo`` is the first thing a newcomer runs, so these tests pin both what the bot needs from the servers
(APPEND with a past INTERNALDATE, SEARCH, FETCH, MOVE, APPEND to Sent, SMTP capture, clean shutdown) and the
pymap quirks documented in ``mailbot.demo.embedded``: if a pymap upgrade changes one, a test here says so.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import aiosmtplib
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from mailbot.demo.embedded import DEFAULT_USER, EmbeddedMailServers

pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("error")]

PASSWORD = "correct horse battery staple"
BST = timezone(timedelta(hours=1))

REQUEST = (
    b"From: Jane Citizen <jane@example.org>\r\n"
    b"To: foi@police.example.uk\r\n"
    b"Subject: Freedom of Information request - speed cameras\r\n"
    b"Message-ID: <req-1@example.org>\r\n"
    b"Date: Fri, 01 Jul 2022 10:15:00 +0100\r\n"
    b"\r\n"
    b"Dear Police,\r\nPlease send me the number of speed cameras.\r\n"
)


@pytest.fixture
def servers() -> Iterator[EmbeddedMailServers]:
    with EmbeddedMailServers(password=PASSWORD) as s:
        yield s


@pytest.fixture
def client(servers: EmbeddedMailServers) -> Iterator[IMAPClient]:
    c = servers.imap_client()
    yield c
    try:
        c.logout()
    except (IMAPClientError, OSError):
        c.shutdown()


def _fetch_one(client: IMAPClient, uid: int) -> dict[bytes, Any]:
    data = client.fetch([uid], ["BODY.PEEK[]", "INTERNALDATE", "FLAGS"])
    assert list(data) == [uid]
    return data[uid]


def test_starts_fast_on_free_ports_with_the_documented_attributes() -> None:
    with EmbeddedMailServers(password=PASSWORD) as s:
        assert (s.imap_host, s.smtp_host) == ("127.0.0.1", "127.0.0.1")
        assert s.imap_port > 0 and s.smtp_port > 0 and s.imap_port != s.smtp_port
        assert (s.user, s.password) == (DEFAULT_USER, PASSWORD)
        assert s.running
        assert s.sent == []


def test_given_ports_and_user_are_used() -> None:
    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    with EmbeddedMailServers(password="pw", user="demo@example.gov.uk", imap_port=ports[0], smtp_port=ports[1]) as s:
        assert (s.imap_port, s.smtp_port) == (ports[0], ports[1])
        c = IMAPClient(s.imap_host, port=ports[0], ssl=False)
        c.login("demo@example.gov.uk", "pw")
        c.logout()


def test_port_in_use_fails_start_and_leaves_no_thread() -> None:
    threads_before = set(threading.enumerate())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            EmbeddedMailServers(password=PASSWORD, imap_port=taken.getsockname()[1]).start()
    assert set(threading.enumerate()) == threads_before


def test_wrong_password_is_refused(servers: EmbeddedMailServers) -> None:
    c = servers.imap_client(login=False)
    with pytest.raises(LoginError):
        c.login(servers.user, "wrong")
    c.shutdown()


def test_append_with_a_2022_date_round_trips_through_fetch(servers: EmbeddedMailServers, client: IMAPClient) -> None:
    when_bst = datetime(2022, 7, 1, 10, 15, 42, tzinfo=BST)
    when_utc = datetime(2022, 12, 30, 23, 59, 59, tzinfo=UTC)
    uid_bst = servers.append(REQUEST, when_bst)
    uid_utc = servers.append(REQUEST.replace(b"req-1", b"req-2"), when_utc)

    client.select_folder("INBOX")
    assert client.search(["UID", "1:*"]) == [uid_bst, uid_utc]
    assert client.search("ALL") == [uid_bst, uid_utc]
    data = client.fetch([uid_bst, uid_utc], ["BODY.PEEK[]", "INTERNALDATE"])

    assert data[uid_bst][b"BODY[]"] == REQUEST
    assert data[uid_bst][b"INTERNALDATE"] == when_bst
    assert data[uid_bst][b"INTERNALDATE"].utcoffset() == timedelta(hours=1)  # the offset survives, not just the instant
    assert data[uid_utc][b"INTERNALDATE"] == when_utc
    assert data[uid_utc][b"INTERNALDATE"].utcoffset() == timedelta(0)
    # BODY.PEEK[] must not mark the request read.
    assert client.search("UNSEEN") == [uid_bst, uid_utc]


def test_append_normalises_bare_lf_and_rejects_naive_dates(servers: EmbeddedMailServers, client: IMAPClient) -> None:
    uid = servers.append(b"Subject: lf only\n\nline one\nline two\n", datetime(2022, 1, 3, 9, tzinfo=UTC))
    client.select_folder("INBOX")
    assert _fetch_one(client, uid)[b"BODY[]"] == b"Subject: lf only\r\n\r\nline one\r\nline two\r\n"
    with pytest.raises(ValueError, match="time-zone-aware"):
        servers.append(REQUEST, datetime(2022, 1, 3, 9))


def test_append_into_another_folder_creates_it_and_sets_flags(
    servers: EmbeddedMailServers, client: IMAPClient
) -> None:
    uid = servers.append(REQUEST, datetime(2022, 5, 5, 8, tzinfo=UTC), folder="Archive", flags=["\\Seen"])
    assert "Archive" in [name for _flags, _delim, name in client.list_folders()]
    client.select_folder("Archive")
    assert b"\\Seen" in _fetch_one(client, uid)[b"FLAGS"]


def test_the_bots_imap_workflow(servers: EmbeddedMailServers, client: IMAPClient) -> None:
    when = datetime(2022, 3, 14, 16, 5, 9, tzinfo=UTC)
    uid = servers.append(REQUEST, when)

    assert {b"MOVE", b"UIDPLUS", b"IDLE"} <= set(client.capabilities())
    assert b"STARTTLS" not in client.capabilities()  # plain TCP only
    assert [name for _flags, _delim, name in client.list_folders()] == ["INBOX"]
    client.create_folder("Processed")
    client.create_folder("Sent")
    assert sorted(name for _flags, _delim, name in client.list_folders()) == ["INBOX", "Processed", "Sent"]

    inbox = client.select_folder("INBOX")
    assert isinstance(inbox[b"UIDVALIDITY"], int) and inbox[b"UIDVALIDITY"] > 0
    assert inbox[b"EXISTS"] == 1
    uids = client.search(["UID", "1:*"])
    assert uids == [uid]
    fetched = client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])
    assert fetched[uid][b"BODY[]"] == REQUEST

    client.move(uids, "Processed")  # imapclient 4.1 returns None; the server does send COPYUID (see quirks test)
    assert client.search(["UID", "1:*"]) == []
    assert client.fetch([uid], ["INTERNALDATE"]) == {}

    processed = client.select_folder("Processed")
    assert processed[b"UIDVALIDITY"] != inbox[b"UIDVALIDITY"]  # per-mailbox, random
    [moved_uid] = client.search("ALL")
    moved = _fetch_one(client, moved_uid)
    assert moved[b"BODY[]"] == REQUEST
    assert moved[b"INTERNALDATE"] == when  # MOVE keeps the date of receipt

    reply = b"From: foi@police.example.uk\r\nTo: jane@example.org\r\nSubject: Re: FOI\r\n\r\nAcknowledged.\r\n"
    sent_at = datetime(2022, 3, 14, 17, 0, 1, tzinfo=BST)
    result = client.append("Sent", reply, flags=["\\Seen"], msg_time=sent_at)
    assert b"APPENDUID" in result
    sent = client.select_folder("Sent")
    [sent_uid] = client.search(["UID", "1:*"])
    assert f"APPENDUID {sent[b'UIDVALIDITY']} {sent_uid}".encode() in result
    sent_msg = _fetch_one(client, sent_uid)
    assert sent_msg[b"BODY[]"] == reply
    assert sent_msg[b"INTERNALDATE"] == sent_at  # an APPEND from the client keeps msg_time too
    assert b"\\Seen" in sent_msg[b"FLAGS"]


def test_pymap_quirks_the_bot_must_live_with(servers: EmbeddedMailServers, client: IMAPClient) -> None:
    """Each assertion is a documented quirk; if one fails, pymap changed and the docs in embedded.py need updating."""
    caps = set(client.capabilities())
    assert b"CONDSTORE" not in caps and b"ENABLE" not in caps and b"QRESYNC" not in caps

    first = servers.append(REQUEST, datetime(2022, 2, 1, tzinfo=UTC))
    second = servers.append(REQUEST.replace(b"req-1", b"req-2"), datetime(2022, 2, 2, tzinfo=UTC))
    assert (first, second) == (101, 102)  # UIDs start at 101 in a fresh mailbox

    selected = client.select_folder("INBOX")
    assert b"\\*" not in selected[b"PERMANENTFLAGS"]  # so custom keywords are not kept...
    client.add_flags([first], [b"$Processed"])  # ...and STORE still answers OK
    assert b"$Processed" not in client.get_flags([first])[first]
    assert client.search(["KEYWORD", "$Processed"]) == []

    # "UID n:*" always includes the highest UID, even when n is above it (RFC 3501): filter uid > last_seen.
    assert client.search(["UID", f"{second + 50}:*"]) == [second]
    # SEARCH ON/SINCE compare the INTERNALDATE's own calendar date, ignoring its offset (RFC 3501).
    late = servers.append(REQUEST, datetime(2022, 2, 3, 23, 30, tzinfo=timezone(timedelta(hours=-5))))
    client.noop()
    assert client.search(["ON", date(2022, 2, 3)]) == [late]
    assert client.search(["SINCE", date(2022, 2, 4)]) == []

    with pytest.raises(ValueError):
        client.fetch("1:*", ["FLAGS"])  # imapclient 4.1: pass a list of UIDs instead

    # MOVE answers with COPYUID; imapclient's move() discards it, the raw command shows it.
    client.create_folder("Processed")
    typ, _ = client._imap.uid("MOVE", str(first), "Processed")
    assert typ == "OK"
    copyuid = client._imap.untagged_responses.get("COPYUID", [b""])[-1].split()
    assert copyuid[1:] == [str(first).encode(), b"101"]
    # Moving a UID that no longer exists succeeds silently; moving to a missing folder says TRYCREATE.
    client.move([first], "Processed")
    with pytest.raises(IMAPClientError, match="TRYCREATE"):
        client.move([second], "No such folder")


def test_append_wakes_an_idling_client(servers: EmbeddedMailServers, client: IMAPClient) -> None:
    client.select_folder("INBOX")
    client.idle()
    uid = servers.append(REQUEST, datetime(2022, 6, 1, tzinfo=UTC))
    responses = client.idle_check(timeout=5)
    client.idle_done()
    assert (1, b"EXISTS") in responses
    assert client.search(["UID", "1:*"]) == [uid]


def test_imap_client_helper_sets_tcp_nodelay(servers: EmbeddedMailServers, client: IMAPClient) -> None:
    assert client.socket().getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    assert client.normalise_times is False
    client.select_folder("INBOX")
    for i in range(5):
        client.append("INBOX", REQUEST, msg_time=datetime(2022, 1, 1, i, tzinfo=UTC))
    assert len(client.search(["ALL"])) == 5


def test_smtp_captures_what_is_sent(servers: EmbeddedMailServers) -> None:
    message = (
        b"From: foi@police.example.uk\r\nTo: jane@example.org\r\nSubject: Re: FOI\r\n"
        b"Message-ID: <ack-1@police.example.uk>\r\n\r\nWe have received your request.\r\n.leading dot\r\n"
    )
    errors, response = asyncio.run(
        aiosmtplib.send(
            message,
            sender="foi@police.example.uk",
            recipients=["jane@example.org", "records@police.example.uk"],
            hostname=servers.smtp_host,
            port=servers.smtp_port,
            start_tls=False,
            use_tls=False,
        )
    )
    assert errors == {}
    assert response.startswith("OK")
    [sent] = servers.sent
    assert sent.mail_from == "foi@police.example.uk"
    assert sent.rcpt_tos == ("jane@example.org", "records@police.example.uk")
    assert sent.raw == message  # byte for byte, dot-stuffing undone
    assert servers.wait_for_sent(1) == [sent]

    servers.clear_sent()
    assert servers.sent == []


def test_smtp_auth_is_optional_but_checked(servers: EmbeddedMailServers) -> None:
    async def send(password: str) -> None:
        await aiosmtplib.send(
            b"Subject: authed\r\n\r\nhi\r\n",
            sender=servers.user,
            recipients=["jane@example.org"],
            hostname=servers.smtp_host,
            port=servers.smtp_port,
            start_tls=False,
            username=servers.user,
            password=password,
            timeout=5,
        )

    asyncio.run(send(PASSWORD))
    assert len(servers.sent) == 1
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as refused:
        asyncio.run(send("wrong"))
    assert refused.value.code == 535
    assert len(servers.sent) == 1


def test_shutdown_with_clients_still_connected_is_clean(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    threads_before = set(threading.enumerate())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        servers = EmbeddedMailServers(password=PASSWORD).start()
        assert len(set(threading.enumerate()) - threads_before) == 1

        idling = servers.imap_client()
        idling.select_folder("INBOX")
        idling.idle()
        busy = servers.imap_client()
        busy.select_folder("INBOX")
        servers.append(REQUEST, datetime(2022, 8, 8, tzinfo=UTC))
        smtp = socket.create_connection((servers.smtp_host, servers.smtp_port))
        assert smtp.recv(1024).startswith(b"220 ")
        smtp.sendall(b"EHLO client\r\nMAIL FROM:<a@example.org>\r\n")  # left mid-transaction

        servers.stop()  # raises if the thread has not ended within its timeout
        servers.stop()  # idempotent

        assert set(threading.enumerate()) == threads_before
        assert not servers.running
        for port in (servers.imap_port, servers.smtp_port):
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
        # The server side closed the clients' connections: reading reaches EOF instead of timing out.
        for c in (idling, busy):
            sock = c.socket()
            sock.settimeout(2)
            while sock.recv(65536):
                pass
            c.shutdown()
        smtp.close()
        with pytest.raises(RuntimeError, match="not running"):
            servers.append(REQUEST, datetime(2022, 8, 8, tzinfo=UTC))
        gc.collect()

    assert [str(w.message) for w in caught] == []
    bad = [r for r in caplog.records if r.levelno >= logging.WARNING or "destroyed" in r.getMessage()]
    assert bad == [], [r.getMessage() for r in bad]

