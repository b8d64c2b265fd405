"""The count and its lines as CSV and XLSX for people to take away.

Numbers are written as numbers, so a spreadsheet can add them up (a credit is -17542.42,
never the text '-17542.42). Only text cells are guarded against being run as formulas:
in CSV a text cell that starts like a formula gets a leading apostrophe; in XLSX every
text cell is stored as a string with Excel's "quote prefix", so it stays text even when
someone edits it. Labels follow the wording of the count page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from totalplace.core.money import pence_to_pounds

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

Cell = str | Decimal | int | None

STATUS_WORDS = {
    "actual": "Actual",
    "estimate": "Estimate",
    "mixed": "Mixed",
    "missing": "Missing",
}


def safe_text(value: str) -> str:
    """Text that a spreadsheet would run as a formula, made inert."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def money(value: object) -> Decimal | None:
    """A figure's pounds (stored as exact text in a snapshot) as a number."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


def rows_csv(rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(
            ["" if v is None else safe_text(v) if isinstance(v, str) else v for v in row]
        )
    return out.getvalue()


def _csv_cell(value: Cell) -> object:
    if value is None:
        return ""
    return safe_text(value) if isinstance(value, str) else value


def write_rows(sheet: Worksheet, rows: Iterable[Sequence[Cell]], start: int = 1) -> None:
    """Rows into a sheet from row `start`: numbers as numbers, text always as text,
    never a formula."""
    for number, row in enumerate(rows, start=start):
        for column, value in enumerate(row, start=1):
            put(sheet, number, column, value)


def put(sheet: Worksheet, row: int, column: int, value: Cell) -> None:
    if isinstance(value, str):
        cell = sheet.cell(row=row, column=column)
        cell.value = value
        # openpyxl writes text starting "=" as a formula unless told it is a string.
        cell.data_type = "s"
        if value.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True
    elif isinstance(value, Decimal):
        # Pounds and pence are exact in a spreadsheet's double to well past £1 trillion.
        whole = value == value.to_integral_value()
        sheet.cell(row=row, column=column, value=int(value) if whole else float(value))
    else:
        sheet.cell(row=row, column=column, value=value)


def _function_name(code: str | None, labels: dict[str, str], level: str) -> str:
    if code:
        return labels.get(code, code)
    return "Unclassified" if level == "division" else "Not classified to a group"


def count_rows(figures: dict[str, Any], labels: dict[str, str]) -> list[list[Cell]]:
    """The count as one long table. Each section adds up to the total on its own: sum
    one section, never the whole column."""
    rows: list[list[Cell]] = [
        ["section", "code", "name", "gbp"],
        ["total", "", str(figures["place_name"]), money(figures["total_gbp"])],
    ]
    for item in figures["by_agency"]:
        name = str(item.get("label") or item["agency_id"])
        rows.append(["agency", str(item["agency_id"]), name, money(item["gbp"])])
    for item in figures["by_cofog_division"]:
        name = _function_name(item["code"], labels, "division")
        rows.append(["cofog_division", item["code"] or "", name, money(item["gbp"])])
    for item in figures["by_cofog_group"]:
        name = _function_name(item["code"], labels, "group")
        rows.append(["cofog_group", item["code"] or "", name, money(item["gbp"])])
    for item in figures["by_theme"]:
        rows.append(["theme", "", str(item["theme"]), money(item["gbp"])])
    for item in figures["by_spend_type"]:
        kind = str(item["spend_type"] or "")
        rows.append(["spend_type", kind, kind.capitalize(), money(item["gbp"])])
    rows.append(
        [
            "transfers_eliminated",
            "",
            "Paid between agencies of the place, counted once with the spender",
            money(figures["transfers_eliminated_gbp"]),
        ]
    )
    if "unclassified_gbp" in figures:
        rows.append(["unclassified", "", "No function yet", money(figures["unclassified_gbp"])])
    for item in figures["reconciliation"]:
        rows.append(
            [
                "reconciliation",
                f"{item['payer_agency_id']}>{item['receiver_agency_id']}",
                "difference (received minus paid)",
                money(item["difference_gbp"]),
            ]
        )
    return rows


def count_csv(figures: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    return rows_csv(count_rows(figures, labels or {}))


def count_xlsx(figures: dict[str, Any], labels: dict[str, str]) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    put(summary, 1, 1, f"{figures['place_name']}, {figures['financial_year']}")
    summary["A1"].font = Font(bold=True, size=14)
    facts: list[list[Cell]] = [
        ["Total (£)", money(figures["total_gbp"])],
        ["Per head (£)", money(figures.get("per_head_gbp"))],
        ["Population", figures.get("population")],
        ["Population mid-year", figures.get("population_year")],
        ["Estimated (£): top-down estimate", money(figures.get("estimated_gbp"))],
        ["Estimated share of the total", money(figures.get("estimated_share"))],
        [
            "Transfers eliminated (£): paid between agencies of the place, counted once "
            "with the spender",
            money(figures.get("transfers_eliminated_gbp")),
        ],
    ]
    if "unclassified_gbp" in figures:
        facts.append(["Unclassified (£): no function yet", money(figures["unclassified_gbp"])])
        facts.append(["Unclassified share of the total", money(figures["unclassified_share"])])
    facts.extend(["Note", str(note)] for note in figures.get("notes", []))
    write_rows(summary, facts, start=3)
    summary.column_dimensions["A"].width = 60
    status = {c["agency_id"]: c["status"] for c in figures["coverage"]}
    _sheet(
        book,
        "By agency",
        ["Agency", "Agency id", "Figures", "£"],
        [
            [
                str(a.get("label") or a["agency_id"]),
                str(a["agency_id"]),
                STATUS_WORDS.get(status.get(a["agency_id"], "missing"), "Missing"),
                money(a["gbp"]),
            ]
            for a in figures["by_agency"]
        ],
    )
    _sheet(
        book,
        "By function",
        # Divisions and groups are two cuts of the same money: add up one level only.
        ["Level", "COFOG code", "Function", "£"],
        [
            [
                "Division",
                d["code"] or "",
                _function_name(d["code"], labels, "division"),
                money(d["gbp"]),
            ]
            for d in figures["by_cofog_division"]
        ]
        + [
            ["Group", g["code"] or "", _function_name(g["code"], labels, "group"), money(g["gbp"])]
            for g in figures["by_cofog_group"]
        ],
    )
    _sheet(
        book,
        "By theme",
        ["Theme (a line may count in several)", "£"],
        [[str(t["theme"]), money(t["gbp"])] for t in figures["by_theme"]],
    )
    names = {a["agency_id"]: str(a.get("label") or a["agency_id"]) for a in figures["by_agency"]}
    _sheet(
        book,
        "Coverage",
        ["Agency", "Figures", "Actual £", "Estimate £"],
        [
            [
                names.get(c["agency_id"], str(c["agency_id"])),
                STATUS_WORDS.get(c["status"], str(c["status"])),
                money(c["actual_gbp"]),
                money(c["estimate_gbp"]),
            ]
            for c in figures["coverage"]
        ],
    )
    _sheet(
        book,
        "Reconciliation",
        ["Payer", "Receiver", "Paid £", "Received £", "Difference £"],
        [
            [
                names.get(r["payer_agency_id"], str(r["payer_agency_id"])),
                names.get(r["receiver_agency_id"], str(r["receiver_agency_id"])),
                money(r["paid_gbp"]),
                money(r["received_gbp"]),
                money(r["difference_gbp"]),
            ]
            for r in figures["reconciliation"]
        ],
    )
    return _saved(book)


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Cell]]) -> None:
    sheet = book.create_sheet(title)
    write_rows(sheet, [list(header), *rows])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 40


LINE_EXPORT = (
    ("agency_id", "Agency id"),
    ("description", "Description"),
    ("service", "Service"),
    ("expense_type", "Expense type"),
    ("supplier", "Supplier"),
    ("payment_date", "Payment date"),
    ("cofog", "COFOG code"),
    ("classified_by", "Classified by"),
    ("source_file", "Source file"),
    ("source_sheet", "Source sheet"),
    ("source_row", "Source row"),
)


def line_rows(lines: pl.DataFrame) -> list[list[Cell]]:
    """Every line, as the drill-down shows it: amounts after apportionment."""
    present = [(c, h) for c, h in LINE_EXPORT if c in lines.columns]
    header: list[Cell] = [h for _c, h in present]
    rows: list[list[Cell]] = [[*header, "£"]]
    for line in lines.iter_rows(named=True):
        row: list[Cell] = []
        for column, _header in present:
            value = line[column]
            row.append(value if isinstance(value, int) or value is None else str(value))
        row.append(pence_to_pounds(int(line["amount_pence"])))
        rows.append(row)
    return rows


def lines_csv(lines: pl.DataFrame) -> str:
    return rows_csv(line_rows(lines))


def lines_xlsx(lines: pl.DataFrame, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Lines"
    write_rows(sheet, line_rows(lines))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    about = book.create_sheet("About")
    about_rows: list[list[Cell]] = [[title], ["Amounts are after apportionment, in pounds."]]
    write_rows(about, about_rows)
    return _saved(book)
