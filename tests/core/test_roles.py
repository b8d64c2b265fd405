"""Every route, for every role: allowed or refused, as the security model says."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from tests.workspace import Workspace, csrf
from totalplace.core.config import Settings
from totalplace.core.web.app import create_app
from totalplace.people import service as people
from totalplace.people.service.accounts import user_by_email

P = "/places/testshire"
EVERYONE = {"lead", "analyst", "contributor", "viewer"}
ANALYSTS = {"lead", "analyst"}
UPLOADERS = {"lead", "analyst", "contributor"}
LEAD = {"lead"}

# (method, path, roles allowed). Paths are concrete examples of each route.
MATRIX: list[tuple[str, str, set[str]]] = [
    ("GET", "/places", EVERYONE | {"outsider"}),
    ("GET", "/account", EVERYONE | {"outsider"}),
    ("POST", "/account", EVERYONE | {"outsider"}),
    ("GET", P, EVERYONE),
    ("GET", f"{P}/settings", LEAD),
    ("POST", f"{P}/settings/areas", LEAD),
    ("GET", f"{P}/people", LEAD),
    ("POST", f"{P}/people", LEAD),
    ("GET", f"{P}/audit", LEAD),
    ("GET", f"{P}/returns", UPLOADERS),
    ("GET", f"{P}/template.xlsx", UPLOADERS),
    ("GET", f"{P}/agencies/council/upload", UPLOADERS),
    ("GET", f"{P}/agencies/pct/upload", ANALYSTS),
    ("POST", f"{P}/agencies/pct/upload", ANALYSTS),
    ("GET", f"{P}/classify?year=2009-10", ANALYSTS),
    ("POST", f"{P}/classify", ANALYSTS),
    ("POST", f"{P}/classify/default", ANALYSTS),
    ("POST", f"{P}/classify/rules/delete", ANALYSTS),
    ("GET", f"{P}/count/2009-10/publish", ANALYSTS),
    ("GET", f"{P}/count/2009-10/functions/07/agencies/pct.csv", ANALYSTS),
    ("GET", f"{P}/count/2009-10/functions/07/agencies/pct.xlsx", ANALYSTS),
    ("GET", f"{P}/publications/2009-10/1.xlsx", EVERYONE),
    ("GET", f"{P}/count/2009-10", ANALYSTS),
    ("GET", f"{P}/count/2009-10/functions/07", ANALYSTS),
    ("GET", f"{P}/count/2009-10/functions/07/agencies/pct", ANALYSTS),
    ("GET", f"{P}/count/2009-10.csv", ANALYSTS),
    ("GET", f"{P}/count/2009-10.xlsx", ANALYSTS),
    ("POST", f"{P}/count/2009-10/publish", ANALYSTS),
    ("GET", f"{P}/publications", EVERYONE),
    ("GET", f"{P}/publications/2009-10/1", EVERYONE),
    ("GET", f"{P}/publications/2009-10/1.csv", EVERYONE),
    ("GET", f"{P}/compare/2009-10?before=1&after=1", EVERYONE),
    ("GET", "/api/places", EVERYONE | {"outsider"}),
    ("GET", f"/api{P}/count/2009-10", ANALYSTS),
    ("GET", f"/api{P}/publications", EVERYONE),
    ("GET", f"/api{P}/publications/2009-10/1", EVERYONE),
    ("GET", "/api/session", EVERYONE | {"outsider"}),
    ("GET", f"{P}/cases", EVERYONE),
    ("POST", f"{P}/cases", ANALYSTS),
    ("GET", f"{P}/journeys", EVERYONE),
    ("POST", f"{P}/journeys", ANALYSTS),
    ("POST", f"{P}/journeys/new", ANALYSTS),
    ("GET", f"{P}/models", EVERYONE),
    ("GET", f"{P}/history", EVERYONE),
    ("POST", f"{P}/history", ANALYSTS),
    ("POST", f"{P}/models", ANALYSTS),
    ("GET", f"/api{P}/returns", UPLOADERS),
    ("GET", f"{P}/estate", EVERYONE),
    ("GET", f"{P}/estate?agency=council&vacancy=vacant", EVERYONE),
    ("GET", f"{P}/estate/assets.csv", EVERYONE),
    ("POST", f"{P}/estate", ANALYSTS),
    # The People page's actions; {viewer} is the viewer's account number, invitation 1 is
    # made before the run. Removal and signing out everywhere come last: they end things.
    ("POST", f"{P}/people/invitations/1/resend", LEAD),
    ("POST", f"{P}/people/invitations/1/revoke", LEAD),
    ("POST", f"{P}/people/{{viewer}}/role", LEAD),
    ("POST", f"{P}/people/{{viewer}}/reset-link", LEAD),
    ("POST", f"{P}/people/{{viewer}}/unlock", LEAD),
    ("GET", f"{P}/people/{{viewer}}/remove", LEAD),
    ("POST", f"{P}/people/{{viewer}}/remove", LEAD),
    ("POST", "/account/sign-out-everywhere", EVERYONE | {"outsider"}),
]
# Routes that need no sign-in, or act on one's own session only.
PUBLIC = {"/login", "/logout", "/invite/{token}", "/reset/{token}", "/", "/healthz", "/api/docs"}
# Routes on a record, checked separately in test_workflow (they need an upload or a return).
RECORD_ROUTES = {
    # Leads every member to /sharing: tests/cases/test_web.py.
    "/places/{place_id}/cases/shares",
    "/places/{place_id}/history/{name}",
    "/places/{place_id}/history/{name}/quotes/{quote_id}",
    "/places/{place_id}/history/{name}/document.{kind}",
    "/places/{place_id}/journeys/{record_id}",
    "/places/{place_id}/journeys/{record_id}/steps",
    "/places/{place_id}/journeys/{record_id}/quotes",
    "/places/{place_id}/models/{record_id}",
    "/places/{place_id}/cases/{case_id}",
    "/api/places/{place_id}/returns/{submission_id}/submit",
    "/api/places/{place_id}/returns/{submission_id}/accept",
    "/api/places/{place_id}/count/{year}/publish",
    "/places/{place_id}/uploads/{token}",
    "/places/{place_id}/jobs/{job_id}",
    "/places/{place_id}/returns/{submission_id}",
    "/places/{place_id}/returns/{submission_id}/submit",
    "/places/{place_id}/returns/{submission_id}/accept",
    "/places/{place_id}/returns/{submission_id}/withdraw",
    "/places/{place_id}/returns/{submission_id}/delete",
    "/places/{place_id}/returns/{submission_id}/send-back",
}

# A capability's own routes may be listed beside its tests, in tests/<capability>/roles.py:
# ROUTES (entries like MATRIX's, written with P) and RECORD_ROUTES (templates).
for _module in sorted(Path(__file__).parent.parent.glob("*/roles.py")):
    _loaded = importlib.import_module(f"tests.{_module.parent.name}.roles")
    # Before the People page's actions, which end the viewer's membership.
    _ending = next(i for i, entry in enumerate(MATRIX) if "/people/invitations/" in entry[1])
    MATRIX[_ending:_ending] = getattr(_loaded, "ROUTES", [])
    RECORD_ROUTES.update(getattr(_loaded, "RECORD_ROUTES", set()))


def test_every_route_is_in_the_matrix() -> None:
    app = create_app(
        Settings.from_env(
            {"TOTALPLACE_HOME": "/tmp/totalplace-routes", "DATABASE_URL": "sqlite://"}
        )
    )
    templates = {r.path for r in app.routes if isinstance(r, APIRoute)}
    covered = set()
    for _method, path, _roles in MATRIX:
        concrete = path.split("?")[0].replace("{viewer}", "4")
        for template in templates:
            pattern = "^" + template.replace(".", r"\.")
            pattern = re.sub(r"\{[^}]+\}", r"[^/]+", pattern) + "$"
            if re.match(pattern, concrete):
                covered.add(template)
    missing = templates - covered - PUBLIC - RECORD_ROUTES
    assert not missing, f"routes missing from the role matrix: {sorted(missing)}"


@pytest.mark.parametrize("who", ["lead", "analyst", "contributor", "viewer", "outsider"])
def test_role_matrix(workspace: Workspace, who: str) -> None:
    with workspace.store.transaction() as session:
        viewer = user_by_email(session, "viewer@testshire.test")
        assert viewer is not None
        number = viewer.id
    people.invite(workspace.store, "testshire", "someone@testshire.test", "viewer", None, "lead")
    client = workspace.client(who)
    token = csrf(client, "/places")
    for method, template, allowed in MATRIX:
        path = template.replace("{viewer}", str(number))
        data = {"csrf": token}
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        if who in allowed:
            # A GET shows its page; an empty POST is refused as incomplete, carried out, or
            # carried out and its result shown (a new link to copy).
            expected = (200,) if method == "GET" else (200, 303, 400)
            assert response.status_code in expected, (who, method, path, response.status_code)
        else:
            assert response.status_code == 403, (who, method, path, response.status_code)


def test_signed_out_is_sent_to_sign_in(workspace: Workspace) -> None:
    client = workspace.client()
    for method, template, _allowed in MATRIX:
        path = template.replace("{viewer}", "4")
        response = client.request(method, path)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        elif method == "GET":
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login"), path
        else:
            assert response.status_code in (303, 403), path
