"""Readers for the public statistics a place's top-down figures come from: MHCLG's
Revenue Outturn Summary, HM Treasury's Country and Regional Analysis, and ONS
mid-year population estimates. Each keeps units and years as published."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook

RS_SHEET = "RS LA Data 2017-18"
CRA_SHEET = "CRA 2018 database"


@dataclass(frozen=True)
class OutturnLine:
    rs_line: str
    label: str
    thousands: Decimal  # £ thousand, net current expenditure


@dataclass(frozen=True)
class CraRow:
    department: str
    organisation: str
    segment: str
    cofog_level0: str
    cofog_level1: str
    capital: bool
    sector: str  # CG, LG, PC or BOE
    thousands: Decimal


def read_revenue_outturn(path: Path, gss_code: str) -> list[OutturnLine]:
    """One authority's RS service lines (RS lines 190 to 698)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(RS_SHEET).to_python()
    line_numbers, labels = rows[5], rows[6]
    for row in rows[7:]:
        if len(row) > 1 and row[1] == gss_code:
            out = []
            for index in range(5, len(row)):
                number = line_numbers[index]
                if isinstance(number, float) and 190 <= number <= 698:
                    value = row[index]
                    if isinstance(value, int | float):
                        out.append(
                            OutturnLine(
                                str(int(number)), str(labels[index]).strip(), Decimal(repr(value))
                            )
                        )
            return out
    raise LookupError(f"{gss_code} is not in {path.name}")


def read_country_regional_analysis(path: Path, region: str, year: str) -> list[CraRow]:
    """Rows for one NUTS1 region (case-insensitive, as the file spells some two ways)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CRA_SHEET).to_python()
    header = [str(h) for h in rows[0]]
    col = {name: header.index(name) for name in header}
    wanted = region.casefold()
    out = []
    for row in rows[1:]:
        if str(row[col["NUTS Region"]]).casefold() != wanted:
            continue
        value = row[col[year]]
        if not isinstance(value, int | float) or value == 0:
            continue
        out.append(
            CraRow(
                department=str(row[col["Department Name"]]).strip(),
                organisation=str(row[col["Organisation Name"]]).strip(),
                segment=str(row[col["CRA Segment Name"]]).strip(),
                cofog_level0=str(row[col["COFOG Level 0"]]).strip(),
                cofog_level1=str(row[col["COFOG Level 1"]]).strip(),
                capital=str(row[col["CAP or CUR"]]).strip() == "CAP",
                sector=str(row[col["CG, LG, PC, BOE"]]).strip(),
                thousands=Decimal(repr(value)),
            )
        )
    return out


def read_mid_2020_populations(path: Path) -> dict[str, int]:
    """ONS mid-2020 estimates: GSS code -> all ages, every district of England and Wales."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["ltla21_code"]: int(r["total_population"]) for r in csv.DictReader(handle)}


def read_trafford_style_population(path: Path, gss_code: str) -> tuple[int, int]:
    """Trafford Data Lab's tidy ONS estimates: (mid-year, persons) for one area."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["area_code"] == gss_code and row["sex"] == "Persons":
                return int(row["period"][:4]), int(row["all_ages"])
    raise LookupError(f"{gss_code} is not in {path.name}")
