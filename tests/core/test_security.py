"""Sessions, CSRF, sign-in limits, escaping, uploads and passwords."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.core.config import Settings
from totalplace.core.web.app import create_app
from totalplace.people.tables import User
from totalplace.places.service import places

P = "/places/testshire"


def test_forms_without_the_csrf_token_are_refused(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    response = lead.post(f"{P}/settings/areas", data={"gss_codes": "E06000001"})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    wrong = lead.post(f"{P}/settings/areas", data={"gss_codes": "E06000001", "csrf": "guess"})
    assert wrong.status_code == 403
    anonymous = workspace.client()
    assert (
        anonymous.post(
            "/login", data={"email": "lead@testshire.test", "password": PASSWORD}
        ).status_code
        == 403
    )


def test_sign_in_is_rate_limited(workspace: Workspace) -> None:
    client = workspace.client()
    token = csrf(client, "/login")
    for _ in range(5):
        failed = client.post(
            "/login", data={"email": "lead@testshire.test", "password": "nope", "csrf": token}
        )
        assert failed.status_code == 400
        assert "not right" in failed.text
    blocked = client.post(
        "/login", data={"email": "lead@testshire.test", "password": PASSWORD, "csrf": token}
    )
    assert blocked.status_code == 400
    assert "Too many failed attempts" in blocked.text


def test_session_cookie_is_http_only_secure_and_same_site(workspace: Workspace) -> None:
    from fastapi.testclient import TestClient

    app = create_app(Settings(home=workspace.home, database_url=""), workspace.store)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    response = client.post(
        "/login",
        data={"email": "lead@testshire.test", "password": PASSWORD, "csrf": csrf(client, "/login")},
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert "content-security-policy" in response.headers


def test_what_people_type_is_escaped(workspace: Workspace) -> None:
    with workspace.store.transaction() as session:
        places.add_agency(
            session,
            "testshire",
            "evil",
            "<script>alert(1)</script>",
            "other",
            "lead@testshire.test",
        )
    page = workspace.client("lead").get(f"{P}/settings")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_no_redirect_off_the_site_after_sign_in(workspace: Workspace) -> None:
    client = workspace.client()
    response = client.post(
        "/login",
        data={
            "email": "lead@testshire.test",
            "password": PASSWORD,
            "csrf": csrf(client, "/login"),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/places"


def test_passwords_are_stored_as_argon2_hashes(workspace: Workspace) -> None:
    with workspace.store.sessions() as session:
        stored = session.scalar(
            select(User.password_hash).where(User.email == "lead@testshire.test")
        )
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_uploads_over_the_limit_are_refused(workspace: Workspace) -> None:
    client = workspace.client("contributor")
    client.app.state.max_upload_bytes = 1000  # type: ignore[attr-defined]
    response = client.post(
        f"{P}/agencies/council/upload",
        data={"csrf": csrf(client, f"{P}/agencies/council/upload"), "year": "2010-11"},
        files={"files": ("big.csv", b"Amount\n" + b"1\n" * 2000)},
    )
    assert response.status_code == 413
    assert "too big" in response.text


def test_an_invitation_works_once(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    page = lead.post(
        f"{P}/people",
        data={"csrf": csrf(lead, f"{P}/people"), "email": "new@testshire.test", "role": "viewer"},
    )
    found = re.search(r'readonly value="http://testserver([^"]+)"', page.text)
    assert found
    path = found.group(1)
    first = workspace.client()
    assert (
        first.post(
            path, data={"csrf": csrf(first, path), "name": "New", "password": PASSWORD}
        ).status_code
        == 303
    )
    second = workspace.client()
    assert second.get(path).status_code == 404
    short = lead.post(
        f"{P}/people",
        data={
            "csrf": csrf(lead, f"{P}/people"),
            "email": "x@testshire.test",
            "role": "contributor",
        },
    )
    assert short.status_code == 400 and "bound to one of the place" in short.text


def test_a_return_is_reachable_only_through_its_own_place(workspace: Workspace) -> None:
    """An analyst of another place cannot act on this place's returns by changing the URL."""
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
    from totalplace.count import tables as count_tables

    with workspace.store.sessions() as session:
        council = next(
            s
            for s in count_tables.current_submissions(session, "testshire", "2009-10")
            if s.agency_id == "council"
        )
    token = csrf(outsider, "/places/elsewhere")
    for path in (
        f"/places/elsewhere/returns/{council.id}/accept",
        f"/places/elsewhere/returns/{council.id}/submit",
    ):
        assert outsider.post(path, data={"csrf": token}).status_code == 404, path
    assert outsider.get(f"/places/elsewhere/returns/{council.id}").status_code == 404
    assert (
        outsider.post(
            f"/places/testshire/returns/{council.id}/accept", data={"csrf": token}
        ).status_code
        == 403
    )
    api_token = outsider.get("/api/session").json()["csrf_token"]
    assert (
        outsider.post(
            f"/api/places/elsewhere/returns/{council.id}/accept",
            headers={"X-CSRF-Token": api_token},
        ).status_code
        == 404
    )


def test_people_change_their_own_password(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    wrong = viewer.post(
        "/account",
        data={"csrf": csrf(viewer, "/account"), "current": "not it", "new": "a much longer secret"},
    )
    assert wrong.status_code == 400 and "current password is not right" in wrong.text
    short = viewer.post(
        "/account", data={"csrf": csrf(viewer, "/account"), "current": PASSWORD, "new": "short"}
    )
    assert short.status_code == 400 and "at least 12 characters" in short.text
    done = viewer.post(
        "/account",
        data={"csrf": csrf(viewer, "/account"), "current": PASSWORD, "new": "a much longer secret"},
    )
    assert done.status_code == 303
    assert "Your password has been changed" in viewer.get(done.headers["location"]).text
    fresh = workspace.client()
    old = fresh.post(
        "/login",
        data={
            "email": "viewer@testshire.test",
            "password": PASSWORD,
            "csrf": csrf(fresh, "/login"),
        },
    )
    assert old.status_code == 400
    new = fresh.post(
        "/login",
        data={
            "email": "viewer@testshire.test",
            "password": "a much longer secret",
            "csrf": csrf(fresh, "/login"),
        },
    )
    assert new.status_code == 303
