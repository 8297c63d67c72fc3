"""What the digest says is coming: an OAuth credential about to expire, and the records the retention schedule will
dispose of in the next `retention.notice_days`. Apart from digest_contents (what has happened and what is due), as
both look ahead and each comes from its own part of the system (mailserver.oauth, store.retention)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from mailbot.config import Settings
from mailbot.replies.digest_model import AlertLine, DisposalLine
from mailbot.store.retention import plan


def credential_warnings(settings: Settings, today: date) -> list[AlertLine]:
    """The OAuth secret or certificate expires within EXPIRY_WARNING_DAYS (or has): renewing it takes an admin of
    the tenant, so staff hear of it while there is time to find one. Said in every digest until it is renewed."""
    from mailbot.mailserver.oauth import EXPIRY_WARNING_DAYS, credential_expiry

    try:
        found = credential_expiry(settings)
    except Exception:  # noqa: BLE001 - an unreadable secret is `mailbot doctor`'s to report; the digest goes out
        return []
    if found is None:
        return []
    what, expires = found
    left = (expires - today).days
    if left > EXPIRY_WARNING_DAYS:
        return []
    doc = "docs/google.md" if settings.oauth2.provider == "google" else "docs/microsoft365.md"
    when = (f"expired on {expires:%d %B %Y}: mailbot cannot read or send mail" if left < 0
            else f"expires on {expires:%d %B %Y}, in {left} day{'s' if left != 1 else ''}: after that mailbot "
                 "cannot read or send mail")
    return [AlertLine(f"The OAuth {what} that mailbot logs in to {settings.mailbox.address} with {when}. Ask your "
                      f"Microsoft 365 / Google administrator to make a new one before then ({doc}, \"Rotating the "
                      "secret\").", today, 1)]


def disposals(session: Session, settings: Settings, today: date) -> list[DisposalLine]:
    """What the retention schedule will dispose of in the next `notice_days` and nothing holds: each case by its
    reference, other records counted per rule (a robot's mail is not worth a line each)."""
    days = settings.retention.notice_days
    items = [i for i in plan(session, settings.mailbox.address, settings.retention_policy(), today,
                             horizon_days=days) if not i.verdict.holds and i.verdict.due is not None]
    lines = [DisposalLine(i.label, i.verdict.rule, max(i.verdict.due, today), i.removes)
             for i in items if i.record == "case" and i.verdict.due is not None]
    counted: dict[str, list[date]] = {}
    for item in items:
        if item.record != "case" and item.verdict.due is not None:
            counted.setdefault(item.verdict.rule, []).append(max(item.verdict.due, today))
    for rule, dues in sorted(counted.items()):
        plural = "s" if len(dues) != 1 else ""
        what = "staff mail" if rule == "staff_mail" else f"message{plural}"
        lines.append(DisposalLine(f"{len(dues)} {what}", rule, min(dues), next(i.removes for i in items
                                                                                 if i.verdict.rule == rule)))
    return sorted(lines, key=lambda line: (line.due, line.label))


__all__ = ["credential_warnings", "disposals"]
