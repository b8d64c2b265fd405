"""Exports an accountant can trust: numbers a spreadsheet can add up, text that never
runs as a formula, names and the page's wording, and sums that agree with the page."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl

from tests.workspace import Workspace, csrf
from totalplace.count.service.counting import count_place
from totalplace.count.service.returns import import_return
from totalplace.places.service.places import add_agency

P = "/places/testshire"
EVIL = '=HYPERLINK("http://evil.test","Click")'


def credit_and_evil_agency(workspace: Workspace, tmp_path: Path) -> None:
    """2012-13: a credit of £17,542.42 for the DWP and an agency named like a formula."""
    with workspace.store.transaction() as session:
        add_agency(session, "testshire", "evil", EVIL, "other", "test")
    dwp = tmp_path / "dwp.csv"
    dwp.write_text("Description,Amount,COFOG\nRecovered overpayments,-17542.42,10.9\n")
    import_return("dwp", [dwp], "2012-13", store=workspace.store, place_id="testshire")
    evil = tmp_path / "evil.csv"
    evil.write_text("Service Area,Amount,COFOG\n=1+1,500.00,07\nParks,250.00,\n")
    import_return("evil", [evil], "2012-13", store=workspace.store, place_id="testshire")


def test_csv_numbers_are_numbers_and_only_text_is_escaped(
    workspace: Workspace, tmp_path: Path
) -> None:
    credit_and_evil_agency(workspace, tmp_path)
    analyst = workspace.client("analyst")
    text = analyst.get(f"{P}/count/2012-13.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    dwp = next(r for r in rows if r["section"] == "agency" and r["code"] == "dwp")
    assert dwp["gbp"] == "-17542.42"  # a number Excel adds up, not the text '-17542.42
    assert dwp["name"] == "Department for Work and Pensions"
    evil = next(r for r in rows if r["section"] == "agency" and r["code"] == "evil")
    assert evil["name"] == "'" + EVIL
    # Each section sums to the page's total; the unclassified row says what the page does.
    result = count_place("testshire", "2012-13", store=workspace.store)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[row["section"]] += Decimal(row["gbp"])
    total = Decimal(result.total_pence) / 100
    assert total == Decimal("-16792.42")
    assert sums["agency"] == sums["cofog_division"] == sums["cofog_group"] == total
    assert sums["unclassified"] == Decimal("250.00")
    division_names = {r["code"]: r["name"] for r in rows if r["section"] == "cofog_division"}
    assert division_names[""] == "Unclassified" and division_names["10"] == "Social protection"
    page = analyst.get(f"{P}/count/2012-13").text
    assert "£-16,792.42" in page or "-£16,792.42" in page


def test_xlsx_has_names_codes_as_text_levels_and_no_live_formulas(
    workspace: Workspace, tmp_path: Path
) -> None:
    credit_and_evil_agency(workspace, tmp_path)
    analyst = workspace.client("analyst")
    content = analyst.get(f"{P}/count/2012-13.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(content))
    agencies = list(book["By agency"].iter_rows(values_only=True))
    assert agencies[0] == ("Agency", "Agency id", "Figures", "£")
    by_id = {r[1]: r for r in agencies[1:]}
    assert by_id["dwp"][0] == "Department for Work and Pensions"
    assert by_id["dwp"][3] == -17542.42
    evil_cell = next(c for c in book["By agency"]["A"] if c.value == EVIL)
    assert evil_cell.data_type == "s"  # stored as text: Excel shows it, never runs it
    functions = list(book["By function"].iter_rows(values_only=True))
    assert functions[0] == ("Level", "COFOG code", "Function", "£")
    codes = {r[1] for r in functions[1:]}
    assert "10" in codes and "10.9" in codes  # text, not the numbers 10 and 10.9
    result = count_place("testshire", "2012-13", store=workspace.store)
    total = Decimal(result.total_pence) / 100
    for level in ("Division", "Group"):
        summed = sum(Decimal(str(r[3])) for r in functions[1:] if r[0] == level)
        assert summed == total, level
    assert sum(Decimal(str(r[3])) for r in agencies[1:]) == total
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert Decimal(str(summary["Total (£)"])) == total
    assert summary["Unclassified (£): no function yet"] == 250


def test_the_template_writes_an_agency_named_like_a_formula_as_text(
    workspace: Workspace, tmp_path: Path
) -> None:
    credit_and_evil_agency(workspace, tmp_path)
    content = workspace.client("analyst").get(f"{P}/template.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [c for row in book["Agencies"].iter_rows() for c in row if c.value == EVIL]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not [c for s in book for row in s.iter_rows() for c in row if c.data_type == "f"]


def test_a_published_version_downloads_as_xlsx(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    response = viewer.get(f"{P}/publications/2009-10/1.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "By function" in book.sheetnames
    assert ".xlsx" in viewer.get(f"{P}/publications/2009-10/1").text


def test_lines_page_through_search_and_download_in_full(
    workspace: Workspace, tmp_path: Path
) -> None:
    ledger = tmp_path / "council.csv"
    lines = [f"Payment {n:03d},Supplier {n % 7},{100 + n}.00,08.1" for n in range(250)]
    ledger.write_text("Description,Supplier,Amount,COFOG\n" + "\n".join(lines) + "\n")
    import_return("council", [ledger], "2013-14", store=workspace.store, place_id="testshire")
    analyst = workspace.client("analyst")
    where = f"{P}/count/2013-14/functions/08/agencies/council"
    first = analyst.get(where).text
    assert "250 lines" in first and "page 1 of 3" in first
    assert "Testshire Council: its lines" in first  # the name, not the id
    third = analyst.get(where + "?page=3").text
    assert "Payment 000" in third and "Payment 249" not in third
    found = analyst.get(where + "?q=supplier+3").text
    assert "36 lines" in found  # n % 7 == 3 for 36 of 250
    rows = list(csv.DictReader(io.StringIO(analyst.get(where + ".csv").text)))
    assert len(rows) == 250
    assert sum(Decimal(r["£"]) for r in rows) == sum(Decimal(100 + n) for n in range(250))
    book = openpyxl.load_workbook(io.BytesIO(analyst.get(where + ".xlsx").content))
    assert book["Lines"].max_row == 251
    every = analyst.get(f"{P}/count/2013-14/functions/all/agencies/council").text
    assert "250 lines" in every


def test_publishing_asks_first_and_says_what_is_weak(workspace: Workspace, tmp_path: Path) -> None:
    credit_and_evil_agency(workspace, tmp_path)
    lead = workspace.client("lead")
    page = lead.get(f"{P}/count/2012-13/publish")
    assert page.status_code == 200
    text = page.text
    assert "has no function yet" in text
    assert "No return from" in text and "Four Counties Police" in text
    unconfirmed = lead.post(
        f"{P}/count/2012-13/publish", data={"csrf": csrf(lead, f"{P}/count/2012-13/publish")}
    )
    assert unconfirmed.headers["location"].endswith("/count/2012-13/publish")
    made = lead.post(
        f"{P}/count/2012-13/publish",
        data={"csrf": csrf(lead, f"{P}/count/2012-13/publish"), "confirmed": "yes"},
    )
    assert made.headers["location"].endswith("/publications/2012-13/1")
