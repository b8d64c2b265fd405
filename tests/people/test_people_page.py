"""What a lead does on the People page: roles, removal, reset links; each audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.people.helpers import P, invite, link_on, sign_in, user_id
from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.core.store.base import now
from totalplace.people.tables import PasswordReset


def test_a_lead_changes_a_role(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    number = user_id(workspace, "viewer@testshire.test")
    token = csrf(lead, f"{P}/people")
    done = lead.post(f"{P}/people/{number}/role", data={"csrf": token, "role": "analyst"})
    assert done.status_code == 303
    assert "The role has been changed" in lead.get(done.headers["location"]).text
    assert workspace.client("viewer").get(f"{P}/classify?year=2009-10").status_code == 200
    bad = lead.post(f"{P}/people/{number}/role", data={"csrf": token, "role": "contributor"})
    assert bad.status_code == 400 and "bound to one of the place" in bad.text
    assert "change-role" in lead.get(f"{P}/audit").text


def test_the_only_lead_cannot_be_demoted_or_removed(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    number = user_id(workspace, "lead@testshire.test")
    token = csrf(lead, f"{P}/people")
    demote = lead.post(f"{P}/people/{number}/role", data={"csrf": token, "role": "viewer"})
    assert demote.status_code == 400 and "only lead" in demote.text
    remove = lead.post(f"{P}/people/{number}/remove", data={"csrf": token})
    assert remove.status_code == 400 and "only lead" in remove.text


def test_new_actions_need_the_form_token(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    number = user_id(workspace, "viewer@testshire.test")
    for path in (
        f"{P}/people/{number}/remove",
        f"{P}/people/{number}/role",
        f"{P}/people/{number}/reset-link",
        f"{P}/people/{number}/unlock",
        f"{P}/people/invitations/1/revoke",
        f"{P}/people/invitations/1/resend",
        "/account/sign-out-everywhere",
    ):
        assert lead.post(path, data={"role": "viewer"}).status_code == 403, path
    assert workspace.client("viewer").get(P).status_code == 200


def _reset_link(workspace: Workspace, email: str) -> str:
    lead = workspace.client("lead")
    number = user_id(workspace, email)
    page = lead.post(f"{P}/people/{number}/reset-link", data={"csrf": csrf(lead, f"{P}/people")})
    assert page.status_code == 200, page.text
    return link_on(page.text, "reset-link")


def test_a_reset_link_works_once_and_ends_the_members_sessions(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    path = _reset_link(workspace, "analyst@testshire.test")
    member = workspace.client()
    assert "Choose a new password" in member.get(path).text
    weak = member.post(path, data={"csrf": csrf(member, path), "password": "password1234"})
    assert weak.status_code == 400 and "too easy to guess" in weak.text
    done = member.post(
        path, data={"csrf": csrf(member, path), "password": "new keys for the analyst"}
    )
    assert done.status_code == 303
    assert "Your new password is set" in member.get(done.headers["location"]).text
    assert analyst.get("/account").status_code == 303  # signed out everywhere
    assert member.get(path).status_code == 404  # once only
    assert sign_in(workspace.client(), "analyst@testshire.test") == 400
    assert sign_in(workspace.client(), "analyst@testshire.test", "new keys for the analyst") == 303
    audit = workspace.client("lead").get(f"{P}/audit").text
    assert "make-reset-link" in audit and "reset-password" in audit


def test_a_reset_link_expires_and_a_newer_one_replaces_it(workspace: Workspace) -> None:
    first = _reset_link(workspace, "viewer@testshire.test")
    second = _reset_link(workspace, "viewer@testshire.test")
    client = workspace.client()
    assert client.get(first).status_code == 404
    with workspace.store.transaction() as session:
        session.execute(update(PasswordReset).values(expires_at=now() - timedelta(seconds=1)))
    assert client.get(second).status_code == 404


def test_no_reset_link_for_someone_who_belongs_to_places_you_do_not_lead(
    workspace: Workspace,
) -> None:
    """A lead of one place must not be able to take over what the person does elsewhere."""
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
    lead = workspace.client("lead")
    number = user_id(workspace, "outsider@elsewhere.test")
    path = invite(lead, "outsider@elsewhere.test")
    assert outsider.post(path, data={"csrf": csrf(outsider, path)}).status_code == 303
    refused = lead.post(f"{P}/people/{number}/reset-link", data={"csrf": csrf(lead, f"{P}/people")})
    assert refused.status_code == 400 and "also a member of places you do not lead" in refused.text
    assert sign_in(workspace.client(), "outsider@elsewhere.test", PASSWORD) == 303


def test_a_lead_cannot_make_a_reset_link_for_themselves(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    number = user_id(workspace, "lead@testshire.test")
    refused = lead.post(f"{P}/people/{number}/reset-link", data={"csrf": csrf(lead, f"{P}/people")})
    assert refused.status_code == 400 and "use Your account" in refused.text
