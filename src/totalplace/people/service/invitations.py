"""Invitations to a place: made by its lead, accepted once, within seven days.

An invitation never signs anyone in to an account that already exists: for an address
with an account, only that account, signed in with its own password, can accept it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.people.service.accounts import (
    NotFound,
    PeopleError,
    Person,
    check_role,
    create_user,
    grant,
    normalise_email,
    start_session,
    user_by_email,
)
from totalplace.people.service.accounts import digest as _digest
from totalplace.people.tables import Invitation, User
from totalplace.places.service import queries as place_queries

INVITATION_LIFE = timedelta(days=7)


@dataclass(frozen=True)
class InvitationView:
    """What the invitation page shows; `has_account` decides which form it offers."""

    id: int
    email: str
    place_id: str
    place_name: str
    role: str
    agency_id: str | None
    invited_by: str
    created_at: datetime
    expires_at: datetime
    has_account: bool
    expired: bool


@dataclass(frozen=True)
class InvitationLink:
    id: int
    email: str
    role: str
    token: str


@dataclass(frozen=True)
class Accepted:
    person: Person
    place_id: str
    token: str = ""  # a new session's cookie, for a person who made an account just now


def invite(
    store: Store, place_id: str, email: str, role: str, agency_id: str | None, by: str
) -> InvitationLink:
    with store.transaction() as session:
        return _invite(session, place_id, email, role, agency_id, by)


def _invite(
    session: Session, place_id: str, email: str, role: str, agency_id: str | None, by: str
) -> InvitationLink:
    email = normalise_email(email)
    if "@" not in email:
        raise PeopleError("Enter an email address, like name@council.gov.uk.", "email")
    check_role(role)
    if role == "contributor":
        known = {a.agency_id for a in place_queries.agencies(session, place_id)}
        if agency_id not in known:
            raise PeopleError(
                "A contributor must be bound to one of the place's agencies: choose it.",
                "agency_id",
            )
    token = secrets.token_urlsafe(32)
    at = store_base.now()
    made = Invitation(
        token_hash=_digest(token),
        email=email,
        place_id=place_id,
        role=role,
        agency_id=agency_id if role == "contributor" else None,
        invited_by=by,
        created_at=at,
        expires_at=at + INVITATION_LIFE,
    )
    session.add(made)
    session.flush()
    audit_store.audit(
        session,
        by,
        "invite",
        place_id,
        {"email": email, "role": role, "agency_id": made.agency_id, "invitation": made.id},
    )
    return InvitationLink(made.id, email, role, token)


def _usable(found: Invitation | None) -> Invitation | None:
    if found is None or found.accepted_at is not None or found.revoked_at is not None:
        return None
    return found if _aware(found.expires_at) > store_base.now() else None


def _view(session: Session, found: Invitation) -> InvitationView:
    place = place_queries.get_place(session, found.place_id)
    return InvitationView(
        id=found.id,
        email=found.email,
        place_id=found.place_id,
        place_name=place.name if place else found.place_id,
        role=found.role,
        agency_id=found.agency_id,
        invited_by=found.invited_by,
        created_at=_aware(found.created_at),
        expires_at=_aware(found.expires_at),
        has_account=user_by_email(session, found.email) is not None,
        expired=_aware(found.expires_at) <= store_base.now(),
    )


def invitation(store: Store, token: str) -> InvitationView | None:
    """The invitation behind a link, if it can still be accepted."""
    with store.sessions() as session:
        found = _usable(_by_token(session, token))
        return None if found is None else _view(session, found)


def _by_token(session: Session, token: str) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.token_hash == _digest(token)))


def accept_as_new(store: Store, token: str, name: str, password: str) -> Accepted:
    """A person without an account makes one and joins; they are signed in to it."""
    with store.transaction() as session:
        found = _usable(_by_token(session, token))
        if found is None:
            raise NotFound("This invitation link is not valid, has expired or has been used.")
        if user_by_email(session, found.email) is not None:
            raise PeopleError(
                f"There is already an account for {found.email}: sign in to accept.", "password"
            )
        user = create_user(session, found.email, name, password)
        _join(session, found, user)
        return Accepted(
            Person(user.id, user.email, user.name), found.place_id, start_session(session, user.id)
        )


def accept_as(store: Store, token: str, user_id: int) -> Accepted:
    """The signed-in owner of the invited address accepts; nobody else can."""
    with store.transaction() as session:
        found = _usable(_by_token(session, token))
        if found is None:
            raise NotFound("This invitation link is not valid, has expired or has been used.")
        user = session.get(User, user_id)
        if user is None or user.email != found.email:
            raise PeopleError(
                f"This invitation is for {found.email}. Sign out, then sign in as "
                f"{found.email} to accept it."
            )
        _join(session, found, user)
        return Accepted(Person(user.id, user.email, user.name), found.place_id)


def _join(session: Session, found: Invitation, user: User) -> None:
    grant(session, user.id, found.place_id, found.role, found.agency_id)
    found.accepted_at = store_base.now()
    audit_store.audit(
        session,
        user.email,
        "accept-invitation",
        found.place_id,
        {"role": found.role, "invitation": found.id},
    )


def pending(session: Session, place_id: str) -> list[InvitationView]:
    rows = session.scalars(
        select(Invitation)
        .where(
            Invitation.place_id == place_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.id)
    )
    return [_view(session, row) for row in rows]


def _pending_one(session: Session, place_id: str, invitation_id: int) -> Invitation:
    found = session.get(Invitation, invitation_id)
    if found is None or found.place_id != place_id:
        raise NotFound(f"There is no invitation {invitation_id} in this place.")
    if found.accepted_at is not None or found.revoked_at is not None:
        raise PeopleError(f"The invitation for {found.email} has already been accepted or revoked.")
    return found


def resend(store: Store, place_id: str, invitation_id: int, by: str) -> InvitationLink:
    """A new link for the same person and role; the old link stops working."""
    with store.transaction() as session:
        old = _pending_one(session, place_id, invitation_id)
        old.revoked_at = store_base.now()
        audit_store.audit(
            session, by, "revoke-invitation", place_id, {"email": old.email, "invitation": old.id}
        )
        return _invite(session, place_id, old.email, old.role, old.agency_id, by)


def revoke(store: Store, place_id: str, invitation_id: int, by: str) -> str:
    """Returns the address whose invitation was revoked."""
    with store.transaction() as session:
        found = _pending_one(session, place_id, invitation_id)
        found.revoked_at = store_base.now()
        audit_store.audit(
            session,
            by,
            "revoke-invitation",
            place_id,
            {"email": found.email, "invitation": found.id},
        )
        return found.email


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
