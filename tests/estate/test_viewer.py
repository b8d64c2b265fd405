"""A viewer (a leader, a councillor) reads the estate map, read-only, without the live
count's running costs."""

from __future__ import annotations

from tests.estate.test_service import COUNCIL_ASSETS
from tests.estate.test_web import P, upload
from tests.workspace import Workspace


def test_a_viewer_reads_the_estate_map(workspace: Workspace) -> None:
    upload(workspace.client("analyst"), COUNCIL_ASSETS, "council")
    assert "Running costs" in workspace.client("analyst").get(f"{P}/estate").text
    viewer = workspace.client("viewer")
    page = viewer.get(f"{P}/estate")
    assert page.status_code == 200
    assert "<svg" in page.text and "<circle" in page.text
    assert "Running costs" not in page.text  # from the live count: analysts only
    assert (
        "Import an agency" not in page.text
        and 'method="post" action="/places' not in (page.text.split("<main", 1)[1])
    )
    assert viewer.get(f"{P}/estate/assets.csv").status_code == 200
    refused = upload(viewer, COUNCIL_ASSETS, "council")
    assert refused.status_code == 403  # type: ignore[attr-defined]
