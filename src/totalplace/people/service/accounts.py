"""Accounts, passwords and memberships.

Roles (docs/web.md): a lead administers the place; an analyst reads everything in
it and builds counts; a contributor uploads and sees its own agency's drafts; a viewer
sees published material only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import ClassVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.core.problems import TotalplaceError
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.people import rules
from totalplace.people.tables import Membership, User, WebSession

ROLES = ("lead", "analyst", "contributor", "viewer")
# The invite form starts on the least powerful role.
LEAST_ROLE = "viewer"
_hasher = PasswordHasher()
# Verifying against this keeps a wrong e-mail as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD = rules.MIN_PASSWORD


class PeopleError(TotalplaceError, ValueError):
    """A request about people that cannot be met; the message says why.

    `field` names the form field to mark, where there is one.
    """

    code: ClassVar[str] = "people-request"

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message, field=field)
        self.field = field


class NotFound(PeopleError):
    """The member, invitation or link asked for is not in this place."""

    code: ClassVar[str] = "not-found"
    status: ClassVar[int] = 404


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str, email: str = "", name: str = "") -> None:
    problem = rules.password_problem(password, (email, name))
    if problem is not None:
        raise PeopleError(problem, "password")


def hash_password(password: str, email: str = "", name: str = "") -> str:
    check_password(password, email, name)
    return _hasher.hash(password)


def digest(token: str) -> str:
    """Tokens in links and cookies are kept only as this hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, email: str, name: str, password: str) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise PeopleError("Enter an email address, like name@council.gov.uk.", "email")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise PeopleError(f"There is already an account for {email}.", "email")
    user = User(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(password, email, name),
        created_at=store_base.now(),
    )
    session.add(user)
    session.flush()
    return user


def verify(user: User | None, password: str) -> bool:
    """Whether the password is this account's; as slow for no account as for a wrong one."""
    if len(password) > rules.MAX_PASSWORD:
        return False
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None and bool(user.password_hash)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(store: Store, email: str, password: str) -> Person | None:
    with store.sessions() as session:
        user = user_by_email(session, email)
        if user is None or not verify(user, password):
            return None
        return Person(user.id, user.email, user.name)


def person(session: Session, user_id: int) -> Person | None:
    user = session.get(User, user_id)
    return None if user is None else Person(user.id, user.email, user.name)


def memberships(session: Session, user_id: int) -> list[Membership]:
    return list(session.scalars(select(Membership).where(Membership.user_id == user_id)))


def membership(session: Session, user_id: int, place_id: str) -> Membership | None:
    return session.get(Membership, (user_id, place_id))


def members(session: Session, place_id: str) -> list[tuple[User, Membership]]:
    rows = session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.place_id == place_id)
        .order_by(User.email)
    )
    return [(user, member) for user, member in rows]


def check_role(role: str) -> None:
    if role not in ROLES:
        raise PeopleError(f"{role!r} is not a role; choose one of {', '.join(ROLES)}.", "role")


def grant(session: Session, user_id: int, place_id: str, role: str, agency_id: str | None) -> None:
    check_role(role)
    if role == "contributor" and not agency_id:
        raise PeopleError("A contributor must be bound to one agency: choose it.", "agency_id")
    if role != "contributor":
        agency_id = None
    existing = session.get(Membership, (user_id, place_id))
    if existing is None:
        session.add(Membership(user_id=user_id, place_id=place_id, role=role, agency_id=agency_id))
    else:
        existing.role, existing.agency_id = role, agency_id


def end_sessions_of(session: Session, user_id: int) -> None:
    """Every browser signed in as this person is signed out, on every server process."""
    for found in session.scalars(select(WebSession).where(WebSession.user_id == user_id)):
        session.delete(found)


def start_session(session: Session, user_id: int) -> str:
    """A new session for this account; returns the cookie's value (never stored)."""
    token = secrets.token_urlsafe(32)
    at = store_base.now()
    session.add(
        WebSession(
            id_hash=digest(token),
            user_id=user_id,
            csrf=secrets.token_urlsafe(32),
            created_at=at,
            last_seen_at=at,
        )
    )
    return token


def set_password(session: Session, user: User, password: str) -> None:
    """A new password ends every session of the account: a copied cookie dies with it."""
    user.password_hash = hash_password(password, user.email, user.name)
    end_sessions_of(session, user.id)


def change_password(store: Store, user_id: int, current: str, new: str) -> str:
    """Ends every session of the account (a copied cookie too) and returns a new one's
    cookie value for the browser that made the change."""
    with store.transaction() as session:
        user = session.get(User, user_id)
        if user is None or not user.password_hash:
            raise PeopleError("There is no such account.")
        if not verify(user, current):
            raise PeopleError("Your current password is not right.", "current")
        try:
            set_password(session, user, new)
        except PeopleError as exc:
            raise PeopleError(str(exc), "new") from None
        audit_store.audit(session, user.email, "change-password", None, {})
        return start_session(session, user.id)


def grant_account(
    store: Store,
    email: str,
    name: str,
    password: str,
    place_id: str,
    role: str,
    agency_id: str | None,
    actor: str,
    set_password_too: bool = False,
) -> str:
    """Give an account a role in a place, making the account if there is none (with this
    password) or, with `set_password_too`, giving an existing one this password. Returns
    the account's normalised email address."""
    with store.transaction() as session:
        user = user_by_email(session, email)
        if user is None:
            user = create_user(session, email, name, password)
        elif set_password_too:
            set_password(session, user, password)
        grant(session, user.id, place_id, role, agency_id)
        audit_store.audit(
            session,
            actor,
            "grant",
            place_id,
            {"email": user.email, "role": role, "agency_id": agency_id},
        )
        return user.email
