"""Who is asking, and may they? Sessions, CSRF, roles and the sign-in rate limit.

Every route names the capability it needs (`require(...)`); the matrix of roles and
capabilities below is the whole policy, and tests/web/test_roles.py checks every route
against it for every role.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import ClassVar

from fastapi import HTTPException, Request

from totalplace.core.problems import TotalplaceError
from totalplace.core.store.db import Store
from totalplace.people import service as people
from totalplace.places import tables as place_tables
from totalplace.places.tables import Place

CAPABILITIES: dict[str, frozenset[str]] = {
    # See published counts and the place's overview.
    "view": frozenset({"lead", "analyst", "contributor", "viewer"}),
    # See live figures, every return, coverage, lines.
    "analyse": frozenset({"lead", "analyst"}),
    # Upload a return (a contributor for its own agency only).
    "upload": frozenset({"lead", "analyst", "contributor"}),
    # Accept returns, classify lines, publish counts.
    "publish": frozenset({"lead", "analyst"}),
    # Manage the place, invite people, read the audit log.
    "administer": frozenset({"lead"}),
}


class SignInRequired(TotalplaceError):
    """Raised when a page needs a signed-in user; the app redirects to /login."""

    code: ClassVar[str] = "sign-in-required"
    status: ClassVar[int] = 401


@dataclass(frozen=True)
class Viewer:
    """The signed-in person and, for a place, their role in it."""

    id: int
    email: str
    name: str
    role: str | None = None
    agency_id: str | None = None

    def can(self, capability: str) -> bool:
        return self.role is not None and self.role in CAPABILITIES[capability]

    def can_upload_for(self, agency_id: str) -> bool:
        if not self.can("upload"):
            return False
        return self.role != "contributor" or self.agency_id == agency_id


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def place_of(request: Request, place_id: str) -> Place | None:
    with store_of(request).sessions() as session:
        return place_tables.get_place(session, place_id)


def signed_in(request: Request) -> Viewer:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        raise SignInRequired("you are not signed in")
    with store_of(request).sessions() as session:
        found = people.person(session, user_id)
    if found is None:
        request.session.clear()
        raise SignInRequired("you are not signed in")
    return Viewer(found.id, found.email, found.name)


def in_place(request: Request, place_id: str, capability: str) -> Viewer:
    """The signed-in person's role in the place, refused (403) without the capability."""
    viewer = signed_in(request)
    with store_of(request).sessions() as session:
        member = people.membership(session, viewer.id, place_id)
    if member is None:
        raise HTTPException(status_code=403, detail="You are not a member of this place.")
    scoped = Viewer(viewer.id, viewer.email, viewer.name, member.role, member.agency_id)
    if not scoped.can(capability):
        raise HTTPException(
            status_code=403, detail=f"Your role ({member.role}) does not allow this."
        )
    return scoped


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if (
        not isinstance(expected, str)
        or not submitted
        or not secrets.compare_digest(expected, submitted)
    ):
        raise HTTPException(
            status_code=403, detail="This form has expired. Go back, reload the page and try again."
        )


class SignInLimiter:
    """At most `attempts` failed sign-ins per address and per account in `window` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self.failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        times = self.failures[key]
        cutoff = time.monotonic() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(k)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._recent(key).append(time.monotonic())

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self.failures.pop(key, None)
