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
    # The interviewer's question is the answer's context, not a quote of its own.
    assert "Asked: And what worried you?" in page.text
    assert "q4" not in page.text
    assert "left out of the document until approved" in page.text
    assert "Its words suggest it is sceptical: not yet set by a person" in page.text
    token = csrf(analyst, f"{P}/history/pilot")
    coded = analyst.post(
        f"{P}/history/pilot/quotes/q3", data={"csrf": token, "theme": "Barriers/National rules"}
    )
    assert coded.status_code == 303
    assert "Barriers/National rules" in analyst.get(f"{P}/history/pilot?theme=Barriers").text
    analyst.post(f"{P}/history/pilot/quotes/q2", data={"csrf": token, "approve": "yes"})
    assert "left out of the document until approved" not in analyst.get(f"{P}/history/pilot").text
    sceptical = analyst.get(f"{P}/history/pilot?sentiment=sceptical")
    assert "q3 ·" in sceptical.text and "q1 ·" not in sceptical.text
    # A person sets the tone: the suggestion gives way.
    analyst.post(f"{P}/history/pilot/quotes/q3", data={"csrf": token, "tone": "neutral"})
    assert "q3 ·" not in analyst.get(f"{P}/history/pilot?sentiment=sceptical").text
    bad_tone = analyst.post(f"{P}/history/pilot/quotes/q3", data={"csrf": token, "tone": "angry"})
    assert bad_tone.status_code == 400
    docx = analyst.get(f"{P}/history/pilot/document.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    from docx import Document

    Document(io.BytesIO(docx.content))  # a Word document that opens
    pdf = analyst.get(f"{P}/history/pilot/document.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def word_text(content: bytes) -> str:
    from docx import Document

    word = Document(io.BytesIO(content))
    return " ".join(p.text for p in word.paragraphs) + " ".join(
        c.text for t in word.tables for row in t.rows for c in row.cells
    )


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )


def test_sections_edited_in_the_page_hold_their_approved_quotes(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    analyst.post(
        f"{P}/history",
        data={"csrf": csrf(analyst, f"{P}/history"), "project": "pilot", "kind": "interview"},
        files={"file": ("interview.txt", (DATA / "history" / "interview.txt").read_bytes())},
    )
    sections = f"{P}/history/pilot/sections"
    token = csrf(analyst, sections)
    for title, narrative in (
        ("Barriers", "The rules were national."),
        ("The count", "Everyone looked at the same numbers."),
    ):
        added = analyst.post(
            sections,
            data={"csrf": token, "title": title, "narrative": narrative, "questions": "Who?\nWhy?"},
        )
        assert added.status_code == 303
    # The same title twice, or none, is refused field by field.
    again = analyst.post(sections, data={"csrf": token, "title": "Barriers", "narrative": ""})
    assert again.status_code == 400 and "govuk-error-summary" in again.text
    assert 'href="#new-title"' in again.text and "govuk-input--error" in again.text
    blank = analyst.post(sections, data={"csrf": token, "title": " "})
    assert blank.status_code == 400 and "Give the section a title" in blank.text
    # The count came first: move it up, and rename it.
    assert (
        analyst.post(f"{sections}/2/move", data={"csrf": token, "direction": "up"}).status_code
        == 303
    )
    analyst.post(
        f"{sections}/1",
        data={
            "csrf": token,
            "title": "Counting together",
            "narrative": "Same numbers.",
            "questions": "What would your count miss?",
        },
    )
    for quote, section in (("q1", "Counting together"), ("q3", "Barriers"), ("q2", "Barriers")):
        analyst.post(
            f"{P}/history/pilot/quotes/{quote}",
            data={"csrf": token, "section": section, "approve": "yes" if quote != "q2" else ""},
        )
    page = analyst.get(sections).text
    assert page.index("1. Counting together") < page.index("2. Barriers")
    text = word_text(analyst.get(f"{P}/history/pilot/document.docx").content)
    assert "1. Counting together" in text and "2. Barriers" in text
    assert "we looked at the same numbers together" in text
    assert "The barriers were national." in text and "What would your count miss?" in text
    assert "Honestly" not in text  # q2 is placed but not approved
    flat = pdf_text(analyst.get(f"{P}/history/pilot/document.pdf").content)
    assert "we looked at the same numbers together" in flat
    assert "We could not pool budgets because every fund had its own rules." in flat
    assert "Honestly" not in flat
    # Removing a section asks first, and keeps its quotes in the bank, unplaced.
    confirm = analyst.get(f"{sections}/2/remove")
    assert confirm.status_code == 200 and "Remove section 2, Barriers?" in confirm.text
    assert "2. Barriers" in analyst.get(sections).text  # asking removed nothing
    assert analyst.post(f"{sections}/2/remove", data={"csrf": token}).status_code == 303
    assert "2. Barriers" not in analyst.get(sections).text
    assert "The barriers were national." not in word_text(
        analyst.get(f"{P}/history/pilot/document.docx").content
    )
    assert "The barriers were national" in analyst.get(f"{P}/history/pilot").text
    assert analyst.post(f"{sections}/9/remove", data={"csrf": token}).status_code == 404
    assert analyst.get(f"{sections}/9/remove").status_code == 404
    from totalplace.core.store import audit as audit_store

    with workspace.store.sessions() as session:
        actions = [e.action for e in audit_store.audit_log(session, "testshire")]
    assert {"history-section", "history-section-move", "history-section-remove"} <= set(actions)


def test_a_viewer_reads_only_what_is_approved(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    analyst.post(
        f"{P}/history",
        data={"csrf": csrf(analyst, f"{P}/history"), "project": "pilot", "kind": "interview"},
        files={"file": ("interview.txt", (DATA / "history" / "interview.txt").read_bytes())},
    )
    token = csrf(analyst, f"{P}/history/pilot")
    analyst.post(f"{P}/history/pilot/quotes/q3", data={"csrf": token, "approve": "yes"})
    viewer = workspace.client("viewer")
    listing = viewer.get(f"{P}/history")
    assert listing.status_code == 200 and "pilot" in listing.text
    assert "Import words" not in listing.text
    page = viewer.get(f"{P}/history/pilot")
    assert page.status_code == 200
    assert "The barriers were national" in page.text
    assert "Honestly" not in page.text and "q1 ·" not in page.text
    main = page.text.split("<main", 1)[1]
    assert 'method="post"' not in main  # nothing to change
    assert viewer.get(f"{P}/history/pilot/sections").status_code == 403
    changed = viewer.post(f"{P}/history/pilot/quotes/q1", data={"csrf": token, "approve": "yes"})
    assert changed.status_code == 403
    assert viewer.get(f"{P}/history/pilot/document.pdf").status_code == 200


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
