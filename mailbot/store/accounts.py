"""Web accounts and the staff audit trail: who may sign in, and who did what.

Passwords are hashed by the caller (mailbot/web/passwords.py); this module only stores hashes. Every staff action,
in the web app or at the command line, is one `StaffAction` row naming the person as they were called then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.store.models import StaffAction, User

ROLES = ("staff", "admin")


class AccountError(Exception):
    """An account change that cannot be made as asked; the message says why."""


def find_user(session: Session, name: str) -> User | None:
    """Sign-in names are compared without regard to case ("Alice" and "alice" are one person)."""
    return session.scalars(select(User).where(func.lower(User.name) == name.strip().lower())).one_or_none()


def add_user(session: Session, name: str, role: str, password_hash: str | None, *,
             display_name: str = "", mailboxes: tuple[str, ...] = ()) -> User:
    name = name.strip()
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise AccountError("a sign-in name is 1 to 64 characters without spaces")
    if find_user(session, name) is not None:
        raise AccountError(f"a user called {name!r} already exists")
    user = User(name=name, display_name=display_name or name, role=role, mailboxes=list(mailboxes),
                password_hash=password_hash, must_change_password=True, active=True)
    session.add(user)
    session.flush()
    return user


def record_action(session: Session, actor: str, action: str, *, via: str = "web", case_id: int | None = None,
                  inbound_id: int | None = None, **detail: Any) -> StaffAction:
    """Append one row to the staff audit trail. `detail` names things (references, template names, user names),
    never a message's words."""
    row = StaffAction(actor=actor, via=via, action=action, case_id=case_id, inbound_id=inbound_id, detail=detail,
                      at=datetime.now(UTC))
    session.add(row)
    return row


def recent_failures(session: Session, *, account: str | None = None, address: str | None = None,
                    window: timedelta = timedelta(minutes=15), now: datetime | None = None) -> int:
    """Failed sign-ins in the window, for one account name or one client address (throttling reads the audit
    trail, so it holds across restarts and across every instance of the web app)."""
    since = (now or datetime.now(UTC)) - window
    query = select(func.count()).select_from(StaffAction).where(
        StaffAction.action == "login_failed", StaffAction.at >= since)
    if account is not None:
        query = query.where(func.lower(StaffAction.actor) == account.strip().lower())
    if address is not None:
        query = query.where(StaffAction.detail["address"].as_string() == address)
    return int(session.scalar(query) or 0)


def actions_for_case(session: Session, case_id: int) -> list[StaffAction]:
    return list(session.scalars(select(StaffAction).where(StaffAction.case_id == case_id).order_by(StaffAction.id)))


__all__ = ["ROLES", "AccountError", "actions_for_case", "add_user", "find_user", "recent_failures",
           "record_action"]
