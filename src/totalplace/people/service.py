"""People and their roles in a place: accounts, invitations, memberships.

Roles (docs/security.md): a lead administers the place; an analyst reads everything in
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
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from totalplace.core.problems import TotalplaceError
from totalplace.core.registry import PackageFile
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.people.tables import Invitation, Membership, User
from totalplace.places import tables as place_tables

ROLES = ("lead", "analyst", "contributor", "viewer")
_hasher = PasswordHasher()
# Verifying against this keeps a wrong e-mail as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD = 12


class PeopleError(TotalplaceError, ValueError):
    """A request about people that cannot be met; the message says why."""

    code: ClassVar[str] = "people-request"


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PeopleError(f"Choose a password of at least {MIN_PASSWORD} characters.")


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def create_user(session: Session, email: str, name: str, password: str) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise PeopleError("Enter an email address, like name@council.gov.uk.")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise PeopleError(f"There is already an account for {email}.")
    check_password(password)
    user = User(
        email=email,
        name=name.strip() or email,
        password_hash=_hasher.hash(password),
        created_at=store_base.now(),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(store: Store, email: str, password: str) -> Person | None:
    with store.sessions() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.password_hash:
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


def grant(session: Session, user_id: int, place_id: str, role: str, agency_id: str | None) -> None:
    if role not in ROLES:
        raise PeopleError(f"{role!r} is not a role; choose one of {', '.join(ROLES)}.")
    if role == "contributor" and not agency_id:
        raise PeopleError("A contributor must be bound to one agency: choose it.")
    if role != "contributor":
        agency_id = None
    existing = session.get(Membership, (user_id, place_id))
    if existing is None:
        session.add(Membership(user_id=user_id, place_id=place_id, role=role, agency_id=agency_id))
    else:
        existing.role, existing.agency_id = role, agency_id


def invite(
    session: Session, place_id: str, email: str, role: str, agency_id: str | None, by: str
) -> str:
    """Returns the invitation token; only its hash is stored."""
    email = normalise_email(email)
    if "@" not in email:
        raise PeopleError("Enter an email address, like name@council.gov.uk.")
    if role not in ROLES:
        raise PeopleError(f"{role!r} is not a role; choose one of {', '.join(ROLES)}.")
    if role == "contributor":
        known = {a.agency_id for a in place_tables.agencies(session, place_id)}
        if agency_id not in known:
            raise PeopleError("A contributor must be bound to one of the place's agencies.")
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            token_hash=_digest(token),
            email=email,
            place_id=place_id,
            role=role,
            agency_id=agency_id if role == "contributor" else None,
            invited_by=by,
            created_at=store_base.now(),
        )
    )
    audit_store.audit(
        session, by, "invite", place_id, {"email": email, "role": role, "agency_id": agency_id}
    )
    return token


def invitation(session: Session, token: str) -> Invitation | None:
    found = session.get(Invitation, _digest(token))
    return None if found is None or found.accepted_at is not None else found


def accept_invitation(session: Session, token: str, name: str, password: str) -> Person:
    found = invitation(session, token)
    if found is None:
        raise PeopleError("This invitation link is not valid or has been used already.")
    user = session.scalar(select(User).where(User.email == found.email))
    if user is None:
        user = create_user(session, found.email, name, password)
    grant(session, user.id, found.place_id, found.role, found.agency_id)
    found.accepted_at = store_base.now()
    audit_store.audit(
        session, user.email, "accept-invitation", found.place_id, {"role": found.role}
    )
    return Person(user.id, user.email, user.name)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def change_password(session: Session, user_id: int, current: str, new: str) -> None:
    user = session.get(User, user_id)
    if user is None or not user.password_hash:
        raise PeopleError("There is no such account.")
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise PeopleError("Your current password is not right.") from None
    user.password_hash = hash_password(new)
    audit_store.audit(session, user.email, "change-password", None, {})


class PeopleOfPlace:
    """People are not place data: a replaced place keeps its members and invitations; a
    deleted place takes them with it. Nothing of theirs travels in the package."""

    paths: tuple[str, ...] = ()

    def export(self, store: Store, place_id: str) -> list[PackageFile]:
        return []

    def load(self, session: Session, place_id: str, files: dict[str, bytes], actor: str) -> None:
        return None

    def delete(self, session: Session, place_id: str, replacing: bool) -> list[str]:
        if not replacing:
            for model in (Invitation, Membership):
                session.execute(delete(model).where(model.place_id == place_id))
        return []


PLACE_DATA = PeopleOfPlace()
