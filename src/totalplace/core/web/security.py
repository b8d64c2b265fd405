"""Who is asking, and may they? Sessions, CSRF, roles and the client's network address.

Every route names the capability it needs (`in_place(...)`); the matrix of roles and
capabilities below is the whole policy, and tests/core/test_roles.py checks every route
against it for every role.

Sessions live in the database (docs/decisions/0101-server-side-sessions.md): the
`totalplace_session` cookie holds only a random id. Before sign-in, forms are protected
by a random `totalplace_csrf` cookie that the form must repeat; after sign-in, by a
token kept with the session.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from fastapi import HTTPException, Request, Response

from totalplace.core.config import Settings
from totalplace.core.problems import TotalplaceError
from totalplace.core.registry import identity
from totalplace.core.store.db import Store

if TYPE_CHECKING:
    from totalplace.people.service import SessionLife, SignedIn

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

SESSION_COOKIE = "totalplace_session"
CSRF_COOKIE = "totalplace_csrf"
_NETWORKS = ipaddress.IPv4Network | ipaddress.IPv6Network


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


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_life(settings: Settings) -> SessionLife:
    life: SessionLife = identity().session_life(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_hours),
    )
    return life


def place_of(request: Request, place_id: str) -> Any:
    """The place's row, for the page's heading and links (None when there is none)."""
    return identity().place(store_of(request), place_id)


def _current(request: Request) -> SignedIn | None:
    """The session this request's cookie names, looked up once per request."""
    if not hasattr(request.state, "signed_in"):
        token = request.cookies.get(SESSION_COOKIE, "")
        found = (
            identity().session_user(store_of(request), token, session_life(settings_of(request)))
            if token
            else None
        )
        if token and found is None:
            request.state.cookie_changes = [*_changes(request), ("end", "")]
        request.state.signed_in = found
    found_now: SignedIn | None = request.state.signed_in
    return found_now


def signed_in(request: Request) -> Viewer:
    found = _current(request)
    if found is None:
        raise SignInRequired("you are not signed in")
    return Viewer(found.person.id, found.person.email, found.person.name)


def maybe_signed_in(request: Request) -> Viewer | None:
    found = _current(request)
    return None if found is None else Viewer(found.person.id, found.person.email, found.person.name)


def in_place(request: Request, place_id: str, capability: str) -> Viewer:
    """The signed-in person's role in the place, refused (403) without the capability."""
    viewer = signed_in(request)
    member = identity().place_role(store_of(request), viewer.id, place_id)
    if member is None:
        raise HTTPException(status_code=403, detail="You are not a member of this place.")
    scoped = Viewer(viewer.id, viewer.email, viewer.name, member.role, member.agency_id)
    if not scoped.can(capability):
        raise HTTPException(
            status_code=403, detail=f"Your role ({member.role}) does not allow this."
        )
    return scoped


def begin_session(request: Request, token: str) -> None:
    """After sign-in: the response sets the new session's cookie (see `apply_cookies`)."""
    request.state.cookie_changes = [*_changes(request), ("start", token)]
    request.state.signed_in = None


def end_session(request: Request) -> None:
    """Sign-out: the session row goes, and the response clears the cookie."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        identity().end_session(store_of(request), token)
    request.state.cookie_changes = [*_changes(request), ("end", "")]
    request.state.signed_in = None


def _changes(request: Request) -> list[tuple[str, str]]:
    changes: list[tuple[str, str]] = getattr(request.state, "cookie_changes", [])
    return changes


def csrf_token(request: Request) -> str:
    """The token every form carries: the session's, or before sign-in the browser's own."""
    found = _current(request)
    if found is not None:
        return found.csrf
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    found = _current(request)
    expected = found.csrf if found is not None else request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise HTTPException(
            status_code=403, detail="This form has expired. Go back, reload the page and try again."
        )


def apply_cookies(request: Request, response: Response, secure: bool) -> None:
    """Sets or clears the cookies this request changed; called by the app's middleware."""
    settings = settings_of(request)
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf:
        response.set_cookie(
            CSRF_COOKIE, new_csrf, httponly=True, secure=secure, samesite="lax", path="/"
        )
    # Only the last change counts: a sign-in ends the old session, then starts a new one.
    for change, token in _changes(request)[-1:]:
        if change == "start":
            response.set_cookie(
                SESSION_COOKIE,
                token,
                max_age=settings.session_hours * 3600,
                httponly=True,
                secure=secure,
                samesite="lax",
                path="/",
            )
        else:
            response.delete_cookie(
                SESSION_COOKIE, httponly=True, secure=secure, samesite="lax", path="/"
            )


def trusted_networks(settings: Settings) -> tuple[_NETWORKS, ...]:
    """TOTALPLACE_TRUSTED_PROXIES as networks; a wrong entry stops the server starting."""
    networks: list[_NETWORKS] = []
    for entry in settings.trusted_proxies:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"TOTALPLACE_TRUSTED_PROXIES has {entry!r}, which is not an address or a "
                "network: write addresses or CIDRs separated by commas, like 10.0.0.5,10.1.0.0/16."
            ) from None
    return tuple(networks)


def client_address(request: Request) -> str:
    """The address a request came from. X-Forwarded-For is believed only when the peer is
    a trusted proxy, and then read from the right, past every trusted proxy: anyone can
    write that header, so from anyone else it would let a client choose its own address."""
    peer = request.client.host if request.client else "unknown"
    trusted: tuple[_NETWORKS, ...] = request.app.state.trusted_proxies
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    address = peer
    for hop in reversed(hops):
        address = hop
        if not _within(hop, trusted):
            break
    return address


def _within(address: str, networks: tuple[_NETWORKS, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
