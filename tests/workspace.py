"""A workspace with one person of each role, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.helpers import HANDMADE
from totalplace.core.config import Settings
from totalplace.core.store.db import Store
from totalplace.core.web.app import create_app
from totalplace.count.service.publishing import publish
from totalplace.people import service as people
from totalplace.places.service.packages import import_package

PASSWORD = "correct horse battery staple"
ROLES = {
    "lead": ("lead@testshire.test", "lead", None),
    "analyst": ("analyst@testshire.test", "analyst", None),
    "contributor": ("council@testshire.test", "contributor", "council"),
    "viewer": ("viewer@testshire.test", "viewer", None),
}


@dataclass
class Workspace:
    store: Store
    home: Path

    def client(self, who: str | None = None) -> TestClient:
        """A browser-like client, signed in as `who` (a role name or 'outsider')."""
        app = create_app(
            Settings(home=self.home, database_url=""), self.store, secure_cookies=False
        )
        client = TestClient(app, follow_redirects=False)
        if who is not None:
            email = ROLES[who][0] if who in ROLES else "outsider@elsewhere.test"
            response = client.post(
                "/login",
                data={"email": email, "password": PASSWORD, "csrf": csrf(client, "/login")},
            )
            assert response.status_code == 303, response.text
        return client


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, f"no form on {path}: {page.status_code}"
    return found.group(1)


@pytest.fixture
def workspace(store: Store, tmp_path: Path) -> Iterator[Workspace]:
    import_package(HANDMADE, store=store)
    with store.transaction() as session:
        for email, role, agency in ROLES.values():
            user = people.create_user(session, email, role.title(), PASSWORD)
            people.grant(session, user.id, "testshire", role, agency)
        people.create_user(session, "outsider@elsewhere.test", "Outsider", PASSWORD)
    publish(store, "testshire", "2009-10", "lead@testshire.test")
    yield Workspace(store, tmp_path / "web")
