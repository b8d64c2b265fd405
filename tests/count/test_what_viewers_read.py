"""Viewers read published figures, not who published them; pages name agencies, not ids."""

from __future__ import annotations

from pathlib import Path

from tests.workspace import Workspace, csrf
from totalplace.count.service import returns as return_service
from totalplace.count.service.publishing import publish


def test_viewers_do_not_see_who_published(workspace: Workspace) -> None:
    publish(workspace.store, "testshire", "2009-10", "lead@testshire.test")
    for path in (
        "/places/testshire/publications",
        "/places/testshire/publications/2009-10/1",
        "/places/testshire/compare/2009-10?before=1&after=2",
        "/places/testshire",
    ):
        viewer = workspace.client("viewer").get(path)
        assert viewer.status_code == 200, path
        assert "lead@testshire.test" not in viewer.text, path
    analyst = workspace.client("analyst").get("/places/testshire/publications")
    assert "lead@testshire.test" in analyst.text


def test_compare_names_the_agencies(workspace: Workspace, tmp_path: Path) -> None:
    lead = workspace.client("lead")
    assert csrf(lead, "/places/testshire")  # signed in
    ledger = tmp_path / "council.csv"
    ledger.write_text("Date,Service,Amount\n2009-05-01,Libraries,100.00\n")
    return_service.import_return(
        "council", [ledger], "2009-10", store=workspace.store, place_id="testshire"
    )
    publish(workspace.store, "testshire", "2009-10", "lead@testshire.test")
    page = lead.get("/places/testshire/compare/2009-10?before=1&after=2")
    assert page.status_code == 200
    assert "Testshire Council" in page.text
