"""Steps the people tests share: inviting, signing in, reading links off pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.people.tables import User

P = "/places/testshire"


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> int:
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf": csrf(client, "/login")}
    )
    return response.status_code


def link_on(page: str, field: str = "invitation-link") -> str:
    found = re.search(rf'id="{field}" type="text" readonly value="http://testserver([^"]+)"', page)
    assert found, page
    return found.group(1)


def invite(lead: TestClient, email: str, role: str = "viewer", place: str = P) -> str:
    """The path of a new invitation link for `email`."""
    page = lead.post(
        f"{place}/people",
        data={"csrf": csrf(lead, f"{place}/people"), "email": email, "role": role},
    )
    assert page.status_code == 200, page.text
    return link_on(page.text)


def user_id(workspace: Workspace, email: str) -> int:
    with workspace.store.sessions() as session:
        found = session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return found


def cookie(client: TestClient) -> str:
    value = client.cookies.get("totalplace_session")
    assert value, "signed in"
    return value


def with_cookie(workspace: Workspace, value: str) -> TestClient:
    """A fresh browser that has been handed a copy of someone's session cookie."""
    other = workspace.client()
    other.cookies.set("totalplace_session", value)
    return other


def signed_in_as(client: TestClient) -> str | None:
    """Whose account page the client sees, or None when sent to sign in."""
    page = client.get("/account")
    if page.status_code != 200:
        return None
    found = re.search(r'<p class="govuk-body">[^<]*, ([^<]+@[^<]+)</p>', page.text)
    return found.group(1) if found else None
