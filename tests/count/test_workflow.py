"""The count, done in the workspace by the people who do it (without a browser)."""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from tests.workspace import PASSWORD, Workspace, csrf
from totalplace.count.service.counting import count_place

P = "/places/testshire"


def messy_return(amount_in_row_7: object) -> bytes:
    """A council's spreadsheet: title rows, a header on row 3, one line per payment."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "April"
    sheet.append(["Testshire Council: payments over £500"])
    sheet.append(["Run on 2 May 2010"])
    sheet.append(["Payment Date", "Supplier", "Service Area", "Amount (£)"])
    sheet.append(["01/04/2010", "Acme Care Ltd", "Adult Social Care", "£12,000.00"])
    sheet.append(["02/04/2010", "Libris plc", "Libraries", 2500.5])
    sheet.append(["03/04/2010", "Road Co", "Highways", "(1,000.00)"])
    sheet.append(["04/04/2010", "Acme Care Ltd", "Adult Social Care", amount_in_row_7])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: TestClient, content: bytes) -> str:
    response = client.post(
        f"{P}/agencies/council/upload",
        data={"csrf": csrf(client, f"{P}/agencies/council/upload"), "year": "2010-11"},
        files={"files": ("april.xlsx", content, "application/octet-stream")},
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def import_with_recognised_columns(client: TestClient, preview_path: str) -> object:
    page = client.get(preview_path)
    assert page.status_code == 200
    assert "sheet &#39;April&#39;: header on row 3" in page.text
    selected = r'name="(map:\d+:\w+)">(?:(?!</select>).)*?<option value="([^"]*)" selected'
    chosen = dict(re.findall(selected, page.text, flags=re.S))
    assert chosen["map:0:amount_gbp"] == "Amount (£)"
    started = client.post(
        preview_path, data={"csrf": csrf(client, preview_path), **chosen, "thousands": "auto"}
    )
    return follow_import(client, started)


def follow_import(client: TestClient, started: Any) -> Any:
    """The import runs as a job: poll its page, as htmx does, until it has ended."""
    assert started.status_code == 303, started.text
    job = str(started.headers["location"])
    assert "/jobs/" in job
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        polled = client.get(job, headers={"HX-Request": "true"})
        assert polled.status_code == 200, polled.text
        if polled.headers.get("HX-Redirect") == job:
            return client.get(job)
        assert 'hx-trigger="load delay:1s"' in polled.text
        time.sleep(0.05)
    raise AssertionError(f"the import at {job} did not end")


def test_invite_upload_fix_submit_accept_publish_compare(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    # The lead invites a new contributor for the police.
    invited = lead.post(
        f"{P}/people",
        data={
            "csrf": csrf(lead, f"{P}/people"),
            "email": "finance@police.test",
            "role": "contributor",
            "agency_id": "police",
        },
    )
    assert invited.status_code == 200
    link = re.search(r'id="invitation-link" type="text" readonly value="([^"]+)"', invited.text)
    assert link, invited.text
    newcomer = workspace.client()
    path = link.group(1).replace("http://testserver", "")
    accepted = newcomer.post(
        path, data={"csrf": csrf(newcomer, path), "name": "Pat", "password": PASSWORD}
    )
    assert accepted.status_code == 303
    assert "for police" in newcomer.get("/places").text

    # The council's contributor uploads a return with one bad amount.
    council = workspace.client("contributor")
    rejected = import_with_recognised_columns(council, upload(council, messy_return("twelve")))
    assert rejected.status_code == 400  # type: ignore[attr-defined]
    text = rejected.text  # type: ignore[attr-defined]
    assert "Nothing was imported: 1 problem to fix" in text
    # Each kind of problem once, with its count, its columns and its first rows.
    assert re.search(
        r"<strong>not-a-number</strong><br>&#39;twelve&#39; is not an amount[^<]*</td>\s*"
        r"<td[^>]*>1</td>\s*<td[^>]*>Amount \(£\)</td>\s*"
        r"<td[^>]*><ul[^>]*><li>april.xlsx, sheet &#39;April&#39;, row 7, column &#39;Amount",
        text,
    )
    # Fixed and uploaded again: a draft, which the contributor submits.
    done = import_with_recognised_columns(council, upload(council, messy_return(300)))
    assert done.status_code == 303  # type: ignore[attr-defined]
    return_path = done.headers["location"]  # type: ignore[attr-defined]
    page = council.get(return_path)
    assert "draft" in page.text and "£13,800.50" in page.text
    assert (
        council.post(f"{return_path}/submit", data={"csrf": csrf(council, return_path)}).status_code
        == 303
    )
    # Not counted until an analyst accepts it.
    assert count_place("testshire", "2010-11", store=workspace.store).total_pence == 90_000_000
    analyst = workspace.client("analyst")
    assert (
        analyst.post(f"{return_path}/accept", data={"csrf": csrf(analyst, return_path)}).status_code
        == 303
    )
    live = analyst.get(f"{P}/count/2010-11")
    assert "£13,800.50" in live.text
    first = analyst.post(
        f"{P}/count/2010-11/publish",
        data={"csrf": csrf(analyst, f"{P}/count/2010-11"), "confirmed": "yes"},
    )
    assert first.status_code == 303
    viewer = workspace.client("viewer")
    published = viewer.get(first.headers["location"])
    assert "£13,800.50" in published.text and "version 1" in published.text

    # A corrected return and a second publication: the difference, and who made it.
    again = import_with_recognised_columns(council, upload(council, messy_return(400)))
    second_return = again.headers["location"]  # type: ignore[attr-defined]
    council.post(f"{second_return}/submit", data={"csrf": csrf(council, second_return)})
    analyst.post(f"{second_return}/accept", data={"csrf": csrf(analyst, second_return)})
    second = analyst.post(
        f"{P}/count/2010-11/publish",
        data={"csrf": csrf(analyst, f"{P}/count/2010-11"), "confirmed": "yes"},
    )
    assert second.headers["location"].endswith("/2010-11/2")
    compared = viewer.get(f"{P}/compare/2010-11?before=1&after=2")
    assert compared.status_code == 200
    assert "council@testshire.test" in compared.text
    assert re.search(r"<td[^>]*>Testshire Council</td><td[^>]*>2 → 3</td>", compared.text)
    assert "£100.00" in compared.text  # the change in the council's figure
    total = Decimal(count_place("testshire", "2010-11", store=workspace.store).total_pence) / 100
    assert total == Decimal("13900.50")


def test_contributor_cannot_see_other_agencies_returns(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    content = messy_return(300)
    response = analyst.post(
        f"{P}/agencies/pct/upload",
        data={"csrf": csrf(analyst, f"{P}/agencies/pct/upload"), "year": "2010-11"},
        files={"files": ("pct.xlsx", content, "application/octet-stream")},
    )
    done = import_with_recognised_columns(analyst, response.headers["location"])
    pct_return = done.headers["location"]  # type: ignore[attr-defined]
    council = workspace.client("contributor")
    assert council.get(pct_return).status_code == 404
    assert "pct" not in council.get(f"{P}/returns").text.split("Who has sent what")[1]
    # Nor someone else's upload in progress.
    preview = upload(analyst, content)
    assert council.get(preview).status_code in (403, 404)


def test_template_download_lists_the_place_agencies(workspace: Workspace) -> None:
    response = workspace.client("contributor").get(f"{P}/template.xlsx?year=2010-11")
    assert response.status_code == 200
    assert "testshire-count-template.xlsx" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    agencies = [row[0].value for row in book["Agencies"].iter_rows(min_row=2)]
    assert agencies == ["council", "dwp", "pct", "police"]
