"""What OAuth costs per login, against a password: Dovecot (oauth2 passdb, one RFC 7662 introspection per login) on
loopback, tokens from the loopback identity provider over HTTPS.

    .venv/bin/python benchmarks/bench_oauth_logins.py

Figures (medians of 30): a password LOGIN; an XOAUTH2 login with a cached token; a token from the endpoint through
msal (a new msal application: its authority discovery plus the token request, as after a refusal); one from msal's
own cache; a Google service-account token (a signed JWT assertion) through google-auth.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import ROOT  # noqa: F401  # puts tests/ on sys.path
from servers import DovecotServer

from mailbot.config import settings_from_mapping
from mailbot.mailserver.imap import ImapConnection
from mailbot.mailserver.oauth import token_source
from mailbot.testing.identity_provider import CLIENT_ID, TENANT, IdentityProvider
from mailbot.testing.keys import service_account_key

RUNS = 30


def median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    directory = Path(tempfile.mkdtemp())
    idp = IdentityProvider().start(directory)
    server = DovecotServer(oauth2_introspection_url=idp.introspection_url).start()
    try:
        account = server.account()
        idp.register(CLIENT_ID, account.user, secret="s")
        os.environ["MAILBOT_OAUTH2_CLIENT_SECRET"] = "s"
        settings = settings_from_mapping({
            "mailbox": {"address": account.user},
            "imap": {"host": account.host, "port": account.port, "auth": "oauth2"},
            "oauth2": {"tenant_id": TENANT, "client_id": CLIENT_ID, "authority": idp.authority,
                       "ca_file": str(idp.cafile)}})
        password = settings_from_mapping({"imap": {"host": account.host, "port": account.port}})
        from pydantic import SecretStr

        def login(imap: object, credential: object) -> None:
            with ImapConnection(imap, account.user, credential):  # type: ignore[arg-type]
                pass

        secret = SecretStr(account.password)
        print(f"password LOGIN:                     {median_ms(lambda: login(password.imap, secret)):6.1f} ms")
        source = token_source(settings)
        source.token()
        print(f"XOAUTH2 login, cached token:        {median_ms(lambda: login(settings.imap, source)):6.1f} ms")
        print(f"msal token from the endpoint:       {median_ms(lambda: source.token(fresh=True)):6.1f} ms"
              "  (authority discovery + token request)")
        print(f"msal token from msal's own cache:   {median_ms(lambda: source._fetch(fresh=False)):6.1f} ms")
        key, pair = service_account_key(idp.google_token_url)
        idp.register("mailbot@council-mail.iam.gserviceaccount.com", account.user, public_key=pair.public_key())
        os.environ["MAILBOT_OAUTH2_SERVICE_ACCOUNT"] = key
        google = settings_from_mapping({"mailbox": {"address": account.user},
                                        "oauth2": {"provider": "google", "ca_file": str(idp.cafile)},
                                        "imap": {"auth": "oauth2"}})
        google_source = token_source(google)
        print(f"google-auth token (JWT assertion):  {median_ms(lambda: google_source.token(fresh=True)):6.1f} ms")
    finally:
        server.close()
        idp.stop()


if __name__ == "__main__":
    sys.exit(main())
