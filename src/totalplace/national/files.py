"""The shipped national sources, read as published (units and codes kept), for the top-down
count of every English district: MHCLG's Revenue Outturn Summary (RS) 2017-18 for every
authority, HM Treasury's Country and Regional Analysis (CRA) 2018 for every English region,
ONS mid-year population estimates (totals by year, and single years of age), and the
reference lists shipped beside them (counties, joint bodies, service keys, located spending).

See `data/SOURCE.md` for where each file comes from."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from python_calamine import CalamineWorkbook

from totalplace.core.money import pounds_to_pence

DATA = Path(__file__).parent / "data"
RS_FILE = "RS_2017-18_data_by_LA.xlsx"
RS_SHEET = "RS LA Data 2017-18"
CRA_FILE = "CRA_2018_Database_for_Publication_rvsd.xlsx"
CRA_SHEET = "CRA 2018 database"
POPULATION_REBASED = "ons_mye4_mid2011-mid2023_population_by_la_ew_2023geog.csv"
POPULATION_2021_GEOGRAPHY = "ons_mye4_mid2001-mid2020_population_by_la_2021geog.csv"
SINGLE_YEAR_OF_AGE = "ons_mye_mid-2020_ltla2021_england_wales_single_year_of_age.csv"
CODES = "la_all_codes.csv"

# RS lines the count reads: service expenditure (190-698), housing benefit (711-714) and
# parish precepts (721). Levies (722-728) are payments to other bodies whose own spending
# is counted from their own rows, so they are left out, as transfers.
RS_LINES = (
    190,
    290,
    330,
    360,
    390,
    490,
    509,
    590,
    599,
    601,
    602,
    690,
    698,
    711,
    712,
    713,
    714,
    721,
)
LEVY_LINES = (722, 724, 727, 728)
DISTRICT_PREFIXES = ("E06", "E07", "E08", "E09")


@dataclass(frozen=True)
class RsAuthority:
    """One authority's RS 2017-18 row: pence by RS line; `missing` when the return holds
    no figures (published as "…"), which is not the same as £0."""

    ecode: str
    gss_code: str
    name: str
    authority_class: str  # SD, UA, MD, L, SC or O
    lines: dict[int, int]
    levies: dict[int, int]
    labels: dict[int, str]
    missing: bool
    row: int  # the spreadsheet row, for messages


@dataclass(frozen=True)
class CraLine:
    region: str  # as CRA spells it after case folding, e.g. "england_north west"
    department: str
    organisation: str
    segment: str
    cofog_level0: str
    cofog_level1: str
    capital: bool
    sector: str  # CG, LG, PC or BOE
    pence: int


@dataclass(frozen=True)
class Area:
    gss_code: str
    name: str
    region: str  # ONS region name, e.g. "North West"


@dataclass(frozen=True)
class JointBody:
    gss_code: str
    name: str
    kind: str
    members: tuple[str, ...]  # district or county codes
    lines: tuple[int, ...] = ()  # only these RS lines (none: every line no other row takes)


@dataclass(frozen=True)
class CountyMember:
    county: str
    district: str
    fraction: Fraction  # of the district's people who were in the county in 2017-18


def _thousands_to_pence(value: float | int) -> int:
    return pounds_to_pence(Decimal(repr(value)) * 1000)


def read_rs(path: Path | None = None) -> list[RsAuthority]:
    """Every authority row of the RS 2017-18 main sheet (not the England total)."""
    path = path or DATA / RS_FILE
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(RS_SHEET).to_python()
    numbers, labels = rows[5], rows[6]
    wanted = {int(n): i for i, n in enumerate(numbers) if isinstance(n, float)}
    out = []
    for index, row in enumerate(rows[7:], start=8):
        if len(row) < 20 or not str(row[4]).strip() or not str(row[0]).startswith("E"):
            continue
        cells = {n: row[wanted[n]] for n in (*RS_LINES, *LEVY_LINES)}
        missing = all(not isinstance(v, int | float) for v in cells.values())
        values = {n: _thousands_to_pence(v) for n, v in cells.items() if isinstance(v, int | float)}
        out.append(
            RsAuthority(
                ecode=str(row[0]).strip(),
                gss_code=str(row[1]).strip() or str(row[0]).strip(),
                name=re.sub(r"\s*\([a-z]\)$", "", str(row[2]).strip()),  # footnote marks
                authority_class=str(row[4]).strip(),
                lines={n: values[n] for n in RS_LINES if values.get(n)},
                levies={n: values[n] for n in LEVY_LINES if values.get(n)},
                labels={n: str(labels[wanted[n]]).strip() for n in RS_LINES},
                missing=missing,
                row=index,
            )
        )
    return out


def read_cra(year: str, path: Path | None = None) -> list[CraLine]:
    """Every CRA row for an English region in `year` (non-zero), in pence."""
    path = path or DATA / CRA_FILE
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CRA_SHEET).to_python()
    header = [str(h) for h in rows[0]]
    col = {name: header.index(name) for name in header}
    at = col[year]
    region_at = col["NUTS Region"]
    out = []
    for row in rows[1:]:
        region = str(row[region_at]).casefold()
        value = row[at]
        if not region.startswith("england_") or not isinstance(value, int | float) or not value:
            continue
        out.append(
            CraLine(
                region=region,
                department=str(row[col["Department Name"]]).strip(),
                organisation=str(row[col["Organisation Name"]]).strip(),
                segment=str(row[col["CRA Segment Name"]]).strip(),
                cofog_level0=str(row[col["COFOG Level 0"]]).strip(),
                cofog_level1=str(row[col["COFOG Level 1"]]).strip(),
                capital=str(row[col["CAP or CUR"]]).strip() == "CAP",
                sector=str(row[col["CG, LG, PC, BOE"]]).strip(),
                pence=_thousands_to_pence(value),
            )
        )
    return out


def _csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k}


def read_mid_year(path: Path, year: int) -> dict[str, tuple[str, int]]:
    """ONS MYE4 totals for one mid-year: GSS code -> (name, people), English districts only."""
    column = f"Mid-{year}"
    out = {}
    for row in _csv(path):
        code = row["Code"]
        if code.startswith(DISTRICT_PREFIXES) and row.get(column):
            out[code] = (row["Name"], int(row[column]))
    return out


def read_single_year_of_age(path: Path | None = None) -> dict[str, list[int]]:
    """ONS mid-2020 estimates by single year of age (0..90+), English districts."""
    out = {}
    for row in _csv(path or DATA / SINGLE_YEAR_OF_AGE):
        code = row["ltla21_code"]
        if code.startswith(DISTRICT_PREFIXES):
            out[code] = [int(row[str(age)]) for age in range(90)] + [int(row["90+"])]
    return out


def read_codes(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Every lower-tier code since 2011 -> its row (current code, region, ...)."""
    return {row["LADCD"]: row for row in _csv(path or DATA / CODES)}


def read_joint_bodies(path: Path | None = None) -> list[JointBody]:
    return [
        JointBody(
            r["gss_code"],
            r["name"],
            r["kind"],
            tuple(r["members"].split()),
            tuple(int(n) for n in r["lines"].split()),
        )
        for r in _csv(path or DATA / "joint_bodies.csv")
    ]


def read_counties(path: Path | None = None) -> list[CountyMember]:
    return [
        CountyMember(r["county_gss"], r["district_gss"], Fraction(r["fraction"]))
        for r in _csv(path or DATA / "counties.csv")
    ]


def read_service_keys(path: Path | None = None) -> dict[int, str]:
    return {int(r["rs_line"]): r["key"] for r in _csv(path or DATA / "service_keys.csv")}


def read_located(path: Path | None = None) -> dict[str, str]:
    """CRA organisation -> why its spending is tied to one location."""
    return {r["organisation"]: r["reason"] for r in _csv(path or DATA / "located_spending.csv")}


def read_rs_code_fixes(path: Path | None = None) -> dict[str, str]:
    """RS codes that are not the area's ONS code in the April 2021 boundaries -> the code."""
    return {r["rs_code"]: r["gss_code"] for r in _csv(path or DATA / "rs_code_fixes.csv")}


BOUNDARIES = "uk_ons_topo_2014-2025.topojson.json"
Ring = list[tuple[float, float]]


def read_district_shapes(codes: set[str], path: Path | None = None) -> dict[str, list[Ring]]:
    """The ONS TopoJSON's lower-tier areas named in `codes`: each as its rings of
    (longitude, latitude), decoded from the file's quantised, delta-encoded arcs."""
    import json

    topology = json.loads((path or DATA / BOUNDARIES).read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> Ring:
        out: Ring = []
        for index in indexes:
            points = arcs[index] if index >= 0 else arcs[~index][::-1]
            out.extend(points if not out else points[1:])
        return out

    shapes: dict[str, list[Ring]] = {}
    for geometry in topology["objects"]["ltla"]["geometries"]:
        code = geometry["properties"]["areacd"]
        if code not in codes:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        shapes[code] = [ring(r) for polygon in polygons for r in polygon]
    return shapes


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
Cell = str | Decimal | int | None


def safe_text(value: str) -> str:
    """Text a spreadsheet would run as a formula, made inert (as the count's exports do)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def table_csv(rows: list[list[Cell]]) -> str:
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(
            ["" if v is None else safe_text(v) if isinstance(v, str) else v for v in row]
        )
    return out.getvalue()


def table_xlsx(sheets: list[tuple[str, list[list[Cell]]]]) -> bytes:
    """Sheets of rows: numbers as numbers, text always stored as text (a text cell that
    starts like a formula gets Excel's quote prefix), never a formula."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    for sheet in list(book.worksheets):  # the empty default sheet
        book.remove(sheet)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, str):
                    cell.value = value
                    cell.data_type = "s"
                    if value.startswith(_FORMULA_STARTS):
                        cell.quotePrefix = True
                elif isinstance(value, Decimal):
                    whole = value == value.to_integral_value()
                    cell.value = int(value) if whole else float(value)
                else:
                    cell.value = value
                if r == 1:
                    cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
