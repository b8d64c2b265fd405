"""The learning history in the workspace."""

from __future__ import annotations

import io

from tests.helpers import DATA
from tests.workspace import Workspace, csrf

P = "/places/testshire"


def test_import_code_approve_and_download(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    made = analyst.post(
        f"{P}/history",
        data={"csrf": csrf(analyst, f"{P}/history"), "project": "pilot", "kind": "interview"},
        files={"file": ("interview.txt", (DATA / "history" / "interview.txt").read_bytes())},
    )
    assert made.status_code == 303 and made.headers["location"] == f"{P}/history/pilot"
    page = analyst.get(f"{P}/history/pilot")
    assert "Jane" not in page.text and "Smith" not in page.text
    assert "q2 · Local Place, Senior Officer" in page.text
    assert "left out of the document until approved" in page.text
    token = csrf(analyst, f"{P}/history/pilot")
    coded = analyst.post(
        f"{P}/history/pilot/quotes/q5", data={"csrf": token, "theme": "Barriers/National rules"}
    )
    assert coded.status_code == 303
    assert "Barriers/National rules" in analyst.get(f"{P}/history/pilot?theme=Barriers").text
    analyst.post(f"{P}/history/pilot/quotes/q1", data={"csrf": token, "role": "Programme Lead"})
    analyst.post(f"{P}/history/pilot/quotes/q4", data={"csrf": token, "approve": "yes"})
    assert "left out of the document" not in analyst.get(f"{P}/history/pilot").text
    sceptical = analyst.get(f"{P}/history/pilot?sentiment=sceptical")
    assert "q5" in sceptical.text and "q2 ·" not in sceptical.text
    docx = analyst.get(f"{P}/history/pilot/document.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    from docx import Document

    Document(io.BytesIO(docx.content))  # a Word document that opens
    pdf = analyst.get(f"{P}/history/pilot/document.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_a_history_belongs_to_its_place(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    analyst.post(
        f"{P}/history",
        data={"csrf": csrf(analyst, f"{P}/history"), "project": "pilot", "kind": "report"},
        files={"file": ("r.txt", (DATA / "history" / "report_extract.txt").read_bytes())},
    )
    outsider = workspace.client("outsider")
    made = outsider.post(
        "/places",
        data={
            "csrf": csrf(outsider, "/places"),
            "place_id": "other",
            "name": "Other",
            "gss_codes": "E06000001",
        },
    )
    assert made.status_code == 303
    assert outsider.get("/places/other/history/pilot").status_code == 404
    bad = analyst.post(
        f"{P}/history",
        data={"csrf": csrf(analyst, f"{P}/history"), "project": "pilot", "kind": "report"},
        files={"file": ("empty.txt", b"No quotes here at all.\n")},
    )
    assert bad.status_code == 400 and "no quotes were found" in bad.text
