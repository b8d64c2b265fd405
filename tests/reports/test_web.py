"""Reports in the workspace: preview a draft, issue it, read and download a version,
compare two; and who may do each."""

from __future__ import annotations

import io
import re

from docx import Document
from pypdf import PdfReader

from tests.workspace import Workspace, csrf
from totalplace.core.money import format_gbp, pounds_to_pence
from totalplace.count.service.publishing import publication
from totalplace.reports import service as reports

P = "/places/testshire"
YEAR = "2009-10"


def total(workspace: Workspace) -> str:
    from decimal import Decimal

    pub = publication(workspace.store, "testshire", YEAR, 1)
    assert pub is not None
    return format_gbp(pounds_to_pence(Decimal(str(pub.figures["total_gbp"]))))


def test_preview_issue_read_download_and_compare(workspace: Workspace) -> None:
    client = workspace.client("analyst")
    listing = client.get(f"{P}/reports")
    assert "No report issued yet." in listing.text
    preview = client.get(f"{P}/reports/preview", params={"year": YEAR, "stage": "interim"})
    assert preview.status_code == 200
    assert "A draft: nothing is kept" in preview.text
    found = re.search(r'data-figure="count.total">([^<]+)<', preview.text)
    assert found and found.group(1) == total(workspace)
    token = csrf(client, f"{P}/reports/preview?year={YEAR}&stage=interim")
    issued = client.post(f"{P}/reports", data={"csrf": token, "year": YEAR, "stage": "interim"})
    assert issued.status_code == 303 and issued.headers["location"] == f"{P}/reports/1"
    page = client.get(f"{P}/reports/1")
    assert "Issued: this version never changes." in page.text
    assert f'href="{P}/publications/{YEAR}/1"' in page.text
    pdf = client.get(f"{P}/reports/1/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert total(workspace) in text
    word = Document(io.BytesIO(client.get(f"{P}/reports/1/report.docx").content))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert total(workspace) in cells
    html = client.get(f"{P}/reports/1/report.html").text
    # Downloaded, the sources link to the workspace by its full address.
    assert f'href="http://testserver{P}/publications/{YEAR}/1"' in html
    client.post(f"{P}/reports", data={"csrf": token, "year": YEAR, "stage": "final"})
    compared = client.get(f"{P}/reports/compare", params={"before": 1, "after": 2})
    assert compared.status_code == 200
    assert "Version 1 to version 2" in compared.text
    assert "0 figures changed" in compared.text
    assert client.get(f"{P}/reports/compare?before=1&after=9").status_code == 404
    assert client.get(f"{P}/reports/9").status_code == 404
    assert client.get(f"{P}/reports/1/report.txt").status_code == 404


def test_bad_choices_are_shown_on_the_page(workspace: Workspace) -> None:
    client = workspace.client("lead")
    bad = client.get(f"{P}/reports/preview", params={"year": "2009", "stage": "weekly"})
    assert bad.status_code == 400
    assert 'href="#year"' in bad.text and 'href="#stage"' in bad.text
    token = csrf(client, f"{P}/reports")
    unpublished = client.post(
        f"{P}/reports", data={"csrf": token, "year": "2010-11", "stage": "final"}
    )
    assert unpublished.status_code == 400
    assert "the 2010-11 count of testshire is not published" in unpublished.text


def test_who_may_read_and_issue(workspace: Workspace) -> None:
    reports.issue(workspace.store, "testshire", YEAR, "final", "lead@test")
    for who, can_issue in (
        ("lead", True),
        ("analyst", True),
        ("contributor", False),
        ("viewer", False),
    ):
        client = workspace.client(who)
        assert client.get(f"{P}/reports/1").status_code == 200, who
        assert client.get(f"{P}/reports/1/report.docx").status_code == 200, who
        page = client.get(f"{P}/reports/1")
        assert ("Issue this report" in page.text) is False
        preview = client.get(f"{P}/reports/preview?year={YEAR}&stage=final")
        assert (preview.status_code == 200) is can_issue, who
    outsider = workspace.client("outsider")
    assert outsider.get(f"{P}/reports/1").status_code == 403
    assert outsider.get(f"{P}/reports/1/report.pdf").status_code == 403
    together = outsider.get("/reports/consolidated")
    assert "None of your places has published a count yet." in together.text
    mine = workspace.client("viewer").get("/reports/consolidated")
    assert total(workspace) in mine.text
