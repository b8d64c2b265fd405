"""The estate in the workspace: upload, the map and table, filters, the download."""

from __future__ import annotations

import re

from tests.estate.test_service import COUNCIL_ASSETS, DWP_ASSETS
from tests.workspace import Workspace, csrf

P = "/places/testshire"


def upload(client: object, content: bytes, agency: str, name: str = "assets.csv") -> object:
    return client.post(  # type: ignore[attr-defined]
        f"{P}/estate",
        data={"csrf": csrf(client, f"{P}/estate"), "agency_id": agency},
        files={"file": (name, content, "text/csv")},
    )


def test_upload_then_map_table_and_download(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    empty = analyst.get(f"{P}/estate")
    assert empty.status_code == 200 and "No asset has a point to draw yet" in empty.text
    done = upload(analyst, COUNCIL_ASSETS, "council")
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"] == f"{P}/estate?agency=council"  # type: ignore[attr-defined]
    upload(analyst, DWP_ASSETS, "dwp")
    page = analyst.get(f"{P}/estate")
    assert page.status_code == 200
    assert page.text.count("<circle") == 4 + 2  # four assets drawn, and two legend keys
    assert "style=" not in page.text  # the strict CSP: SVG attributes only
    assert "The address and the point disagree: 1" in page.text
    assert "Stretford Jobcentre&#39;s address names Stretford Mall" in page.text
    assert re.search(r"Claremont Centre.*Sale Jobcentre", page.text, re.S)
    vacant = analyst.get(f"{P}/estate?vacancy=vacant")
    assert "1 of 5 assets" in vacant.text
    download = analyst.get(f"{P}/estate/assets.csv?agency=dwp")
    assert download.headers["content-type"].startswith("text/csv")
    assert [line.split(",")[0] for line in download.text.splitlines()] == [
        "asset_id",
        "jcp-sale",
        "jcp-stretford",
    ]


def test_a_bad_upload_shows_its_problems(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    bad = upload(lead, b"asset_id,name,latitude\na1,Clinic,north\n", "pct", "clinics.csv")
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "Row 2, latitude: &#39;north&#39; is not a number of degrees" in bad.text  # type: ignore[attr-defined]
    assert '<option value="pct" selected>' in bad.text  # type: ignore[attr-defined]
    none = lead.post(f"{P}/estate", data={"csrf": csrf(lead, f"{P}/estate"), "agency_id": "pct"})
    assert none.status_code == 400 and "choose a file to add" in none.text
    unknown = upload(lead, COUNCIL_ASSETS, "nobody")
    assert unknown.status_code == 400  # type: ignore[attr-defined]
    assert "the place has no agency" in unknown.text  # type: ignore[attr-defined]


def test_pages_of_assets(workspace: Workspace) -> None:
    rows = "".join(f"a{n:03d},Garage {n},54.7,-1.6,freehold,,,,\n" for n in range(120))
    content = b"asset_id,name,latitude,longitude,tenure,use,gia_m2,vacant,lease_expiry\n"
    analyst = workspace.client("analyst")
    upload(analyst, content + rows.encode(), "council")
    first = analyst.get(f"{P}/estate?tenure=freehold")
    assert "120 of 120 assets: 1 to 50 shown" in first.text
    assert "tenure=freehold&amp;page=2" in first.text
    last = analyst.get(f"{P}/estate?tenure=freehold&page=3")
    assert "101 to 120 shown" in last.text and "Garage 119" in last.text
    assert analyst.get(f"{P}/estate?page=lots").status_code == 200
