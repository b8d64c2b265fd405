"""The barriers register in the workspace: upload with a preview, forms, the workflow, and
who may do what on a barrier's own pages."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.barriers.helpers import CASE, barriers_csv, fill, row
from tests.workspace import Workspace, csrf
from totalplace.barriers import service as barriers

P = "/places/testshire"


def test_an_upload_is_previewed_then_added_on_confirmation(workspace: Workspace) -> None:
    fill(workspace.store)
    client = workspace.client("analyst")
    token = csrf(client, f"{P}/barriers")
    content = barriers_csv([row(), row(title="Counts visits", kind="performance", blocks="")])
    preview = client.post(
        f"{P}/barriers/upload",
        data={"csrf": token},
        files={"file": ("barriers.csv", content, "text/csv")},
    )
    assert preview.status_code == 200
    assert "Check the barriers before adding them" in preview.text
    assert "Counts visits" in preview.text
    assert barriers.barriers(workspace.store, "testshire") == []  # nothing kept yet
    hidden = dict(re.findall(r'name="(filename|content)" value="([^"]*)"', preview.text))
    confirmed = client.post(f"{P}/barriers/upload/confirm", data={"csrf": token, **hidden})
    assert confirmed.status_code == 303
    page = client.get(f"{P}/barriers")
    assert "TESTSHIRE-B-001" in page.text and "TESTSHIRE-B-002" in page.text
    sheet = load_workbook(io.BytesIO(client.get(f"{P}/barriers.xlsx").content)).active
    assert sheet is not None and sheet["A3"].value == "TESTSHIRE-B-002"


def test_a_bad_upload_shows_its_problems_and_adds_nothing(workspace: Workspace) -> None:
    client = workspace.client("lead")
    token = csrf(client, f"{P}/barriers")
    response = client.post(
        f"{P}/barriers/upload",
        data={"csrf": token},
        files={
            "file": ("barriers.csv", barriers_csv([row(kind="weather", blocks="")]), "text/csv")
        },
    )
    assert response.status_code == 400
    assert "Row 2, kind: &#39;weather&#39; is not a kind of barrier" in response.text
    tampered = client.post(
        f"{P}/barriers/upload/confirm", data={"csrf": token, "content": "%%%", "filename": "x"}
    )
    assert tampered.status_code == 400
    assert barriers.barriers(workspace.store, "testshire") == []


def test_the_form_adds_edits_and_moves_a_barrier_on(workspace: Workspace) -> None:
    fill(workspace.store)
    client = workspace.client("analyst")
    token = csrf(client, f"{P}/barriers/new")
    refused = client.post(f"{P}/barriers", data={"csrf": token, **row(owner="", kind="")})
    assert refused.status_code == 400
    assert 'href="#owner"' in refused.text and 'href="#kind"' in refused.text
    added = client.post(f"{P}/barriers", data={"csrf": token, **row()})
    assert added.status_code == 303
    number = added.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"{P}/barriers/{number}")
    assert CASE in page.text and "Troubled Families grant" in page.text
    edit = client.get(f"{P}/barriers/{number}/edit")
    assert f"case:{CASE}; stream:TF-1|Troubled Families grant" in edit.text.replace("&#34;", '"')
    edited = client.post(f"{P}/barriers/{number}/edit", data={"csrf": token, **row(title="New")})
    assert edited.status_code == 303
    bad = client.post(
        f"{P}/barriers/{number}/status",
        data={"csrf": token, "status": "resolved", "on": "2010-02-01", "reason": "early"},
    )
    assert bad.status_code == 400 and "can go to escalated, declined" in bad.text
    moved = client.post(
        f"{P}/barriers/{number}/status",
        data={"csrf": token, "status": "escalated", "on": "2010-02-01", "reason": "To DLUHC"},
    )
    assert moved.status_code == 303
    shown = barriers.barrier(workspace.store, "testshire", number)
    assert shown.title == "New" and shown.status == "escalated"
    assert client.get(f"{P}/barriers/TESTSHIRE-B-999").status_code == 404


def test_who_may_do_what_on_a_barrier(workspace: Workspace) -> None:
    [number] = barriers.add_from_file(
        workspace.store, "testshire", barriers_csv([row(blocks="")]), "b.csv", "lead@test"
    )
    step = {"status": "escalated", "on": "2010-02-01", "reason": "x"}
    for who, can_read, can_edit, can_move in (
        ("lead", True, True, True),
        ("analyst", True, True, True),
        ("contributor", True, False, False),
        ("viewer", True, False, False),
        ("outsider", False, False, False),
    ):
        client = workspace.client(who)
        token = csrf(client, "/places")
        read = client.get(f"{P}/barriers/{number}")
        assert (read.status_code == 200) is can_read, who
        edit = client.get(f"{P}/barriers/{number}/edit")
        assert (edit.status_code == 200) is can_edit, who
        post = client.post(f"{P}/barriers/{number}/edit", data={"csrf": token, **row(blocks="")})
        assert (post.status_code == 303) is can_edit, who
        moved = client.post(f"{P}/barriers/{number}/status", data={"csrf": token, **step})
        assert moved.status_code == (303 if can_move else 403), who
        if can_move:
            step = {
                "status": "answered" if step["status"] == "escalated" else "resolved",
                "on": "2010-03-01",
                "reason": "y",
            }


def test_the_national_page_shows_only_ones_own_places(workspace: Workspace) -> None:
    barriers.add_from_file(
        workspace.store, "testshire", barriers_csv([row(blocks="")]), "b.csv", "lead@test"
    )
    mine = workspace.client("viewer").get("/barriers/national")
    assert "TESTSHIRE-B-001" in mine.text
    theirs = workspace.client("outsider").get("/barriers/national")
    assert theirs.status_code == 200 and "TESTSHIRE-B-001" not in theirs.text
    assert "No barriers raised yet." in theirs.text
