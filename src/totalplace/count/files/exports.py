"""The count as CSV and XLSX for people to take away. Text cells that a spreadsheet
would run as a formula are escaped with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Leave numbers alone; neutralise text that starts like a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def count_rows(figures: dict[str, Any]) -> list[list[object]]:
    """The count as one long table: section, code, name, pounds."""
    rows: list[list[object]] = [
        ["section", "code", "name", "gbp"],
        ["total", "", figures["place_name"], figures["total_gbp"]],
    ]
    for item in figures["by_agency"]:
        rows.append(["agency", item["agency_id"], item.get("label", ""), item["gbp"]])
    for item in figures["by_cofog_division"]:
        rows.append(["cofog_division", item["code"] or "", "", item["gbp"]])
    for item in figures["by_cofog_group"]:
        rows.append(["cofog_group", item["code"] or "", "", item["gbp"]])
    for item in figures["by_theme"]:
        rows.append(["theme", item["theme"], "", item["gbp"]])
    for item in figures["by_spend_type"]:
        rows.append(["spend_type", item["spend_type"], "", item["gbp"]])
    rows.append(["transfers_eliminated", "", "", figures["transfers_eliminated_gbp"]])
    for item in figures["reconciliation"]:
        rows.append(
            [
                "reconciliation",
                f"{item['payer_agency_id']}>{item['receiver_agency_id']}",
                "difference (received minus paid)",
                item["difference_gbp"],
            ]
        )
    return rows


def count_csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in count_rows(figures):
        writer.writerow([safe_text(v) for v in row])
    return out.getvalue()


def count_xlsx(figures: dict[str, Any], labels: dict[str, str]) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    summary.append([safe_text(f"{figures['place_name']}, {figures['financial_year']}")])
    summary["A1"].font = Font(bold=True, size=14)
    for label, key in (
        ("Total (£)", "total_gbp"),
        ("Population", "population"),
        ("Population mid-year", "population_year"),
        ("Per head (£)", "per_head_gbp"),
        ("Transfers eliminated (£)", "transfers_eliminated_gbp"),
        ("Estimated (£)", "estimated_gbp"),
        ("Estimated share", "estimated_share"),
    ):
        summary.append([label, _number(figures.get(key))])
    for note in figures.get("notes", []):
        summary.append(["Note", safe_text(note)])
    _sheet(
        book,
        "By agency",
        ["agency_id", "agency", "£"],
        [[a["agency_id"], a.get("label", ""), a["gbp"]] for a in figures["by_agency"]],
    )
    _sheet(
        book,
        "By function",
        ["COFOG", "function", "£"],
        [
            [d["code"] or "", labels.get(d["code"] or "", "Unclassified"), d["gbp"]]
            for d in figures["by_cofog_division"] + figures["by_cofog_group"]
        ],
    )
    _sheet(book, "By theme", ["theme", "£"], [[t["theme"], t["gbp"]] for t in figures["by_theme"]])
    _sheet(
        book,
        "Coverage",
        ["agency_id", "status", "actual £", "estimate £"],
        [
            [c["agency_id"], c["status"], c["actual_gbp"], c["estimate_gbp"]]
            for c in figures["coverage"]
        ],
    )
    _sheet(
        book,
        "Reconciliation",
        ["payer", "receiver", "paid £", "received £", "difference £"],
        [
            [
                r["payer_agency_id"],
                r["receiver_agency_id"],
                r["paid_gbp"],
                r["received_gbp"],
                r["difference_gbp"],
            ]
            for r in figures["reconciliation"]
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str | Decimal):
        # Pounds and pence are exact in a spreadsheet's double to well past £1 trillion.
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[object]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                safe_text(v)
                if isinstance(v, str) and not _numeric(v)
                else _number(v)
                if _numeric(v)
                else v
                for v in row
            ]
        )
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 50


def _numeric(value: object) -> bool:
    if isinstance(value, Decimal | int | float):
        return True
    if isinstance(value, str):
        try:
            Decimal(value)
        except ArithmeticError:
            return False
        return True
    return False
