"""The checks `mailbot doctor` makes, one function each, so that an admin setting mailbot up for the first time
(or after a change) learns in one run what works and, for what does not, what to do.

Each returns a Check: passed, failed (with the fix) or skipped (with the reason). The ones that talk to the mail
servers log in exactly as the bot does (mailserver/imap.py, runners/send.py, mailserver/oauth), so a pass means
the bot will get in too; they send nothing unless asked to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from mailbot.config import ConfigError, Settings, require_for_run
from mailbot.mailserver.imap import Credential, ImapConnection
from mailbot.mailserver.oauth import EXPIRY_WARNING_DAYS, TokenSource, secret_names, token_source
from mailbot.mailserver.oauth import SECRETS as OAUTH_SECRETS
from mailbot.store.db import Database, alembic_config, upgrade

Status = Literal["ok", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def line(self) -> str:
        mark = {"ok": "✔", "fail": "✘", "skip": "–"}[self.status]
        fix = f" — fix: {self.fix}" if self.fix else ""
        return f"{mark} {self.name}: {self.detail}{fix}"


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def fail(name: str, detail: str, fix: str = "") -> Check:
    return Check(name, "fail", detail, fix)


def skip(name: str, why: str) -> Check:
    return Check(name, "skip", f"skipped: {why}")


def configuration(settings: Settings, path: str | None) -> Check:
    if path is None:
        return fail("configuration", "no configuration file", "pass --config FILE or set MAILBOT_CONFIG "
                    "(every key is in config/mailbot.example.toml)")
    try:
        require_for_run(settings)
    except ConfigError as exc:
        lines = str(exc).splitlines()
        return fail("configuration", "; ".join(lines), ("add them to " if len(lines) > 1 else "add it to ") + path)
    auth = f"IMAP by {settings.imap.auth}, SMTP by {settings.smtp.auth if settings.smtp_username else 'no AUTH'}"
    return ok("configuration", f"{path} loads; mailbox {settings.mailbox.address}; {auth}")


@dataclass
class Credentials:
    """What logs in, once read: the IMAP credential, the SMTP password, the token source."""

    imap: Credential | None = None
    smtp_password: SecretStr | None = None
    tokens: TokenSource | None = None


def secrets(settings: Settings, found: Credentials) -> Check:
    """Every secret the configuration needs is set and readable (filled into `found` for the checks after)."""
    missing: list[str] = []
    try:
        if settings.uses_oauth2 and settings.oauth2.missing():
            # The [oauth2] settings are reported under configuration; here only whether a credential is set.
            if all(settings.secret(name) is None for name in OAUTH_SECRETS[settings.oauth2.provider]):
                missing.append(f"oauth2 ({settings.oauth2.provider}): set {' or '.join(secret_names(settings))}")
        elif settings.uses_oauth2:
            found.tokens = token_source(settings)
    except ConfigError as exc:
        missing.append(str(exc))
    if settings.imap.auth == "oauth2":
        found.imap = found.tokens
    else:
        try:
            found.imap = settings.secret("imap_password")
        except ConfigError as exc:
            missing.append(str(exc))
        if found.imap is None and not any("IMAP_PASSWORD" in m for m in missing):
            missing.append("MAILBOT_IMAP_PASSWORD (or MAILBOT_IMAP_PASSWORD_FILE) is not set")
    if settings.smtp.auth == "password" and settings.smtp_username:
        try:
            found.smtp_password = settings.secret("smtp_password")
        except ConfigError as exc:
            missing.append(str(exc))
        if found.smtp_password is None and not any("SMTP_PASSWORD" in m for m in missing):
            missing.append("smtp.username is set but MAILBOT_SMTP_PASSWORD (or its _FILE) is not")
    if missing:
        return fail("secrets", "; ".join(missing), "set them in the service's environment (systemd: "
                    "LoadCredential= or EnvironmentFile= readable by the bot's user only)")
    names = ["IMAP password" if settings.imap.auth == "password" else None,
             "SMTP password" if found.smtp_password is not None else None,
             f"OAuth credential ({found.tokens.provider})" if found.tokens is not None else None]
    return ok("secrets", ", ".join(n for n in names if n) + " set")


def oauth_token(settings: Settings, tokens: TokenSource | None, today: date) -> list[Check]:
    """A token is issued now, and the credential does not expire within EXPIRY_WARNING_DAYS."""
    if not settings.uses_oauth2:
        return []
    if tokens is None:
        return [skip("OAuth token", "no credential (see secrets)")]
    checks: list[Check] = []
    try:
        token = tokens.token(fresh=True)
    except Exception as exc:  # noqa: BLE001 - TokenRefused/TokenUnavailable carry the advice; anything else named
        checks.append(fail("OAuth token", str(exc) if "OAuth" in str(exc) else f"{type(exc).__name__}: {exc}"))
    else:
        checks.append(ok("OAuth token", f"issued by {tokens.endpoint} for {settings.mailbox.address} (valid "
                                        f"{int(token.seconds_left() // 60)} min)"))
    checks += credential_expiry(settings, tokens, today)
    return checks


def credential_expiry(settings: Settings, tokens: TokenSource | None, today: date) -> list[Check]:
    expires = tokens.credential_expires() if tokens is not None else settings.oauth2.client_secret_expires
    if expires is None:
        if settings.oauth2.provider == "microsoft" and tokens is not None and not getattr(tokens, "certificate", False):
            return [skip("credential expiry", "oauth2.client_secret_expires is not set, so no warning can come "
                         "before the secret expires (set it to the date the Entra admin centre shows)")]
        return []
    what = ("certificate" if getattr(tokens, "certificate", False)
            else "service-account key" if settings.oauth2.provider == "google" else "client secret")
    left = (expires - today).days
    if left < 0:
        return [fail("credential expiry", f"the {what} expired on {expires:%d %B %Y}", _renew(settings))]
    if left <= EXPIRY_WARNING_DAYS:
        return [fail("credential expiry", f"the {what} expires on {expires:%d %B %Y}, in {left} days",
                     _renew(settings))]
    return [ok("credential expiry", f"the {what} expires on {expires:%d %B %Y}, in {left} days")]


def _renew(settings: Settings) -> str:
    doc = "docs/google.md" if settings.oauth2.provider == "google" else "docs/microsoft365.md"
    return f"make a new one and put it in {' or '.join(secret_names(settings))} ({doc}, \"Rotating the secret\")"


def imap_login(settings: Settings, credential: Credential | None) -> Check:
    imap = settings.imap
    name = "IMAP login"
    if credential is None:
        return skip(name, "no credential (see secrets)")
    where = f"{imap.host}:{imap.port} ({imap.security}) as {settings.imap_username}"
    try:
        with ImapConnection(imap, settings.imap_username, credential) as conn:
            mechanism = conn.mechanism
            present = {folder: conn.client.folder_exists(folder)
                       for folder in (imap.inbox, imap.processed_folder, imap.sent_folder, imap.quarantine_folder)}
    except Exception as exc:  # noqa: BLE001 - every failure is reported with its words, never raised at the admin
        said = str(exc) if "refused" in str(exc) else f"{type(exc).__name__}: {exc}"
        return fail(name, f"{where}: {said}", "check imap.host, imap.port and imap.security (tls is usually port "
                    "993), and that this machine may reach it" if "refused" not in said else "")
    if not present[imap.inbox]:
        return fail(name, f"{where} by {mechanism}: no folder {imap.inbox!r}", "set imap.inbox to the folder new "
                    "mail arrives in")
    missing = [folder for folder, exists in present.items() if not exists]
    note = f"; {', '.join(missing)} created at first run" if missing else ""
    return ok(name, f"{where} by {mechanism}; folders {', '.join(f for f, e in present.items() if e)}{note}")


def smtp_login(settings: Settings, db: Database, found: Credentials, send_test: str | None,
               now: Callable[[], datetime]) -> Check:
    """Connect and log in as the outbox does; send one short message only to `send_test`."""
    from mailbot.runners.send import Outbox

    smtp = settings.smtp
    name = "SMTP login"
    if smtp.auth == "oauth2" and found.tokens is None:
        return skip(name, "no OAuth credential (see secrets)")
    user = settings.smtp_username
    where = f"{smtp.host}:{smtp.port} ({smtp.security})" + (f" as {user}" if user else ", no AUTH (smtp.username "
                                                                                       "is empty)")
    outbox = Outbox(settings, db, found.smtp_password, tokens=found.tokens)

    async def conversation() -> str:
        client = outbox._client()
        await outbox._connect(client)
        try:
            if send_test:
                await client.send_message(_test_message(settings, send_test, now()))
                return f"; a test message went to {send_test}"
            return "; nothing sent (--send-test ADDRESS sends one)"
        finally:
            await client.quit()

    try:
        sent = asyncio.run(conversation())
    except Exception as exc:  # noqa: BLE001 - reported, with the fix where the message has none
        said = str(exc) if "refused" in str(exc) else f"{type(exc).__name__}: {exc}"
        return fail(name, f"{where}: {said}", "" if "refused" in said else "check smtp.host, smtp.port and "
                    "smtp.security (Exchange Online and Google: starttls on port 587)")
    return ok(name, where + sent)


def _test_message(settings: Settings, to: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mailbox.address
    message["To"] = to
    message["Subject"] = f"mailbot doctor: test message from {settings.mailbox.address}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=settings.mailbox.address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("This message was sent by `mailbot doctor --send-test` to show that mail from the FOI "
                        "mailbox reaches you. Nothing needs doing.\n")
    return message


def database(settings: Settings) -> tuple[Check, Database | None]:
    """Reachable, and its schema at this version's head (an older one is upgraded, as any start would)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    where = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        db = Database(settings.database_url, migrate=False)
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        script = ScriptDirectory.from_config(alembic_config(db.engine))
        head = script.get_current_head()
        known = {revision.revision for revision in script.walk_revisions()}
        if current is not None and current not in known:
            return fail("database", f"{where} is at schema {current}, which this mailbot does not know (a newer "
                        "version wrote it)", "run the mailbot version that wrote it, or restore a backup"), None
        note = f"schema at {head}"
        if current != head:
            upgrade(db.engine)
            # None: there was no database, and this check made it (as `run` would): say so where it is plain to
            # see, so that a mistyped data_dir or database.url is noticed rather than reported as a pass.
            note = (f"schema upgraded from {current} to {head}" if current else
                    f"there was none: created here at schema {head}, as `mailbot run` would; if the bot's "
                    "database is elsewhere, check data_dir / database.url")
    except (SQLAlchemyError, OSError) as exc:
        said = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0][:200]
        return fail("database", f"{where}: {said}", "check database.url, that the server runs and that the bot's "
                    "user may use it"), None
    return ok("database", f"{where}; {note}"), db


def templates(settings: Settings) -> Check:
    from mailbot.replies.check import check_templates

    report = check_templates(settings, settings.templates.dir or None)
    if report.problems:
        first = report.problems[0]
        return fail("templates", f"{len(report.problems)} problem(s), the first: {first}",
                    "`mailbot templates check` lists them; until fixed the shipped wording is sent instead")
    where = f" (with the overrides in {settings.templates.dir})" if settings.templates.dir else ""
    return ok("templates", f"{report.files} files compile and {report.renders} test renders pass{where}")


def calendar(settings: Settings, today: date) -> Check:
    """The bank holidays are known for this year and next in every UK nation (an out-of-date `holidays` package
    would silently count a bank holiday as a working day)."""
    import holidays

    thin = [f"{nation} {year}" for year in (today.year, today.year + 1) for nation in ("ENG", "WLS", "SCT", "NIR")
            if len(holidays.country_holidays("GB", subdiv=nation, years=year)) < 7]
    if thin:
        return fail("calendar", f"too few bank holidays known for {', '.join(thin)} (holidays "
                    f"{holidays.__version__})", "upgrade the holidays package")
    working = settings.working_calendar()
    due = working.add_working_days(today, settings.clock.working_days)
    return ok("calendar", f"holidays {holidays.__version__}; a request received today is due "
                          f"{due:%A %d %B %Y}")
