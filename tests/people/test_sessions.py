"""Sessions live in the database: signing out, a new password, removal and "sign out
everywhere" end them for every server process; idle and old sessions end by themselves."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.people.helpers import P, cookie, sign_in, user_id, with_cookie
from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.core.config import Settings
from totalplace.core.store.base import now
from totalplace.people.tables import WebSession


def test_a_copied_cookie_dies_at_sign_out(workspace: Workspace) -> None:
    """Reproduced on main: a cookie copied before sign-out still worked for 8 hours."""
    lead = workspace.client("lead")
    copied = cookie(lead)
    assert with_cookie(workspace, copied).get(f"{P}/people").status_code == 200
    assert lead.post("/logout", data={"csrf": csrf(lead, "/account")}).status_code == 303
    stolen = with_cookie(workspace, copied)
    assert stolen.get(f"{P}/people").status_code == 303
    assert stolen.get("/account").headers["location"].startswith("/login")


def test_a_copied_cookie_dies_when_the_password_changes(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    copied = cookie(viewer)
    changed = viewer.post(
        "/account",
        data={"csrf": csrf(viewer, "/account"), "current": PASSWORD, "new": "a much longer secret"},
    )
    assert changed.status_code == 303
    assert with_cookie(workspace, copied).get("/account").status_code == 303
    # The browser that changed it carries on, in a new session.
    assert viewer.get("/account").status_code == 200
    assert cookie(viewer) != copied


def test_sign_out_everywhere_ends_every_session(workspace: Workspace) -> None:
    here = workspace.client("analyst")
    there = workspace.client("analyst")
    done = here.post("/account/sign-out-everywhere", data={"csrf": csrf(here, "/account")})
    assert done.status_code == 303
    assert "signed out on every device" in here.get(done.headers["location"]).text
    assert here.get("/account").status_code == 303
    assert there.get("/account").status_code == 303
    assert workspace.client("viewer").get("/account").status_code == 200


def test_the_cookie_holds_only_a_random_id_kept_hashed(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    value = cookie(lead)
    assert "." not in value and len(value) >= 40  # no signed payload, just an id
    with workspace.store.sessions() as session:
        stored = list(session.scalars(select(WebSession.id_hash)))
    assert value not in stored
    assert hashlib.sha256(value.encode()).hexdigest() in stored


def test_idle_and_old_sessions_end(workspace: Workspace) -> None:
    idle = workspace.client("lead")
    old = workspace.client("analyst")
    with workspace.store.transaction() as session:
        session.execute(
            update(WebSession)
            .where(WebSession.user_id == user_id(workspace, "lead@testshire.test"))
            .values(last_seen_at=now() - timedelta(hours=2, minutes=1))
        )
        session.execute(
            update(WebSession)
            .where(WebSession.user_id == user_id(workspace, "analyst@testshire.test"))
            .values(created_at=now() - timedelta(hours=12, minutes=1), last_seen_at=now())
        )
    assert idle.get("/account").status_code == 303
    assert old.get("/account").status_code == 303


def test_session_lengths_are_settings() -> None:
    settings = Settings.from_env(
        {"TOTALPLACE_SESSION_IDLE_MINUTES": "15", "TOTALPLACE_SESSION_HOURS": "4"}
    )
    assert (settings.session_idle_minutes, settings.session_hours) == (15, 4)
    assert Settings.from_env({}).session_idle_minutes == 120
    with pytest.raises(ValueError, match="TOTALPLACE_SESSION_HOURS must be a whole number"):
        Settings.from_env({"TOTALPLACE_SESSION_HOURS": "soon"})


def test_a_session_ended_in_one_process_is_ended_in_another(workspace: Workspace) -> None:
    """Two app instances on one database stand for two server processes."""
    first = workspace.client("contributor")
    second = with_cookie(workspace, cookie(first))  # another create_app: another process
    assert first.app is not second.app
    assert second.get(f"{P}/returns").status_code == 200
    assert first.post("/logout", data={"csrf": csrf(first, "/account")}).status_code == 303
    assert second.get(f"{P}/returns").status_code == 303


def test_removing_a_member_ends_their_sessions(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    lead = workspace.client("lead")
    number = user_id(workspace, "viewer@testshire.test")
    confirm = lead.get(f"{P}/people/{number}/remove")
    assert confirm.status_code == 200 and "This cannot be undone" in confirm.text
    assert viewer.get(P).status_code == 200  # nothing happens on the confirmation page
    removed = lead.post(f"{P}/people/{number}/remove", data={"csrf": csrf(lead, f"{P}/people")})
    assert removed.status_code == 303
    assert (
        "has been removed from the place and signed out everywhere"
        in lead.get(removed.headers["location"]).text
    )
    assert viewer.get("/account").status_code == 303
    again = workspace.client()
    assert sign_in(again, "viewer@testshire.test") == 303
    assert again.get(P).status_code == 403
