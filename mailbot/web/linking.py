"""Binding a web account to one Microsoft Entra ID identity: the token's tenant id (`tid`) and object id (`oid`).

Only these two claims identify a person: Microsoft documents `preferred_username` as changeable and `email` as
unverified and not guaranteed, so an account is never found, or linked, by an address. Used by the admin page and
by `mailbot users link`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.config.sections import GUID
from mailbot.store.accounts import AccountError
from mailbot.store.models import User


def clean_id(value: str, what: str) -> str:
    """A tenant or object id as Entra writes it (a GUID), lower-cased so the same id always compares equal."""
    value = value.strip()
    if not GUID.match(value):
        raise AccountError(f"{what} must be a GUID such as 0e4a1c1e-89a4-4e3b-9c27-2f6b8e7d1a55")
    return value.lower()


def find_linked(session: Session, tid: str, oid: str) -> User | None:
    return session.scalars(select(User).where(User.oidc_tid == tid.lower(), User.oidc_oid == oid.lower())
                           ).one_or_none()


def link(session: Session, user: User, tid: str, oid: str) -> None:
    """Bind `user` to (tid, oid); refused when another account already holds that identity."""
    tid, oid = clean_id(tid, "the tenant id"), clean_id(oid, "the object id")
    holder = find_linked(session, tid, oid)
    if holder is not None and holder.id != user.id:
        raise AccountError(f"that Microsoft identity is already linked to {holder.name!r}")
    user.oidc_tid, user.oidc_oid = tid, oid
    session.flush()


def unlink(user: User) -> None:
    user.oidc_tid, user.oidc_oid = None, None


__all__ = ["clean_id", "find_linked", "link", "unlink"]
