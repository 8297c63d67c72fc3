"""The HTTP client the token sources use (msal's `http_client`, google-auth's transport, the generic client).

requests lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE in the environment replace a session's own `verify`, so a CA file
the admin named in `oauth2.ca_file` would be silently ignored wherever those are set (they often are). This session
keeps it, and otherwise leaves the environment's settings (proxies included) as requests reads them.
"""

from __future__ import annotations

from typing import Any

import requests


class TokenSession(requests.Session):
    def __init__(self, ca_file: str = "") -> None:
        super().__init__()
        self.ca_file = ca_file

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> Any:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if self.ca_file:
            settings["verify"] = self.ca_file
        return settings
