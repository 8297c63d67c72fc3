"""Settings: one TOML file for everything an admin may change, the environment for every secret.

Every key is declared here with its lawful default; `config/mailbot.example.toml` documents each one. A key that is
unknown, mistyped or of the wrong type stops the program with one message naming it (exit status 2), because a
silently ignored setting in a statutory process is worse than a refusal to start.
"""


from mailbot.config.load import load_settings, settings_from_mapping
from mailbot.config.secrets import Secret, as_secret, secret
from mailbot.config.sections import ConfigError, ImapSettings, SmtpSettings
from mailbot.config.settings import Settings, require_for_run

__all__ = [
    "ConfigError", "ImapSettings", "Secret", "Settings", "SmtpSettings", "as_secret", "load_settings",
    "require_for_run", "secret", "settings_from_mapping",
]
