"""The place's count template: an XLSX an agency fills in and uploads as its return."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from totalplace.core.context import default_store
from totalplace.core.problems import NotFound
from totalplace.core.reference import reference
from totalplace.core.store.db import Store
from totalplace.count.files.exports import put, write_rows
from totalplace.places.service import queries as place_queries
from totalplace.places.service.queries import RETURNS

TEMPLATE_ROWS = 2000
COLUMNS = [f.name for f in RETURNS.fields if f.name not in ("payment_date",)]


def write_template(
    place_id: str, path: Path | str, store: Store | None = None, financial_year: str | None = None
) -> Path:
    store = default_store(store)
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        if place is None:
            raise NotFound(f"there is no place {place_id!r}")
        agencies = [
            (a.agency_id, a.name, a.agency_type) for a in place_queries.agencies(session, place_id)
        ]
        place_name = place.name
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = "Guide"
    _guide(guide, place_name, financial_year)
    lists = workbook.create_sheet("Lists")
    _lists(lists, agencies)
    _return_sheet(workbook.create_sheet("Return", 1), len(agencies), financial_year)
    agency_sheet = workbook.create_sheet("Agencies")
    _table(agency_sheet, ["agency_id", "name", "agency_type"], agencies)
    lists.sheet_state = "hidden"
    target = Path(path)
    workbook.save(target)
    return target


def _guide(sheet: Worksheet, place_name: str, financial_year: str | None) -> None:
    lines = [
        f"Count template for {place_name}",
        "",
        "1. Fill in the 'Return' sheet: one row per spend line (or per service total).",
        "2. agency_id, financial_year and amount_gbp are required; pick codes from the drop-downs.",
        "3. amount_gbp is in pounds; write credits as negatives.",
        "4. estimate: false for actual figures, true for top-down estimates.",
        "5. counterparty_agency_id: set it only when the line pays another agency of the place.",
        "6. Upload the file as your return; every problem is reported with its row and column.",
        "",
        f"Financial year: {financial_year or 'as 2009-10'}",
        "Reference: COFOG codes and SeRCOP divisions are on the hidden 'Lists' sheet.",
    ]
    write_rows(sheet, [[text] for text in lines])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 100


def _lists(sheet: Worksheet, agencies: list[tuple[str, str, str]]) -> None:
    ref = reference()
    columns = {
        "A": [a[0] for a in agencies],
        "B": [c.code for c in ref.cofog.values()],
        "C": list(ref.sercop),
        "D": ["revenue", "capital"],
        "E": ["false", "true"],
    }
    for column, values in enumerate(columns.values(), start=1):
        for number, value in enumerate(values, start=1):
            # An agency's id or name is text, never a formula (=HYPERLINK(...) included).
            put(sheet, number, column, value)


def _return_sheet(sheet: Worksheet, agency_count: int, financial_year: str | None) -> None:
    ref = reference()
    header_fill = PatternFill("solid", fgColor="1D70B8")
    for column, name in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        sheet.column_dimensions[cell.column_letter].width = max(14, len(name) + 4)
    sheet.freeze_panes = "A2"
    letter = {name: sheet.cell(row=1, column=i).column_letter for i, name in enumerate(COLUMNS, 1)}
    last = TEMPLATE_ROWS + 1
    choices = {
        "agency_id": f"=Lists!$A$1:$A${max(agency_count, 1)}",
        "cofog": f"=Lists!$B$1:$B${len(ref.cofog)}",
        "sercop": f"=Lists!$C$1:$C${len(ref.sercop)}",
        "spend_type": "=Lists!$D$1:$D$2",
        "estimate": "=Lists!$E$1:$E$2",
        "counterparty_agency_id": f"=Lists!$A$1:$A${max(agency_count, 1)}",
    }
    for name, formula in choices.items():
        rule = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not in the list",
            error=f"Pick {name} from the drop-down list.",
        )
        rule.add(f"{letter[name]}2:{letter[name]}{last}")
        sheet.add_data_validation(rule)
    amount = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1E+15",
        formula2="1E+15",
        allow_blank=True,
        showErrorMessage=True,
        error="amount_gbp is a number of pounds, e.g. 1234.56",
    )
    amount.add(f"{letter['amount_gbp']}2:{letter['amount_gbp']}{last}")
    sheet.add_data_validation(amount)
    year = DataValidation(
        type="list",
        formula1=f'"{financial_year}"',
        allow_blank=True,
        showErrorMessage=True,
        error=f"This return is for {financial_year}.",
    )
    if financial_year:
        year.add(f"{letter['financial_year']}2:{letter['financial_year']}{last}")
        sheet.add_data_validation(year)


def _table(sheet: Worksheet, header: list[str], rows: list[tuple[str, str, str]]) -> None:
    write_rows(sheet, [header, *[list(row) for row in rows]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter in ("A", "B", "C"):
        sheet.column_dimensions[letter].width = 40
