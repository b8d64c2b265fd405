"""Each role sees only what it may in the API; signed-in answers are never cached; the
API's docs page runs under the site's strict CSP from the product's own assets."""

from __future__ import annotations

import json

import pytest

from tests.workspace import ROLES, Workspace

P = "/api/places/testshire"


def answer_text(workspace: Workspace, who: str, path: str) -> str:
    response = workspace.client(who).get(path)
    assert response.status_code == 200, response.text
    return json.dumps(response.json())


@pytest.mark.parametrize("who", ["viewer", "contributor"])
def test_viewers_and_contributors_see_no_emails_or_file_paths(
    workspace: Workspace, who: str
) -> None:
    listing = workspace.client(who).get(f"{P}/publications").json()
    assert listing[0]["version"] == 1 and "published_by" not in listing[0]
    one = workspace.client(who).get(f"{P}/publications/2009-10/1").json()
    assert "published_by" not in one
    assert one["figures"]["total_gbp"] == listing[0]["total_gbp"]
    for record in one["returns"]:
        assert "lines_file" not in record and "submission_id" not in record
        own = who == "contributor" and record["agency_id"] == ROLES[who][2]
        assert ("uploaded_by" in record) is own
    text = answer_text(workspace, who, f"{P}/publications/2009-10/1")
    assert "lead@testshire.test" not in text
    assert ".parquet" not in text


@pytest.mark.parametrize("who", ["lead", "analyst"])
def test_analysts_see_who_published_and_uploaded_but_no_file_paths(
    workspace: Workspace, who: str
) -> None:
    listing = workspace.client(who).get(f"{P}/publications").json()
    assert listing[0]["published_by"] == "lead@testshire.test"
    one = workspace.client(who).get(f"{P}/publications/2009-10/1").json()
    assert one["published_by"] == "lead@testshire.test"
    assert all("uploaded_by" in r and "submission_id" in r for r in one["returns"])
    assert ".parquet" not in answer_text(workspace, who, f"{P}/publications/2009-10/1")


def test_signed_in_pages_and_api_answers_are_not_stored(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    for path in ("/places", "/places/testshire/publications", "/api/places", f"{P}/publications"):
        response = viewer.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    refused = workspace.client().get("/api/places")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    asset = viewer.get("/static/build/htmx.min.js")
    assert asset.status_code == 200 and "cache-control" not in asset.headers


def test_api_docs_load_swagger_ui_from_the_product_under_the_strict_csp(
    workspace: Workspace,
) -> None:
    client = workspace.client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "cdn" not in csp
    assert "<script>" not in page.text  # no inline script for the CSP to block
    assert "http" not in page.text  # nothing from another site
    for asset in (
        "/static/build/swagger-ui/swagger-ui-bundle.js",
        "/static/build/swagger-ui/swagger-ui.css",
        "/static/js/api-docs.js",
    ):
        assert asset in page.text
        assert client.get(asset).status_code == 200, asset
