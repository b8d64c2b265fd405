"""Invitations: never a way into someone else's account; they expire, work once, and a
lead can make a new link or revoke one."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.people.helpers import P, invite, link_on, sign_in, signed_in_as
from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.core.store.base import now
from totalplace.people.tables import Invitation


def _own_place(workspace: Workspace) -> TestClient:
    """The outsider makes a place of their own and so becomes its lead."""
    outsider = workspace.client("outsider")
    made = outsider.post(
        "/places",
        data={
            "csrf": csrf(outsider, "/places"),
            "place_id": "elsewhere",
            "name": "Elsewhere",
            "gss_codes": "E06000001",
        },
    )
    assert made.status_code == 303
    return outsider


def test_an_invitation_for_an_existing_account_does_not_sign_anyone_in(
    workspace: Workspace,
) -> None:
    """The takeover reproduced on main: invite the lead's address, open the link in a fresh
    browser, type any name and password, and be signed in as the lead."""
    outsider = _own_place(workspace)
    path = invite(outsider, "lead@testshire.test", place="/places/elsewhere")
    attacker = workspace.client()
    page = attacker.get(path)
    assert page.status_code == 200
    assert "Sign in to accept" in page.text
    assert 'name="password"' not in page.text
    typed = attacker.post(
        path,
        data={"csrf": csrf(attacker, "/login"), "name": "Me", "password": "any old password 1"},
    )
    assert typed.status_code == 303
    assert typed.headers["location"].startswith("/login")
    assert signed_in_as(attacker) is None
    assert attacker.get(P).status_code == 303  # sent to sign in, not into testshire
    # The lead's password still works and nothing was changed on the account.
    assert sign_in(workspace.client(), "lead@testshire.test") == 303


def test_the_owner_signs_in_with_their_own_password_to_accept(workspace: Workspace) -> None:
    outsider = _own_place(workspace)
    path = invite(outsider, "lead@testshire.test", "analyst", place="/places/elsewhere")
    browser = workspace.client()
    assert browser.get(path).status_code == 200
    login = browser.get(f"/login?next={path}")
    assert f'name="next" value="{path}"' in login.text
    assert sign_in(browser, "lead@testshire.test") == 303
    page = browser.get(path)
    assert "Accept and join Elsewhere" in page.text
    accepted = browser.post(path, data={"csrf": csrf(browser, path)})
    assert accepted.status_code == 303
    assert browser.get("/places/elsewhere").status_code == 200
    assert browser.get(path).status_code == 404  # used


def test_someone_else_signed_in_cannot_accept(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    path = invite(lead, "outsider@elsewhere.test")
    viewer = workspace.client("viewer")
    page = viewer.get(path)
    assert "but this invitation is for outsider@elsewhere.test" in page.text
    refused = viewer.post(path, data={"csrf": csrf(viewer, path)})
    assert refused.status_code == 400
    assert "Sign out, then sign in as outsider@elsewhere.test" in refused.text
    outsider = workspace.client("outsider")
    assert outsider.get(P).status_code == 403


def test_a_new_person_makes_an_account_and_joins(workspace: Workspace) -> None:
    path = invite(workspace.client("lead"), "new@testshire.test")
    newcomer = workspace.client()
    page = newcomer.get(path)
    assert 'name="password"' in page.text
    weak = newcomer.post(
        path, data={"csrf": csrf(newcomer, path), "name": "New", "password": "password1234"}
    )
    assert weak.status_code == 400 and "too easy to guess" in weak.text
    done = newcomer.post(
        path, data={"csrf": csrf(newcomer, path), "name": "New", "password": PASSWORD}
    )
    assert done.status_code == 303
    assert signed_in_as(newcomer) == "new@testshire.test"
    assert newcomer.get(P).status_code == 200
    assert workspace.client().get(path).status_code == 404


def test_invitations_expire_after_seven_days(workspace: Workspace) -> None:
    path = invite(workspace.client("lead"), "late@testshire.test")
    with workspace.store.sessions() as session:
        made = session.query(Invitation).one()
        assert made.expires_at - made.created_at == timedelta(days=7)
    with workspace.store.transaction() as session:
        session.execute(update(Invitation).values(expires_at=now() - timedelta(seconds=1)))
    late = workspace.client()
    page = late.get(path)
    assert page.status_code == 404 and "expired" in page.text


def test_a_lead_sees_resends_and_revokes_pending_invitations(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    first = invite(lead, "pending@testshire.test", "analyst")
    page = lead.get(f"{P}/people")
    assert "Invitations not yet accepted" in page.text and "pending@testshire.test" in page.text
    with workspace.store.sessions() as session:
        number = session.query(Invitation).one().id
    token = csrf(lead, f"{P}/people")
    again = lead.post(f"{P}/people/invitations/{number}/resend", data={"csrf": token})
    assert again.status_code == 200 and "The old link no longer works" in again.text
    second = link_on(again.text)
    assert second != first
    assert workspace.client().get(first).status_code == 404
    assert workspace.client().get(second).status_code == 200
    with workspace.store.sessions() as session:
        newest = max(i.id for i in session.query(Invitation))
    revoked = lead.post(f"{P}/people/invitations/{newest}/revoke", data={"csrf": token})
    assert revoked.status_code == 303
    assert "has been revoked" in lead.get(revoked.headers["location"]).text
    assert workspace.client().get(second).status_code == 404
    twice = lead.post(f"{P}/people/invitations/{newest}/revoke", data={"csrf": token})
    assert twice.status_code == 400 and "already been accepted or revoked" in twice.text
    assert lead.post(f"{P}/people/invitations/999/revoke", data={"csrf": token}).status_code == 404
    audit = lead.get(f"{P}/audit").text
    assert "revoke-invitation" in audit and "invite" in audit


def test_the_invite_form_starts_on_the_least_powerful_role(workspace: Workspace) -> None:
    page = workspace.client("lead").get(f"{P}/people").text
    assert '<option value="viewer" selected>viewer</option>' in page
    assert '<option value="lead" selected>' not in page.split('id="role"')[1].split("</select>")[0]
