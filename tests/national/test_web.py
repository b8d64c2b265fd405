"""The national view in the workspace: the map, the table, a district, the downloads."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from tests.workspace import Workspace


def test_map_and_table_of_every_district(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    page = viewer.get("/national")
    assert page.status_code == 200
    assert "style=" not in page.text  # the strict CSP: SVG attributes only
    links = set(re.findall(r'<a href="/national/districts/(E0\d{7})"', page.text))
    assert len(links) == 309  # every district drawn, each a link to its count
    assert page.text.count("<path d=") == 309
    assert "shared among its districts by population" in page.text
    assert "What varies between places" in page.text and "What does not" in page.text
    assert "Trafford" in page.text


def test_table_filters_and_sorts(workspace: Workspace) -> None:
    client = workspace.client("outsider")
    page = client.get("/national?region=North+West&sort=name&order=asc")
    assert page.status_code == 200
    rows = re.findall(
        r'<td class="govuk-table__cell"><a class="govuk-link" href="/national/'
        r'districts/(E\d+)">([^<]+)</a>',
        page.text,
    )
    names = [name for _, name in rows]
    assert len(names) == 39 and names == sorted(names, key=str.casefold)
    assert 'aria-sort="ascending"' in page.text
    found = client.get("/national?q=traff")
    assert len(re.findall(r'<td class="govuk-table__cell"><a class="govuk-link"', found.text)) == 1
    nothing = client.get("/national?q=%3Cscript%3Ealert(1)")
    assert "No district matches" in nothing.text
    assert "<script>alert(1)" not in nothing.text and "&lt;script&gt;alert(1)" in nothing.text


def test_a_layer_colours_the_map_by_one_function(workspace: Workspace) -> None:
    client = workspace.client("viewer")
    health = client.get("/national?layer=cofog-07")
    assert "The map: health per head" in health.text
    local = client.get("/national?layer=local&sort=value&order=desc")
    assert "Local government&#39;s actual spending per head" in local.text
    unknown = client.get("/national?layer=nonsense")
    assert unknown.status_code == 200 and "All public spending per head" in unknown.text


def test_district_page_shows_its_bodies_and_notes(workspace: Workspace) -> None:
    client = workspace.client("viewer")
    trafford = client.get("/national/districts/E08000009")
    assert trafford.status_code == 200
    for text in (
        "Greater Manchester Police",
        "Greater Manchester Combined Authority",
        "Greater Manchester Waste Disposal Authority",
        "234,917, ONS mid-2017",
        "Department for Work and Pensions",
    ):
        assert text in trafford.text, text
    copeland = client.get("/national/districts/E07000029")
    assert "imputed" in copeland.text and "govuk-warning-text" in copeland.text
    assert client.get("/national/districts/E99999999").status_code == 404
    assert client.get("/national?year=2030-31").status_code == 400


def test_downloads_hold_the_filtered_table_and_escape_formulas(workspace: Workspace) -> None:
    client = workspace.client("contributor")
    got = client.get("/national/districts.csv?region=London&sort=name&order=asc")
    assert got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == 33 and rows[0]["name"] == "Barking and Dagenham"
    for row in rows:
        functions = sum(Decimal(row[f"cofog_{n:02d}_gbp"]) for n in range(1, 11))
        assert functions == Decimal(row["total_gbp"])
    book = client.get("/national/districts.xlsx?layer=local")
    sheets = load_workbook(io.BytesIO(book.content))
    assert sheets.sheetnames == ["Districts", "Checks", "About"]
    districts = sheets["Districts"]
    assert districts.max_row == 310
    assert isinstance(districts.cell(row=2, column=6).value, int | float)
    assert sheets["Checks"].max_row == 10
