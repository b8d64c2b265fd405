"""People and their roles in a place: accounts, invitations, memberships and sessions.

The doors call these; each owns its transaction. Older functions that other capabilities'
services call within their own transaction still take a `Session`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from totalplace.core.registry import PackageFile
from totalplace.core.store.db import Store
from totalplace.people.service.accounts import (
    LEAST_ROLE,
    MIN_PASSWORD,
    ROLES,
    NotFound,
    PeopleError,
    Person,
    authenticate,
    change_password,
    check_password,
    create_user,
    grant,
    grant_account,
    hash_password,
    members,
    membership,
    memberships,
    normalise_email,
    person,
)
from totalplace.people.service.administration import (
    AuditRow,
    Member,
    PeoplePage,
    ResetView,
    audit_entries,
    change_role,
    make_reset_link,
    member,
    people_page,
    remove_member,
    reset_view,
    unlock,
    use_reset,
)
from totalplace.people.service.invitations import (
    Accepted,
    InvitationLink,
    InvitationView,
    accept_as,
    accept_as_new,
    invitation,
    invite,
    resend,
    revoke,
)
from totalplace.people.service.sessions import (
    SessionLife,
    SignedIn,
    end_session,
    session_user,
    sign_out_everywhere,
)
from totalplace.people.service.signin import SignInResult, sign_in
from totalplace.people.tables import Invitation, Membership
from totalplace.places.service import queries as place_queries
from totalplace.places.service.queries import Place

__all__ = [
    "LEAST_ROLE",
    "MIN_PASSWORD",
    "ROLES",
    "Accepted",
    "AuditRow",
    "InvitationLink",
    "InvitationView",
    "Member",
    "NotFound",
    "PeopleError",
    "PeoplePage",
    "Person",
    "ResetView",
    "SessionLife",
    "SignInResult",
    "SignedIn",
    "accept_as",
    "accept_as_new",
    "audit_entries",
    "authenticate",
    "change_password",
    "change_role",
    "check_password",
    "create_user",
    "end_session",
    "grant",
    "grant_account",
    "hash_password",
    "invitation",
    "invite",
    "make_reset_link",
    "member",
    "members",
    "membership",
    "memberships",
    "normalise_email",
    "people_page",
    "person",
    "remove_member",
    "resend",
    "reset_view",
    "revoke",
    "session_user",
    "sign_in",
    "sign_out_everywhere",
    "unlock",
    "use_reset",
]


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


class Identity:
    """What the web shell's security asks of people (core/web/security.py)."""

    @staticmethod
    def session_life(idle: timedelta, absolute: timedelta) -> SessionLife:
        return SessionLife(idle=idle, absolute=absolute)

    @staticmethod
    def session_user(store: Store, token: str, life: SessionLife) -> SignedIn | None:
        return session_user(store, token, life)

    @staticmethod
    def end_session(store: Store, token: str) -> None:
        end_session(store, token)

    @staticmethod
    def place_role(store: Store, user_id: int, place_id: str) -> Membership | None:
        with store.sessions() as session:
            return membership(session, user_id, place_id)

    @staticmethod
    def place(store: Store, place_id: str) -> Place | None:
        with store.sessions() as session:
            return place_queries.get_place(session, place_id)


IDENTITY = Identity()
