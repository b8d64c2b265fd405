"""Signed-in sessions, kept in the database so that every server process agrees.

The browser's cookie holds only a random id; the table holds its hash, so a copy of the
database does not sign anyone in. Ending a session is deleting its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.people.service.accounts import Person, digest, end_sessions_of
from totalplace.people.tables import User, WebSession

# Writing `last_seen_at` on every request would be a write per page; once a minute is enough
# to measure idleness.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLife:
    """How long a session lasts unused (`idle`) and at most (`absolute`)."""

    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class SignedIn:
    person: Person
    csrf: str


def session_user(store: Store, token: str, life: SessionLife) -> SignedIn | None:
    """Who this cookie signs in, or None when it is unknown, ended, idle or too old."""
    if not token or len(token) > 100:
        return None
    with store.transaction() as session:
        found = session.get(WebSession, digest(token))
        if found is None:
            return None
        at = store_base.now()
        if (
            at - _aware(found.last_seen_at) > life.idle
            or at - _aware(found.created_at) > life.absolute
        ):
            session.delete(found)
            return None
        if at - _aware(found.last_seen_at) > _TOUCH_EVERY:
            found.last_seen_at = at
        user = session.get(User, found.user_id)
        if user is None:
            return None
        return SignedIn(Person(user.id, user.email, user.name), found.csrf)


def end_session(store: Store, token: str) -> None:
    with store.transaction() as session:
        session.execute(delete(WebSession).where(WebSession.id_hash == digest(token)))


def sign_out_everywhere(store: Store, user_id: int) -> None:
    with store.transaction() as session:
        user = session.get(User, user_id)
        end_sessions_of(session, user_id)
        if user is not None:
            audit_store.audit(session, user.email, "sign-out-everywhere", None, {})


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
