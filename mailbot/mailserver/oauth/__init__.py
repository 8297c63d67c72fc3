"""OAuth 2.0 for the mailbox logins: one token source per mailbox, from the provider its settings name.

The credential comes from the environment or a file only (config/secrets.py): MAILBOT_OAUTH2_CLIENT_SECRET,
MAILBOT_OAUTH2_CERTIFICATE (PEM: the private key and the certificate) or MAILBOT_OAUTH2_SERVICE_ACCOUNT (Google's
JSON key), each also as <NAME>_FILE, and per mailbox as MAILBOT_<MAILBOX>_OAUTH2_… like every other secret.
"""

from __future__ import annotations

from datetime import date

from mailbot.config import ConfigError, Settings
from mailbot.mailserver.oauth.tokens import Token, TokenRefused, TokenSource, TokenUnavailable

SECRETS = {
    "microsoft": ("oauth2_client_secret", "oauth2_certificate"),
    "google": ("oauth2_service_account",),
    "generic": ("oauth2_client_secret",),
}


def secret_names(settings: Settings) -> list[str]:
    """The environment variables one of which must hold the credential, as an admin would set them."""
    return [f"MAILBOT_{name.upper()} (or MAILBOT_{name.upper()}_FILE)" for name in SECRETS[settings.oauth2.provider]]


def token_source(settings: Settings) -> TokenSource:
    """The mailbox's token source; ConfigError (naming the variables to set) when its credential is missing or
    unreadable."""
    from mailbot.mailserver.oauth.generic import GenericTokens
    from mailbot.mailserver.oauth.google import GoogleTokens
    from mailbot.mailserver.oauth.microsoft import MicrosoftTokens

    oauth2 = settings.oauth2
    missing = oauth2.missing()
    if missing:
        raise ConfigError(missing)
    retry = min(settings.imap.login_retry_minutes, settings.smtp.login_retry_minutes)
    subject = settings.mailbox.address
    try:
        if oauth2.provider == "microsoft":
            secret = settings.secret("oauth2_client_secret")
            if secret is not None:
                return MicrosoftTokens(oauth2, secret.get_secret_value(), subject, retry_minutes=retry)
            certificate = settings.secret("oauth2_certificate")
            if certificate is not None:
                return MicrosoftTokens(oauth2, certificate.get_secret_value(), subject, retry_minutes=retry,
                                       certificate=True)
        elif oauth2.provider == "google":
            key = settings.secret("oauth2_service_account")
            if key is not None:
                return GoogleTokens(oauth2, key.get_secret_value(), subject, retry_minutes=retry)
        else:
            secret = settings.secret("oauth2_client_secret")
            if secret is not None:
                return GenericTokens(oauth2, secret.get_secret_value(), subject, retry_minutes=retry)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    raise ConfigError(f"oauth2 ({oauth2.provider}): set {' or '.join(secret_names(settings))}")


EXPIRY_WARNING_DAYS = 30  # a credential expiring within this many days: the digest warns, `mailbot doctor` fails


def credential_expiry(settings: Settings) -> tuple[str, date] | None:
    """Which OAuth credential expires and when, where that is known without asking the provider: a certificate's
    notAfter (read from MAILBOT_OAUTH2_CERTIFICATE) or oauth2.client_secret_expires. None when not known (or no
    OAuth); an unreadable certificate is for `mailbot doctor` to report, not for this."""
    from mailbot.mailserver.oauth.microsoft import load_certificate

    if not settings.uses_oauth2:
        return None
    if settings.oauth2.provider == "microsoft" and settings.secret("oauth2_client_secret") is None:
        certificate = settings.secret("oauth2_certificate")
        if certificate is not None:
            try:
                return "certificate", load_certificate(certificate.get_secret_value())[2]
            except ValueError:
                return None
    if settings.oauth2.client_secret_expires is not None:
        what = "service-account key" if settings.oauth2.provider == "google" else "client secret"
        return what, settings.oauth2.client_secret_expires
    return None


__all__ = [
    "EXPIRY_WARNING_DAYS", "SECRETS", "Token", "TokenRefused", "TokenSource", "TokenUnavailable", "credential_expiry",
    "secret_names", "token_source",
]
