"""Sign-in limits: per network address (not whatever X-Forwarded-For claims) and a short,
growing back-off per account that a lead can lift; both held in the database."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from starlette.requests import Request

from tests.people.helpers import P, user_id
from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.core.config import Settings
from totalplace.core.store.base import now
from totalplace.core.web.security import client_address, trusted_networks
from totalplace.people import rules
from totalplace.people.tables import SignInBackoff


def _attempt(client, email: str, password: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf": csrf(client, "/login")},
        headers=headers,
    )


def test_a_spoofed_forwarded_for_does_not_escape_the_address_limit(
    workspace: Workspace,
) -> None:
    """Reproduced on main: 30 of 30 spraying attempts, each with a new X-Forwarded-For and
    account, went unthrottled (uvicorn, as `serve` ran it, believed the header from
    127.0.0.1). Here the attacker is on 127.0.0.1 too, and nobody is a trusted proxy."""
    app = workspace.client().app
    client = TestClient(app, client=("127.0.0.1", 5000), follow_redirects=False)
    throttled = 0
    for n in range(30):
        response = _attempt(client, f"person{n}@testshire.test", "Winter2026!!", f"198.51.100.{n}")
        assert response.status_code == 400
        throttled += "Too many failed attempts from your network" in response.text
    assert throttled == 30 - rules.ADDRESS_FAILURES
    # The limit holds in another process too (it is in the database).
    other = TestClient(workspace.client().app, client=("127.0.0.1", 5001), follow_redirects=False)
    assert "from your network" in _attempt(other, "lead@testshire.test", PASSWORD).text


def test_serve_leaves_forwarded_for_to_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from totalplace.core.cli import app

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kwargs: seen.update(kwargs))
    result = CliRunner().invoke(
        app, ["serve"], env={"TOTALPLACE_HOME": str(tmp_path), "DATABASE_URL": ""}
    )
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is False


def _request(peer: str, forwarded: str, trusted: tuple[str, ...]) -> Request:
    settings = Settings(home=Path("/tmp"), database_url="", trusted_proxies=trusted)
    app = SimpleNamespace(state=SimpleNamespace(trusted_proxies=trusted_networks(settings)))
    scope = {
        "type": "http",
        "headers": [(b"x-forwarded-for", forwarded.encode())],
        "client": (peer, 1234),
        "app": app,
    }
    return Request(scope)


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    assert client_address(_request("203.0.113.9", "1.2.3.4", ())) == "203.0.113.9"
    assert client_address(_request("203.0.113.9", "1.2.3.4", ("10.0.0.0/8",))) == "203.0.113.9"
    # Through our proxy, the client is the first hop from the right that is not ours: a
    # client's own made-up entries further left are ignored.
    behind = _request("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.7", ("10.0.0.0/8",))
    assert client_address(behind) == "1.2.3.4"
    assert client_address(_request("10.0.0.5", "1.2.3.4", ("10.0.0.5",))) == "1.2.3.4"


def test_trusted_proxies_setting_is_read_and_checked() -> None:
    settings = Settings.from_env({"TOTALPLACE_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16"})
    assert settings.trusted_proxies == ("10.0.0.5", "10.1.0.0/16")
    assert Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(ValueError, match="not an address or a network"):
        trusted_networks(Settings.from_env({"TOTALPLACE_TRUSTED_PROXIES": "proxy.local"}))


def test_an_account_backs_off_briefly_and_the_wait_grows(workspace: Workspace) -> None:
    client = workspace.client()
    for _ in range(rules.FREE_FAILURES):
        failed = _attempt(client, "lead@testshire.test", "not the password")
        assert "not right" in failed.text
    blocked = _attempt(client, "lead@testshire.test", PASSWORD)
    assert blocked.status_code == 400
    assert re.search(
        r"Too many failed attempts for this account\. Wait [1-3]?\d seconds", blocked.text
    )
    # When the window has passed, the right password gets in again.
    with workspace.store.transaction() as session:
        session.execute(update(SignInBackoff).values(blocked_until=now() - timedelta(seconds=1)))
    assert _attempt(client, "lead@testshire.test", PASSWORD).status_code == 303
    assert [rules.backoff(n).total_seconds() for n in (4, 5, 6, 7, 20)] == [0, 30, 60, 120, 900]


def test_a_lead_lets_a_member_sign_in_again(workspace: Workspace) -> None:
    client = workspace.client()
    for _ in range(rules.FREE_FAILURES):
        _attempt(client, "viewer@testshire.test", "not the password")
    lead = workspace.client("lead")
    people = lead.get(f"{P}/people").text
    assert "Waiting after failed sign-ins" in people
    number = user_id(workspace, "viewer@testshire.test")
    done = lead.post(f"{P}/people/{number}/unlock", data={"csrf": csrf(lead, f"{P}/people")})
    assert done.status_code == 303
    assert "The member can sign in again now" in lead.get(done.headers["location"]).text
    assert _attempt(client, "viewer@testshire.test", PASSWORD).status_code == 303
    assert "unlock-sign-in" in lead.get(f"{P}/audit").text
