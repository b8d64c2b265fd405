"""What a lead does on the People page: roles, removal, reset links, unlocking."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.people.service import invitations, signin
from totalplace.people.service.accounts import (
    NotFound,
    PeopleError,
    Person,
    digest,
    end_sessions_of,
    grant,
    members,
    memberships,
    set_password,
)
from totalplace.people.tables import Membership, PasswordReset, User
from totalplace.places.service import queries as place_queries

RESET_LIFE = timedelta(hours=24)


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    email: str
    role: str
    agency_id: str | None
    waiting: bool  # in a sign-in back-off window now


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str


@dataclass(frozen=True)
class PeoplePage:
    place_name: str
    members: list[Member]
    pending: list[invitations.InvitationView]
    agencies: list[Agency]


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    detail: dict[str, object]


@dataclass(frozen=True)
class ResetView:
    email: str
    name: str
    expires_at: datetime


def people_page(store: Store, place_id: str) -> PeoplePage:
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        return PeoplePage(
            place_name=place.name if place else place_id,
            members=[
                Member(u.id, u.name, u.email, m.role, m.agency_id, signin.waiting(session, u.email))
                for u, m in members(session, place_id)
            ],
            pending=invitations.pending(session, place_id),
            agencies=[
                Agency(a.agency_id, a.name) for a in place_queries.agencies(session, place_id)
            ],
        )


def audit_entries(store: Store, place_id: str, newest: int = 500) -> list[AuditRow]:
    """The place's audit log, newest first."""
    with store.sessions() as session:
        rows = audit_store.audit_log(session, place_id)
        return [AuditRow(e.at, e.actor, e.action, dict(e.detail)) for e in reversed(rows)][:newest]


def member(store: Store, place_id: str, user_id: int) -> Member:
    with store.sessions() as session:
        user, found = _member(session, place_id, user_id)
        return Member(
            user.id,
            user.name,
            user.email,
            found.role,
            found.agency_id,
            signin.waiting(session, user.email),
        )


def _member(session: Session, place_id: str, user_id: int) -> tuple[User, Membership]:
    found = session.get(Membership, (user_id, place_id))
    user = session.get(User, user_id)
    if found is None or user is None:
        raise NotFound(f"There is no member {user_id} in this place.")
    return user, found


def _leads(session: Session, place_id: str) -> int:
    return len(
        list(
            session.scalars(
                select(Membership).where(Membership.place_id == place_id, Membership.role == "lead")
            )
        )
    )


def change_role(
    store: Store, place_id: str, user_id: int, role: str, agency_id: str | None, by: str
) -> Member:
    with store.transaction() as session:
        user, found = _member(session, place_id, user_id)
        if found.role == "lead" and role != "lead" and _leads(session, place_id) == 1:
            raise PeopleError(
                f"{user.email} is the place's only lead. Make someone else a lead first.", "role"
            )
        if role == "contributor":
            known = {a.agency_id for a in place_queries.agencies(session, place_id)}
            if agency_id not in known:
                raise PeopleError(
                    "A contributor must be bound to one of the place's agencies: choose it.",
                    "agency_id",
                )
        before = found.role
        grant(session, user_id, place_id, role, agency_id)
        audit_store.audit(
            session,
            by,
            "change-role",
            place_id,
            {"email": user.email, "from": before, "to": role, "agency_id": found.agency_id},
        )
        return Member(user.id, user.name, user.email, found.role, found.agency_id, False)


def remove_member(store: Store, place_id: str, user_id: int, by: str) -> str:
    """Takes the person out of the place and ends their sessions; returns their address."""
    with store.transaction() as session:
        user, found = _member(session, place_id, user_id)
        if found.role == "lead" and _leads(session, place_id) == 1:
            raise PeopleError(
                f"{user.email} is the place's only lead. Make someone else a lead first."
            )
        session.delete(found)
        end_sessions_of(session, user.id)
        # A reset link made from this place is no longer this lead's to give.
        for link in session.scalars(
            select(PasswordReset).where(
                PasswordReset.user_id == user.id,
                PasswordReset.place_id == place_id,
                PasswordReset.used_at.is_(None),
            )
        ):
            link.used_at = store_base.now()
        audit_store.audit(
            session, by, "remove-member", place_id, {"email": user.email, "role": found.role}
        )
        return user.email


def make_reset_link(store: Store, place_id: str, user_id: int, by: str) -> str:
    """A one-time token for a member to choose a new password; earlier ones stop working.

    A lead of one place must not be able to take over what the person does elsewhere, so
    the lead must lead every place the member belongs to.
    """
    with store.transaction() as session:
        user, _found = _member(session, place_id, user_id)
        if user.email == by:
            # Else a borrowed session could set a lead's password without knowing it.
            raise PeopleError("To change your own password, use Your account.")
        lead_of = {
            m.place_id
            for m in session.scalars(
                select(Membership)
                .join(User, User.id == Membership.user_id)
                .where(User.email == by, Membership.role == "lead")
            )
        }
        elsewhere = sorted({m.place_id for m in memberships(session, user_id)} - lead_of)
        if elsewhere:
            raise PeopleError(
                f"{user.email} is also a member of places you do not lead "
                f"({', '.join(elsewhere)}). Ask a lead of those places, or the person can "
                "change their own password on Your account."
            )
        at = store_base.now()
        for earlier in session.scalars(
            select(PasswordReset).where(
                PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None)
            )
        ):
            earlier.used_at = at
        token = secrets.token_urlsafe(32)
        session.add(
            PasswordReset(
                token_hash=digest(token),
                user_id=user_id,
                place_id=place_id,
                made_by=by,
                created_at=at,
                expires_at=at + RESET_LIFE,
            )
        )
        audit_store.audit(session, by, "make-reset-link", place_id, {"email": user.email})
        return token


def _usable_reset(session: Session, token: str) -> PasswordReset | None:
    found = session.get(PasswordReset, digest(token))
    if found is None or found.used_at is not None:
        return None
    return found if _aware(found.expires_at) > store_base.now() else None


def reset_view(store: Store, token: str) -> ResetView | None:
    with store.sessions() as session:
        found = _usable_reset(session, token)
        user = session.get(User, found.user_id) if found else None
        if found is None or user is None:
            return None
        return ResetView(user.email, user.name, _aware(found.expires_at))


def use_reset(store: Store, token: str, password: str) -> Person:
    """Sets the new password, ends every session of the account, and uses the link up."""
    with store.transaction() as session:
        found = _usable_reset(session, token)
        user = session.get(User, found.user_id) if found else None
        if found is None or user is None:
            raise NotFound("This password-reset link is not valid, has expired or has been used.")
        set_password(session, user, password)
        found.used_at = store_base.now()
        signin.unlock(session, user.email, user.email, found.place_id)
        audit_store.audit(session, user.email, "reset-password", found.place_id, {})
        return Person(user.id, user.email, user.name)


def unlock(store: Store, place_id: str, user_id: int, by: str) -> bool:
    with store.transaction() as session:
        user, _found = _member(session, place_id, user_id)
        return signin.unlock(session, user.email, by, place_id)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
