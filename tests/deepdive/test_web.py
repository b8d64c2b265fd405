"""The deep-dive page in the workspace: an upload of flows, the picture and its table,
the downloads, and a rejected upload shown with its problems."""

from __future__ import annotations

from pathlib import Path

from tests.workspace import Workspace, csrf

P = "/places/testshire"
FLOWS = (Path(__file__).parent / "data" / "funding_flows.csv").read_bytes()


def upload(client: object, content: bytes, name: str, mapping: str = "") -> object:
    return client.post(  # type: ignore[attr-defined]
        f"{P}/deepdive",
        data={"csrf": csrf(client, f"{P}/deepdive"), "mapping": mapping},
        files={"file": (name, content, "text/csv")},
    )


def test_upload_then_the_picture_its_table_and_the_download(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    done = upload(analyst, FLOWS, "flows.csv")
    assert done.status_code == 303  # type: ignore[attr-defined]
    page = analyst.get(f"{P}/deepdive?year=2009-10")
    assert page.status_code == 200
    assert "style=" not in page.text  # the strict CSP: SVG attributes only
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1
    # dclg and the Home Office in, the PCT's provider out: three bands.
    assert page.text.count("<path d=") == 3
    assert "Entering: <strong>£1,200,000.00</strong>" in page.text
    assert "A plain sum of the 5 flows would say £1,800,000.00" in page.text
    assert "Monthly DIP reports" in page.text
    download = analyst.get(f"{P}/deepdive/flows.csv")
    assert download.headers["content-type"].startswith("text/csv")
    assert download.text.splitlines()[1].startswith("f1,Supporting People,dclg,council")
    template = analyst.get(f"{P}/deepdive/template.xlsx")
    assert template.content[:2] == b"PK"


def test_a_bad_upload_shows_its_problems_and_keeps_nothing(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    bad = upload(lead, FLOWS.replace(b"2009-10,300000.00", b"2009-10,lots"), "flows.csv")
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "row 3, amount_gbp: &#39;lots&#39; is not an amount" in bad.text  # type: ignore[attr-defined]
    page = lead.get(f"{P}/deepdive/flows.csv")
    assert page.text.splitlines()[1:] == []
    none = lead.post(f"{P}/deepdive", data={"csrf": csrf(lead, f"{P}/deepdive")})
    assert none.status_code == 400 and "choose a file to add" in none.text
    unknown = upload(lead, FLOWS, "flows.csv", "GB-LAE-TRF=nobody")
    assert unknown.status_code == 400  # type: ignore[attr-defined]
    assert "which is not an agency of the place" in unknown.text  # type: ignore[attr-defined]


def test_theme_rules_uploaded_on_the_page(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    rules = b"theme_id,field,value,share,basis\nolder-people,sercop,ASC,0.5,Half\n"
    done = analyst.post(
        f"{P}/deepdive/theme-rules",
        data={"csrf": csrf(analyst, f"{P}/deepdive")},
        files={"file": ("rules.csv", rules, "text/csv")},
    )
    assert done.status_code == 303
    page = analyst.get(f"{P}/deepdive?year=2009-10")
    assert "The theme rules (1)" in page.text and "£500,000.00" in page.text
    wrong = b"theme_id,field,value\nolder-people,postcode,M33\n"
    bad = analyst.post(
        f"{P}/deepdive/theme-rules",
        data={"csrf": csrf(analyst, f"{P}/deepdive")},
        files={"file": ("rules.csv", wrong, "text/csv")},
    )
    assert bad.status_code == 400
    assert "&#39;postcode&#39; is not a column a theme rule can match" in bad.text
    assert "The theme rules (1)" in bad.text  # nothing changed


def test_every_member_reads_the_deep_dive_without_its_uploads(workspace: Workspace) -> None:
    assert upload(workspace.client("analyst"), FLOWS, "flows.csv").status_code == 303  # type: ignore[attr-defined]
    analyst = workspace.client("analyst").get(f"{P}/deepdive?year=2009-10")
    for who in ("viewer", "contributor"):
        page = workspace.client(who).get(f"{P}/deepdive?year=2009-10")
        assert page.status_code == 200, who
        # The same picture and table as the analysts read...
        assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1
        assert "The picture as a table" in page.text
        # ...and nothing to upload or download.
        assert '<form method="post" action="/places/testshire/deepdive' not in page.text
        assert "/deepdive/flows.csv" not in page.text
        assert "/deepdive/template.xlsx" not in page.text
    assert '<form method="post" action="/places/testshire/deepdive"' in analyst.text
    assert "/deepdive/flows.csv" in analyst.text
    viewer = workspace.client("viewer")
    refused = viewer.post(
        f"{P}/deepdive",
        data={"csrf": csrf(viewer, f"{P}/deepdive")},
        files={"file": ("flows.csv", FLOWS, "text/csv")},
    )
    assert refused.status_code == 403
