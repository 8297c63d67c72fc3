"""Shared pytest fixtures: real servers on loopback (implementation in tests/servers.py).

Fixtures
--------
``dovecot_server``   session: one private Dovecot for the whole run (it starts fast: docs/operations.md).
``dovecot_factory``  function: ``make(users=..., tls=...)`` -> a private started server.
``dovecot``          function: a brand-new user on that server (a :class:`DovecotAccount`),
                     so every test starts with an empty mailbox and never sees another's mail.
``smtp_sink``        function: a started :class:`SmtpSink` without AUTH.
``smtp_sink_factory`` function: ``make(credentials=..., auth_required=...)`` for AUTH tests;
                     every sink made is stopped after the test.
``postgres_url``     function: a fresh PostgreSQL database on ``$MAILBOT_TEST_DATABASE_URL``'s
                     server, dropped afterwards. Unset variable: skip. Set but unreachable: FAIL
                     (CI sets it, and a broken database must not pass as "skipped").
``sqlite_url``       function: ``sqlite:///<tmp_path>/mailbot.db``.
``db_url``           function, parametrised ``sqlite``/``postgresql``: one of the two above.
``database_url``     alias of ``db_url`` (same parameters), for code that prefers that name.
``make_bot``         function: a :class:`mailbot.testing.bots.BotFactory` on ``dovecot``, ``smtp_sink``, ``db_url``.

Values every test shares (WHEN, the request factory, a manual clock, a Facts factory, the seed scenario) are
in :mod:`mailbot.testing`, importable by the benchmarks too.

Missing ``dovecot`` binary: tests using it skip, unless ``MAILBOT_REQUIRE_SERVERS=1`` (CI),
then they fail. Every test that uses one of these fixtures is marked ``servers``, so
``pytest -m "not servers"`` runs the rest.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mailbot.testing.bots import BotFactory
from mailbot.testing.identity_provider import IdentityProvider

try:  # tests/ is a rootdir-style directory (no __init__.py): pytest puts it on sys.path
    from servers import (
        DEFAULT_DOMAIN,
        DEFAULT_PASSWORD,
        DovecotAccount,
        DovecotNotInstalled,
        DovecotServer,
        SmtpSink,
        make_postgres_database,
    )
except ImportError:  # pragma: no cover - if someone turns tests/ into a package
    from tests.servers import (  # type: ignore[no-redef]  # the same names by the package path
        DEFAULT_DOMAIN,
        DEFAULT_PASSWORD,
        DovecotAccount,
        DovecotNotInstalled,
        DovecotServer,
        SmtpSink,
        make_postgres_database,
    )

SERVER_FIXTURES = frozenset(
    {
        "dovecot_server",
        "dovecot",
        "dovecot_factory",
        "smtp_sink",
        "smtp_sink_factory",
        "postgres_url",
        "db_url",
        "database_url",
        "dovecot_oauth",
        "dovecot_oauth_server",
    }
)


@pytest.fixture(autouse=True)
def _fresh_login_memory() -> Iterator[None]:
    """Refused logins are remembered per process (mailserver/logins.py); each test starts without any."""
    from mailbot.mailserver import logins

    logins.forget()
    yield
    logins.forget()


def servers_required() -> bool:
    """CI sets MAILBOT_REQUIRE_SERVERS=1 so a missing server fails instead of skipping."""
    return os.environ.get("MAILBOT_REQUIRE_SERVERS", "") not in ("", "0", "false", "no")


def pytest_configure(config: pytest.Config) -> None:
    # SmtpSink offers AUTH without TLS on purpose (loopback tests); aiosmtpd warns each time.
    config.addinivalue_line(
        "filterwarnings", "ignore:Requiring AUTH while not requiring TLS:UserWarning"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses a real-server fixture as ``servers``."""
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


# --------------------------------------------------------------------------------------------
# Dovecot
# --------------------------------------------------------------------------------------------


def new_dovecot(**kwargs: Any) -> DovecotServer:
    """A DovecotServer (not started), or skip/fail the test if dovecot is not installed."""
    try:
        return DovecotServer(**kwargs)
    except DovecotNotInstalled as exc:
        if servers_required():
            pytest.fail(f"MAILBOT_REQUIRE_SERVERS=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    """One Dovecot for the session; its default user is foi@police.example.uk / secret."""
    server = new_dovecot()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot_factory() -> Iterator[Callable[..., DovecotServer]]:
    """``make(users=None, tls=False)`` -> a started private DovecotServer, closed afterwards.

    For tests that would disturb the shared server (crashes, TLS, odd users); each starts fast enough to be
    made per test (docs/operations.md).
    """
    servers: list[DovecotServer] = []

    def make(**kwargs: Any) -> DovecotServer:
        server = new_dovecot(**kwargs)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.close()


_user_numbers = itertools.count(1)


@pytest.fixture
def dovecot(dovecot_server: DovecotServer) -> Iterator[DovecotAccount]:
    """A fresh user (``foi-NNNN@police.example.uk`` / ``secret``) with an empty mailbox.

    A new user per test is cheaper and safer than emptying a shared mailbox: a connection
    the previous test left open cannot leak messages or flags into this one. If a test
    stopped the server, it is started again afterwards for the next test.
    """
    user = f"foi-{next(_user_numbers):04d}@{DEFAULT_DOMAIN}"
    account = dovecot_server.add_user(user, DEFAULT_PASSWORD)
    if not dovecot_server.running:
        dovecot_server.start()
    yield account
    if not dovecot_server.running:
        dovecot_server.start()


@pytest.fixture(scope="session")
def _session_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    idp = IdentityProvider().start(tmp_path_factory.mktemp("idp"))
    try:
        yield idp
    finally:
        idp.stop()


@pytest.fixture
def idp(_session_idp: IdentityProvider) -> IdentityProvider:
    """The loopback identity provider (mailbot/testing/identity_provider.py), emptied for each test."""
    _session_idp.reset()
    return _session_idp


@pytest.fixture(scope="session")
def dovecot_oauth_server(_session_idp: IdentityProvider) -> Iterator[DovecotServer]:
    """A Dovecot that also takes XOAUTH2 and OAUTHBEARER logins, checking each token with the identity provider."""
    server = new_dovecot(oauth2_introspection_url=_session_idp.introspection_url)
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot_oauth(dovecot_oauth_server: DovecotServer, idp: IdentityProvider) -> DovecotAccount:
    """A fresh mailbox on the OAuth Dovecot (it has a password too, for the test's own deliveries)."""
    user = f"foi-{next(_user_numbers):04d}@{DEFAULT_DOMAIN}"
    return dovecot_oauth_server.add_user(user, DEFAULT_PASSWORD)


# --------------------------------------------------------------------------------------------
# SMTP
# --------------------------------------------------------------------------------------------


@pytest.fixture
def smtp_sink_factory() -> Iterator[Callable[..., SmtpSink]]:
    """``make(credentials={"user": "pw"}, auth_required=False)`` -> a started SmtpSink."""
    sinks: list[SmtpSink] = []

    def make(**kwargs: Any) -> SmtpSink:
        sink = SmtpSink(**kwargs).start()
        sinks.append(sink)
        return sink

    yield make
    for sink in sinks:
        sink.stop()


@pytest.fixture
def smtp_sink(smtp_sink_factory: Callable[..., SmtpSink]) -> SmtpSink:
    """A started SMTP sink without AUTH on 127.0.0.1:``smtp_sink.port``."""
    return smtp_sink_factory()


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the server in MAILBOT_TEST_DATABASE_URL, dropped after the test."""
    base_url = os.environ.get("MAILBOT_TEST_DATABASE_URL", "").strip()
    if not base_url:
        pytest.skip("MAILBOT_TEST_DATABASE_URL is not set")
    import psycopg

    try:
        url, dropper = make_postgres_database(base_url)
    except psycopg.Error as exc:
        pytest.fail(
            f"MAILBOT_TEST_DATABASE_URL={base_url} is set but unusable: {exc}", pytrace=False
        )
    try:
        yield url
    finally:
        dropper()


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    """A SQLite file in the test's own tmp dir (absolute path: ``sqlite:////tmp/...``)."""
    return f"sqlite:///{tmp_path}/mailbot.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on SQLite and once on PostgreSQL (which follows postgres_url's
    skip/fail rules), because the bot must behave the same on both."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def database_url(db_url: str) -> str:
    """Alias of ``db_url`` (parametrised the same way)."""
    return db_url


@pytest.fixture
def make_bot(dovecot: DovecotAccount, smtp_sink: SmtpSink, db_url: str) -> Iterator[BotFactory]:
    """``make_bot(settings=None, *, smtp=None, smtp_password="", clock=utc_now)``: a real Bot on the test servers
    and on each database ``db_url`` gives (SQLite, and PostgreSQL when configured)."""
    factory = BotFactory(dovecot, smtp_sink, db_url)
    yield factory
    factory.close()
