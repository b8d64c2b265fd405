"""The JSON API: described at /openapi.json, refused without a session or the role, and
writes protected by the CSRF header."""

from __future__ import annotations

from tests.workspace import Workspace

P = "/api/places/testshire"


def test_openapi_describes_the_api(workspace: Workspace) -> None:
    spec = workspace.client().get("/openapi.json").json()
    assert "/api/places" in spec["paths"]
    assert "/api/places/{place_id}/count/{year}/publish" in spec["paths"]
    assert not any(path.startswith("/places") for path in spec["paths"])


def test_places_needs_a_session(workspace: Workspace) -> None:
    assert workspace.client().get("/api/places").status_code == 401
    places = workspace.client("contributor").get("/api/places").json()
    assert places == [
        {
            "place_id": "testshire",
            "name": "Testshire",
            "gss_codes": ["E06000047"],
            "role": "contributor",
            "agency_id": "council",
        }
    ]
    assert workspace.client("outsider").get("/api/places").json() == []
    assert workspace.client("outsider").get(f"{P}/publications").status_code == 403


def test_publish_submit_and_accept_through_the_api(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    token = analyst.get("/api/session").json()["csrf_token"]
    assert analyst.post(f"{P}/count/2009-10/publish").status_code == 403  # no CSRF header
    made = analyst.post(f"{P}/count/2009-10/publish", headers={"X-CSRF-Token": token})
    assert made.status_code == 200
    assert made.json() == {"financial_year": "2009-10", "version": 2, "total_gbp": 4300000.52}
    versions = analyst.get(f"{P}/publications").json()
    assert [v["version"] for v in versions] == [2, 1]
    viewer = workspace.client("viewer")
    viewer_token = viewer.get("/api/session").json()["csrf_token"]
    assert (
        viewer.post(
            f"{P}/count/2009-10/publish", headers={"X-CSRF-Token": viewer_token}
        ).status_code
        == 403
    )
    returns = analyst.get(f"{P}/returns?year=2009-10").json()
    council = next(r for r in returns if r["agency_id"] == "council")
    assert council["status"] == "current" and council["total_gbp"] == 1760000.50
    # Only a submitted return can be accepted.
    refused = analyst.post(f"{P}/returns/{council['id']}/accept", headers={"X-CSRF-Token": token})
    assert refused.status_code == 409
    assert "Only a submitted return" in refused.json()["detail"]
    contributor_returns = workspace.client("contributor").get(f"{P}/returns").json()
    assert {r["agency_id"] for r in contributor_returns} == {"council"}


def test_every_amount_in_pounds_is_a_json_number(workspace: Workspace) -> None:
    """docs/formats/count-json.md: pounds are numbers, live or published alike."""
    analyst = workspace.client("analyst")
    live = analyst.get(f"{P}/count/2009-10").json()
    assert isinstance(live["total_gbp"], float | int)
    assert all(isinstance(d["gbp"], float | int) for d in live["by_cofog_division"])
    published = workspace.client("viewer").get(f"{P}/publications").json()
    assert published and all(isinstance(p["total_gbp"], float | int) for p in published)
    assert published[0]["total_gbp"] == live["total_gbp"]
