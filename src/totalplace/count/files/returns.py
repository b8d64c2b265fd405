"""Agencies' returns as they really arrive: spend ledgers and service totals in CSV,
XLSX or ODS, the header anywhere in the sheet, totals rows, `£1,234`, `(1,234)`,
`1.234,50`, amounts in £000s, Windows encodings, one month's layout unlike the next.

Each file and sheet is mapped on its own: the headers of a saved or given column
mapping are tried first, then the usual headers of Transparency Code spend files, so a
new column in this year's file is recognised even when last year's mapping lacks it.
Nothing a person sends is passed over in silence: every file and sheet is read, or
stops the import with a problem that names it; every row left out is listed.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

import polars as pl
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from totalplace.core.problems import Problem, ProblemList
from totalplace.core.spreadsheets import (
    SPREADSHEET_SUFFIXES,
    TEXT_SUFFIXES,
    Cell,
    Sheet,
    first_rows,
)
from totalplace.count.files.amounts import (
    COMMA,
    POINT,
    decimal_mark,
    marks_it_allows,
    parse_text_amount,
    spreadsheet_error,
)
from totalplace.count.files.lines import INT64_MAX, LINE_SCHEMA

# Once a header is found, this many rows below it are still looked at for a better one
# (a title row naming one field above the real header); the header itself may be anywhere.
HEADER_LOOKAHEAD_ROWS = 40
OutsideYear = Literal["refuse", "leave-out", "split"]
# (file, sheet) -> the sheet's error cells by 0-based (row, column); see xlsx_error_cells.
ErrorCells = Callable[[str, str | None], dict[tuple[int, int], str]]

# Field -> header words, best first. Headers are compared after normalise_header().
SYNONYMS: dict[str, tuple[str, ...]] = {
    "amount_gbp": (
        "amount gbp",
        "amount",
        "net amount",
        "net amount excluding vat",
        "amount excluding vat",
        "amount excl vat",
        "amount ex vat",
        "line amount",
        "transaction amount",
        "payment amount",
        "amount paid",
        "invoice amount",
        "net value",
        "value",
        "gross amount",
        "total",
        "net expenditure",
        "net current expenditure",
        "gross expenditure",
        "outturn",
        "expenditure",
        "spend",
        "net",
    ),
    "payment_date": (
        "payment date",
        "date paid",
        "paid date",
        "transaction date",
        "invoice payment date",
        "date",
        "invoice date",
        "posting date",
        "payment_date",
    ),
    "supplier": (
        "supplier",
        "supplier name",
        "supplier beneficiary name",
        "beneficiary name",
        "beneficiary",
        "payee",
        "payee name",
        "vendor",
        "vendor name",
        "supplier final",
        "merchant name",
    ),
    "service": (
        "service",
        "service area",
        "organisational unit",
        "directorate service where expenditure incurred",
        "service division",
        "service label",
        "cost centre",
        "cost centre name",
        "cost centre description",
        "department",
        "directorate",
        "responsible unit",
        "service category label",
    ),
    "expense_type": (
        "expense type",
        "expenses type",
        "expenditure category",
        "expense category",
        "expense area",
        "expenditure type",
        "sercop expenditure category",
        "account",
        "account description",
        "subjective",
        "subjective description",
        "category",
    ),
    "description": (
        "description",
        "purpose",
        "purpose of spend",
        "narrative",
        "details",
        "transaction description",
        "line description",
        "item description",
    ),
    "spend_type": (
        "spend type",
        "capital revenue",
        "revenue capital",
        "cap rev",
        "capital or revenue",
    ),
    "cofog": ("cofog", "cofog code"),
    "sercop": ("sercop", "sercop code", "sercop service"),
    "themes": ("themes", "theme"),
    "funding_source": ("funding source", "funder"),
    "counterparty_agency_id": ("counterparty agency id", "counterparty"),
    "estimate": ("estimate",),
    "agency_id": ("agency id",),
    "financial_year": ("financial year",),
}

# Fields the column check offers, in the order it shows them.
FIELDS = tuple(SYNONYMS)

THOUSANDS = re.compile(
    r"£\s*'?0{3}|£\s*k\b|£\s*thousands?|\b0{3}s\b|'000|\(000s?\)|£000s?", re.IGNORECASE
)
# A totals row is one whose label (its first filled cell) is only a totals word: a
# service called "Total Facilities Management" or a supplier "Total Gas & Power Ltd"
# is a real line.
TOTALS_LABEL = re.compile(
    r"^\s*(grand\s*|sub[-\s]?|overall\s+|month(ly)?\s+|year\s+)?totals?\s*:?\s*$",
    re.IGNORECASE,
)
EXCEL_EPOCH = date(1899, 12, 30)
MAX_POUNDS = Decimal(10) ** 15  # 15 digits of pounds: the amount pattern of lines.py
DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y/%m/%d",
)


@lru_cache(maxsize=65536)
def normalise_header(text: object) -> str:
    raw = str(text or "")
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)  # BeneficiaryName -> Beneficiary Name
    words = re.sub(r"[^0-9a-z]+", " ", raw.lower()).split()
    return " ".join(
        w
        for w in words
        if w not in {"gbp", "000", "000s", "k", "thousand", "thousands", "s"} or len(words) == 1
    )


def where_label(file: str, sheet: str | None) -> str:
    return file + (f" sheet {sheet!r}" if sheet else "")


@dataclass
class PartPlan:
    """How one file or sheet is read: where its header is and which column is which."""

    file: str
    sheet: str | None
    header_row: int  # 1-based, as a spreadsheet shows it
    columns: dict[str, str]  # field -> header text as in the file
    thousands: bool
    extras: list[tuple[int, str]] = field(default_factory=list)
    indexes: dict[str, int] = field(default_factory=dict)
    decimal_comma: bool = False
    width: int = 0  # cells in the header row, to find ragged CSV rows

    @property
    def label(self) -> str:
        return where_label(self.file, self.sheet)


@dataclass
class ReadPlan:
    parts: list[PartPlan]
    # Sheets deliberately not read (hidden, or blank/notes beside other sheets), named.
    left_out: list[str] = field(default_factory=list)

    def mapping(self) -> dict[str, Any]:
        """The plan as a reusable mapping file (docs/formats/column-mapping.md)."""
        columns: dict[str, list[str]] = {}
        for part in self.parts:
            for name, header in part.columns.items():
                known = columns.setdefault(name, [])
                if header not in known:
                    known.append(header)
        thousands = {p.thousands for p in self.parts}
        return {
            "columns": columns,
            "amounts_in_thousands": thousands.pop() if len(thousands) == 1 else None,
        }


def plan_sheets(
    sheets: list[Sheet],
    mapping: dict[str, Any] | None,
    problems: ProblemList,
    hidden: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
    include_hidden: bool = False,
) -> ReadPlan:
    """Find the header and columns of every sheet; any sheet that cannot be read is a
    problem naming it, never skipped. `hidden` holds (file, sheet) of hidden sheets,
    which are left out (and named) unless `include_hidden`."""
    plan = ReadPlan(parts=[])
    per_file = Counter(s.file for s in sheets)
    for sheet in sheets:
        label = where_label(sheet.file, sheet.name)
        if sheet.name is not None and (sheet.file, sheet.name) in hidden and not include_hidden:
            plan.left_out.append(f"{label} (a hidden sheet)")
            continue
        if _is_blank(sheet):
            if per_file[sheet.file] > 1:
                plan.left_out.append(f"{label} (blank)")
            else:
                problems.add(
                    Problem(
                        "empty-return",
                        "the file is empty" if sheet.name is None else "the sheet is empty",
                        file=sheet.file,
                        sheet=sheet.name,
                        fix="Check it is the right file, or leave it out of the upload.",
                    )
                )
            continue
        part = _plan_sheet(sheet, mapping, problems)
        if part is not None:
            plan.parts.append(part)
        elif per_file[sheet.file] > 1 and _holds_no_amounts(sheet):
            plan.left_out.append(f"{label} (no amounts in it)")
        else:
            problems.add(_no_amount_problem(sheet, mapping))
    if not plan.parts and not problems:
        problems.add(
            Problem(
                "empty-return",
                "no sheet has a column of amounts",
                file=sheets[0].file if sheets else None,
            )
        )
    return plan


def _is_blank(sheet: Sheet) -> bool:
    return not any(c not in (None, "") for r in sheet.rows for c in r)


def _holds_no_amounts(sheet: Sheet) -> bool:
    """A cover, notes or lookup sheet: not one cell in it could be an amount of money.
    A sheet with numbers, or text such as `£1,234.50`, under headers not recognised is
    a table that would be lost, so it is a problem instead."""
    for row in sheet.rows:
        for cell in row:
            if isinstance(cell, bool) or cell is None:
                continue
            if isinstance(cell, int | float):
                return False
            if isinstance(cell, str) and cell.strip() and marks_it_allows(cell):
                return False
    return True


@dataclass(frozen=True)
class _Wanted:
    """Headers to look for: the mapping's first, then the recognised ones."""

    preferred: dict[str, tuple[str, ...]]
    recognised: dict[str, tuple[str, ...]]


def wanted_headers(mapping: dict[str, Any] | None) -> _Wanted:
    """A mapping names headers per field; a field given as an empty list is one the
    person said is not in the file, so it is not recognised either."""
    columns: dict[str, list[str]] = dict((mapping or {}).get("columns") or {})
    preferred = {
        name: tuple(normalise_header(h) for h in headers)
        for name, headers in columns.items()
        if headers
    }
    recognised = {name: words for name, words in SYNONYMS.items() if columns.get(name, 1) != []}
    return _Wanted(preferred, recognised)


def _match_header(row: list[Cell], wanted: _Wanted) -> dict[str, int]:
    """Each field takes the column whose header is its best-ranked word; a header a
    mapping names wins over one merely recognised."""
    cells = [normalise_header(c) if isinstance(c, str) else "" for c in row]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for words_by_field in (wanted.preferred, wanted.recognised):
        for name, words in words_by_field.items():
            if name in found:
                continue
            ranked = [
                (words.index(text), position)
                for position, text in enumerate(cells)
                if text and text in words and position not in taken
            ]
            if ranked:
                position = min(ranked)[1]
                found[name] = position
                taken.add(position)
    return found


def _could_be_header(row: list[Cell]) -> bool:
    """A header row holds only text: a row with numbers or dates is data."""
    return any(isinstance(c, str) and c.strip() for c in row) and all(
        c is None or isinstance(c, str) for c in row
    )


def find_header(sheet: Sheet, wanted: _Wanted) -> tuple[int, dict[str, int]] | None:
    """The row (0-based) whose cells name the most fields, amount among them."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(sheet.rows):
        if best is not None and index > best[0] + HEADER_LOOKAHEAD_ROWS:
            break
        if not _could_be_header(row):
            continue
        found = _match_header(row, wanted)
        if "amount_gbp" in found and (best is None or len(found) > len(best[1])):
            best = (index, found)
    return best


def _plan_sheet(
    sheet: Sheet, mapping: dict[str, Any] | None, problems: ProblemList
) -> PartPlan | None:
    header_at = find_header(sheet, wanted_headers(mapping))
    if header_at is None:
        return None
    index, found = header_at
    # A CSV's rows are parsed again on every walk: never len() them or hold them all.
    head = first_rows(sheet.rows, index + 1)
    header = head[index]
    texts = [str(c).strip() if c is not None else "" for c in header]
    body = sheet.rows[index + 1 :]
    _check_duplicates(sheet, index, texts, problems)
    thousands = _in_thousands(head, texts[found["amount_gbp"]], mapping)
    used = set(found.values())
    filled = _filled_columns(body, {p for p in range(len(texts)) if p not in used})
    extras = []
    for position, text in enumerate(texts):
        if position not in filled:
            continue
        name = text or f"column {position + 1}"
        if name in LINE_SCHEMA or name == "amount_gbp":
            name = f"original {name}"
        extras.append((position, name))
    part = PartPlan(
        file=sheet.file,
        sheet=sheet.name,
        header_row=index + 1,
        columns={name: texts[pos] for name, pos in found.items()},
        thousands=thousands,
        extras=extras,
        indexes=found,
        width=len(texts),
    )
    part.decimal_comma = _decimal_comma(body, part, problems)
    return part


def _filled_columns(rows: Iterable[list[Cell]], positions: set[int]) -> set[int]:
    """Which of the positions hold a value in some row: one pass, stopping once all do,
    since a CSV's rows are parsed again on every walk."""
    waiting = set(positions)
    for row in rows:
        if not waiting:
            break
        waiting -= {p for p in waiting if p < len(row) and row[p] not in (None, "")}
    return positions - waiting


def _check_duplicates(sheet: Sheet, index: int, texts: list[str], problems: ProblemList) -> None:
    """Two columns under one header: which one is meant cannot be guessed."""
    seen: dict[str, int] = {}
    for position, text in enumerate(texts):
        key = normalise_header(text)
        if not key:
            continue
        if key in seen:
            problems.add(
                Problem(
                    "duplicate-column",
                    f"columns {_letter(seen[key])} and {_letter(position)} are both headed "
                    f"{text!r}",
                    file=sheet.file,
                    sheet=sheet.name,
                    row=index + 1,
                    column=text,
                )
            )
        else:
            seen[key] = position


def _letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _decimal_comma(body: Iterable[list[Cell]], part: PartPlan, problems: ProblemList) -> bool:
    """Whether the amounts of this file or sheet are written with a decimal comma,
    judged from the whole column; a column that writes both ways is a problem."""
    column = part.indexes["amount_gbp"]
    texts = (
        (part.header_row + 1 + offset, cell)
        for offset, row in enumerate(body)
        if column < len(row)
        and isinstance(cell := row[column], str)
        and cell.strip()
        and not spreadsheet_error(cell)
    )
    verdict = decimal_mark(texts)
    if verdict.conflict is not None:
        (point_row, point_text), (comma_row, comma_text) = verdict.conflict
        problems.add(
            Problem(
                "ambiguous-amount",
                f"the amounts use both a decimal point ({point_text!r} on row {point_row}) "
                f"and a decimal comma ({comma_text!r} on row {comma_row})",
                file=part.file,
                sheet=part.sheet,
                row=comma_row,
                column=part.columns["amount_gbp"],
            )
        )
    return verdict.mark == COMMA


def _in_thousands(
    rows: list[list[Cell]], amount_header: str, mapping: dict[str, Any] | None
) -> bool:
    if mapping is not None and mapping.get("amounts_in_thousands") is not None:
        return bool(mapping["amounts_in_thousands"])
    if THOUSANDS.search(amount_header):
        return True
    # A title such as "Net expenditure (£ thousand)" above the header says so for the sheet.
    title = " ".join(str(c) for r in rows[:-1] for c in r if isinstance(c, str))
    return bool(re.search(r"£\s*thousands?|£\s*'?000s?|\(£k\)", title, re.IGNORECASE))


def _no_amount_problem(sheet: Sheet, mapping: dict[str, Any] | None) -> Problem:
    best_row: list[Cell] = []
    for row in first_rows(sheet.rows, 200):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) > len(
            [c for c in best_row if isinstance(c, str) and c.strip()]
        ):
            best_row = row
    headers = [str(c).strip() for c in best_row if isinstance(c, str) and c.strip()]
    found = _match_header(best_row, wanted_headers(mapping))
    missing = [
        n
        for n in ("amount_gbp", "payment_date", "supplier", "service", "description")
        if n not in found
    ]
    seen = ", ".join(repr(h) for h in headers[:20]) or "no header cells"
    return Problem(
        "missing-column",
        f"no column of amounts was found (headers seen: {seen}; not found: {', '.join(missing)})",
        file=sheet.file,
        sheet=sheet.name,
        column="amount_gbp",
        fix="Choose the amount column in the column check, or give --mapping FILE naming it, "
        'e.g. {"columns": {"amount_gbp": ["Net Amount"]}} (docs/formats/column-mapping.md); '
        "or leave this file or sheet out of the upload.",
    )


# ---- what a file holds beyond its cells ---------------------------------------------


def hidden_sheets(path: Path) -> set[str]:
    """Names of a workbook's hidden and very hidden sheets: often lookups or an old copy
    of the data, which read as data would count the money twice."""
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return set()
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            return {
                m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible
            }
        finally:
            workbook.close()
    except Exception:  # an unreadable workbook is reported when its cells are read
        return set()


def unread_zip_members(path: Path, label: str) -> list[Problem]:
    """A zip member that is not a CSV is not read: say so rather than pass it by."""
    if path.suffix.lower() != ".zip":
        return []
    try:
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
    except zipfile.BadZipFile:
        return []
    return [
        Problem(
            "unsupported-format",
            f"{member!r} in the zip is not a CSV file, so it cannot be read",
            file=f"{label}/{member}",
            fix="Take it out of the zip and upload it on its own (CSV, XLSX or ODS), "
            "or remove it from the zip if it is not part of the return.",
        )
        for member in names
        if Path(member).suffix.lower() not in TEXT_SUFFIXES
        and not member.startswith("__MACOSX/")
        and Path(member).name != ".DS_Store"
    ]


def xlsx_error_cells(path: Path, sheet_name: str) -> dict[tuple[int, int], str]:
    """Cells of an XLSX sheet holding an error value (`#DIV/0!`), by (row, column), both
    0-based. The cell reader gives such a cell as blank, so the error would read as a
    blank amount; the sheet's XML is read for them only when a blank amount is found.
    (The bundled expat refuses entity-expansion bombs, and no external entity is read.)"""
    if path.suffix.lower() not in {".xlsx", ".xlsm"}:
        return {}
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            rid = next(
                (s.get(rel) for s in book.iter(f"{main}sheet") if s.get("name") == sheet_name),
                None,
            )
            target = targets.get(rid, "")
            if not target:
                return {}
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            found: dict[tuple[int, int], str] = {}
            with archive.open(member) as xml:
                for _event, element in ElementTree.iterparse(xml):
                    if element.tag == f"{main}c":
                        if element.get("t") == "e":
                            value = element.findtext(f"{main}v") or "#ERROR"
                            found[_cell_position(element.get("r", ""))] = value
                        element.clear()
            return found
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}


def _cell_position(reference: str) -> tuple[int, int]:
    match = re.match(r"^([A-Z]+)(\d+)$", reference)
    if match is None:
        return (-1, -1)
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, column - 1


# ---- reading the rows -------------------------------------------------------------


@dataclass(frozen=True)
class LeftOut:
    """A row deliberately not imported, and why; each is listed to the person."""

    file: str
    sheet: str | None
    row: int
    amount: str | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "amount_gbp": self.amount,
            "reason": self.reason,
        }


Line = dict[str, Any]
# Lines are gathered into a table this many at a time, so a file of millions of lines
# never exists as millions of Python dictionaries at once.
BATCH_LINES = 10_000


@dataclass
class ReadLines:
    frame: pl.DataFrame
    left_out: list[LeftOut] = field(default_factory=list)
    rounded: int = 0
    magnitude: int = 0  # pence, without signs, so far: see lines.INT64_MAX

    @property
    def line_count(self) -> int:
        return self.frame.height


@dataclass(frozen=True)
class _Outside:
    """A line dated outside the year: its index among the lines read, and where it is."""

    index: int
    day: date
    sheet: str | None
    row: int
    amount: str | None


@dataclass
class _Dated:
    """The dates of one file, to judge once per file whether they fit the year."""

    file: str
    sheet: str | None
    column: str
    dated: int = 0
    outside: list[_Outside] = field(default_factory=list)


def year_of(day: date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def read_rows(
    sheets: list[Sheet],
    plan: ReadPlan,
    financial_year: str,
    agency_id: str,
    bounds: tuple[date, date],
    problems: ProblemList,
    outside_year: OutsideYear = "refuse",
    error_cells: ErrorCells | None = None,
) -> ReadLines:
    """Every row of every planned part as a line of text values, or a problem.

    Dates outside the year are judged per file, not per row: a file of another year is
    one problem. `outside_year` says what to do with such lines when asked: leave them
    out (listed), or give each line the financial year of its date.

    The lines are a table of text (source_row a number), in file and row order; each
    column appears where it was first met, as one table of all the lines would have it.
    A field of the returns resource that is blank on every line is left out:
    `normalise_lines` adds it back as one null value, where a column of nulls would cost
    16 bytes a line (a third of the memory of a typical ledger).
    """
    result = ReadLines(frame=pl.DataFrame())
    dated: dict[str, _Dated] = {}
    columns: dict[str, None] = {}
    batches = []
    lines = _lines(
        sheets, plan, financial_year, agency_id, bounds, problems, result, dated, error_cells
    )
    while batch := tuple(itertools.islice(lines, BATCH_LINES)):
        for line in batch:
            columns.update(dict.fromkeys(line))
        batches.append(_batch_frame(batch, columns))
    if batches:
        # Not rechunked: one contiguous copy would double the peak for no gain.
        frame = pl.concat(batches, how="diagonal", rechunk=False)
        result.frame = frame.select(
            pl.col(c) if c in frame.columns else pl.lit(None, pl.String()).alias(c)
            for c in columns
            if c in frame.columns or c not in LINE_SCHEMA
        )
    _judge_years(result, dated.values(), financial_year, problems, outside_year)
    return result


def _lines(
    sheets: list[Sheet],
    plan: ReadPlan,
    financial_year: str,
    agency_id: str,
    bounds: tuple[date, date],
    problems: ProblemList,
    result: ReadLines,
    dated: dict[str, _Dated],
    error_cells: ErrorCells | None = None,
) -> Iterator[Line]:
    by_key = {(s.file, s.name): s for s in sheets}
    count = 0
    for part in plan.parts:
        sheet = by_key[(part.file, part.sheet)]
        record = dated.setdefault(
            part.file, _Dated(part.file, part.sheet, part.columns.get("payment_date", ""))
        )
        for offset, row in enumerate(sheet.rows[part.header_row :]):
            number = part.header_row + offset + 1
            row = _with_errors(row, part, number, error_cells)
            line = _read_row(
                row, part, number, financial_year, agency_id, problems, result, sheet.name
            )
            if line is None:
                continue
            day = line.pop("_date", None)
            if isinstance(day, date):
                record.dated += 1
                if not bounds[0] <= day <= bounds[1]:
                    amount = line.get("amount_gbp")
                    record.outside.append(
                        _Outside(
                            count, day, part.sheet, number, None if amount is None else str(amount)
                        )
                    )
            count += 1
            yield line


def _batch_frame(batch: tuple[Line, ...], columns: dict[str, None]) -> pl.DataFrame:
    """The batch's lines, without the columns blank on every one of them."""
    names = [c for c in columns if any(line.get(c) is not None for line in batch)]
    schema = {c: pl.Int64() if c == "source_row" else pl.String() for c in names}
    return pl.DataFrame(
        {c: [line.get(c) for line in batch] for c in names}, schema=schema, strict=False
    )


def _with_errors(
    row: list[Cell], part: PartPlan, number: int, error_cells: ErrorCells | None
) -> list[Cell]:
    """A blank amount beside other values may be an error cell the reader blanked:
    put the error value back so that it is named as such."""
    column = part.indexes["amount_gbp"]
    if error_cells is None or _cell(row, column) is not None:
        return row
    if all(_cell(row, i) is None for i in part.indexes.values()):
        return row
    error = error_cells(part.file, part.sheet).get((number - 1, column))
    if error is None:
        return row
    filled = list(row) + [None] * (column + 1 - len(row))
    filled[column] = error
    return filled


def _judge_years(
    result: ReadLines,
    files: Iterable[_Dated],
    financial_year: str,
    problems: ProblemList,
    outside_year: OutsideYear,
) -> None:
    drop: list[int] = []
    moved: dict[int, str] = {}
    for record in files:
        if not record.outside:
            continue
        if outside_year == "split":
            for item in record.outside:
                moved[item.index] = year_of(item.day)
        elif outside_year == "leave-out":
            for item in record.outside:
                drop.append(item.index)
                result.left_out.append(
                    LeftOut(
                        record.file,
                        item.sheet,
                        item.row,
                        item.amount,
                        f"dated {item.day.isoformat()}, outside {financial_year}",
                    )
                )
        else:
            problems.add(_wrong_year_problem(record, financial_year))
    if not (moved or drop):
        return
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    frame = result.frame
    if moved:
        frame = frame.with_columns(
            index.replace_strict(
                list(moved),
                list(moved.values()),
                default=pl.col("financial_year"),
                return_dtype=pl.String,
            ).alias("financial_year")
        )
    if drop:
        frame = frame.filter(~index.is_in(drop))
    result.frame = frame


def _wrong_year_problem(record: _Dated, financial_year: str) -> Problem:
    years = Counter(year_of(item.day) for item in record.outside)
    first = record.outside[0]
    first_day = first.day
    named = ", ".join(f"{year} ({count:,})" for year, count in sorted(years.items()))
    if len(record.outside) == record.dated and len(years) == 1:
        (other,) = years
        message = f"every date is in {other}, not {financial_year}: import this as {other}?"
        fix = f"Choose {other} as the financial year and import again (--year {other})."
    elif len(record.outside) == record.dated:
        message = f"every date is outside {financial_year}: they fall in {named}"
        fix = (
            "Import one return per year (--split-years, or 'one return for each year' in "
            "the form), or choose the right year."
        )
    else:
        message = (
            f"{len(record.outside):,} of {record.dated:,} dates are outside {financial_year} "
            f"(in {named}); the first is {first_day.isoformat()}"
        )
        fix = (
            "Import only the lines inside the year, and the rest are listed for you "
            "(--only-in-year, or 'only the lines inside the year' in the form); or import "
            "one return per year (--split-years); or correct the dates."
        )
    return Problem(
        "date-outside-year",
        message,
        file=record.file,
        sheet=first.sheet,
        row=first.row,
        column=record.column or "payment_date",
        fix=fix,
    )


def _cell(row: list[Cell], index: int | None) -> Cell:
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _label(row: list[Cell]) -> Cell:
    return next((c for c in row if c not in (None, "") and not _blank_text(c)), None)


def _blank_text(value: Cell) -> bool:
    return isinstance(value, str) and not value.strip()


def is_totals_row(row: list[Cell], date_cell: Cell) -> bool:
    label = _label(row)
    return isinstance(label, str) and bool(TOTALS_LABEL.match(label)) and date_cell is None


def _read_row(
    row: list[Cell],
    part: PartPlan,
    number: int,
    financial_year: str,
    agency_id: str,
    problems: ProblemList,
    result: ReadLines,
    sheet_name: str | None,
) -> dict[str, Any] | None:
    def where(name: str) -> dict[str, Any]:
        return {
            "file": part.file,
            "sheet": part.sheet,
            "row": number,
            "column": part.columns.get(name, name),
        }

    values = {name: _cell(row, index) for name, index in part.indexes.items()}
    if sheet_name is None:
        _check_ragged(row, part, number, problems)
    if all(v is None for v in values.values()):
        return None  # a blank row, or a note beside the table: it holds no amount
    amount_cell = values.get("amount_gbp")
    if is_totals_row(row, values.get("payment_date")):
        result.left_out.append(
            LeftOut(part.file, part.sheet, number, _shown_amount(amount_cell, part), "totals row")
        )
        return None
    for name, value in values.items():
        if isinstance(value, str) and (meaning := spreadsheet_error(value)):
            problems.add(
                Problem(
                    "spreadsheet-error",
                    f"the cell holds the spreadsheet error {value} ({meaning}), not a value",
                    **where(name),
                )
            )
            values[name] = None if name != "amount_gbp" else value
    line: dict[str, Any] = {
        "agency_id": agency_id,
        "financial_year": financial_year,
        "source_file": part.file,
        "source_sheet": part.sheet,
        "source_row": number,
    }
    if not (isinstance(amount_cell, str) and spreadsheet_error(amount_cell)):
        amount = parse_amount(amount_cell, part.thousands, COMMA if part.decimal_comma else POINT)
        if isinstance(amount, Problem):
            problems.add(
                Problem(amount.code, amount.message, fix=amount.fix, **where("amount_gbp"))
            )
        else:
            text, rounded = amount
            result.rounded += rounded
            line["amount_gbp"] = text
            _add_to_total(result, text, problems, where("amount_gbp"))
    for name in (
        "supplier",
        "service",
        "expense_type",
        "description",
        "cofog",
        "sercop",
        "themes",
        "funding_source",
        "counterparty_agency_id",
        "spend_type",
        "estimate",
    ):
        value = values.get(name)
        line[name] = None if value is None else _text(value)
    _read_date(values.get("payment_date"), line, problems, where)
    _check_own(values, "agency_id", agency_id, problems, where)
    _check_own(values, "financial_year", financial_year, problems, where)
    if line.get("spend_type"):
        line["spend_type"] = _spend_type(str(line["spend_type"]))
    for position, name in part.extras:
        value = _cell(row, position)
        line[name] = None if value is None else _text(value)
    return line


def _add_to_total(
    result: ReadLines, text: str, problems: ProblemList, where: dict[str, Any]
) -> None:
    """Name the row at which the file's amounts pass what int64 pence hold, in the file's
    own header (lines.py checks the same for every import, naming the field)."""
    before = result.magnitude
    result.magnitude += abs(int(Decimal(text) * 100))
    if before <= INT64_MAX < result.magnitude:
        problems.add(
            Problem(
                "total-too-large",
                "the amounts add up, without their signs, to more than "
                "£92,233,720,368,547,758.07 by this row, more than totalplace can hold",
                **where,
            )
        )


def _shown_amount(cell: Cell, part: PartPlan) -> str | None:
    amount = parse_amount(cell, part.thousands, COMMA if part.decimal_comma else POINT)
    if isinstance(amount, Problem):
        return None if cell is None else _text(cell)
    return amount[0]


def _check_ragged(row: list[Cell], part: PartPlan, number: int, problems: ProblemList) -> None:
    """A CSV row with more cells than its header has lost its columns: most often an
    unquoted `1,000.00` in a comma-separated file, read as two cells."""
    extra = [c for c in row[part.width :] if c not in (None, "") and not _blank_text(c)]
    if extra:
        problems.add(
            Problem(
                "ragged-row",
                f"the row has {len(row)} cells but the header has {part.width}",
                file=part.file,
                sheet=part.sheet,
                row=number,
            )
        )


def _check_own(
    values: dict[str, Cell], name: str, expected: str, problems: ProblemList, where: Any
) -> None:
    value = values.get(name)
    if value is None:
        return
    given = canonical_year(_text(value)) if name == "financial_year" else _text(value)
    if given != expected:
        code = "unknown-agency" if name == "agency_id" else "bad-financial-year"
        problems.add(
            Problem(
                code,
                f"the row says {_text(value)!r} but this return is for {expected!r}",
                fix=f"Change it to {expected}, or import the row with the return it belongs to.",
                **where(name),
            )
        )


def canonical_year(text: str) -> str:
    """`2024/25` and `2024-2025` are ways of writing 2024-25."""
    text = text.strip()
    match = re.match(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$", text)
    if match is None:
        return text
    return f"{match.group(1)}-{match.group(2)[-2:]}"


def _read_date(value: Cell, line: dict[str, Any], problems: ProblemList, where: Any) -> None:
    """Every date column is typed: a date is kept as YYYY-MM-DD and its year judged."""
    if value is None:
        line["payment_date"] = None
        return
    day = parse_date(value)
    if day is None:
        problems.add(
            Problem("bad-date", f"{_text(value)!r} is not a date", **where("payment_date"))
        )
        return
    line["payment_date"] = day.isoformat()
    line["_date"] = day


def _text(value: Cell) -> str:
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _spend_type(text: str) -> str:
    lowered = text.strip().lower()
    if lowered.startswith("cap"):
        return "capital"
    if lowered.startswith("rev"):
        return "revenue"
    return lowered


def parse_amount(value: Cell, thousands: bool, mark: str = POINT) -> tuple[str, int] | Problem:
    """Pounds-and-pence text, and 1 when it had to be rounded to the penny."""
    if value is None:
        return Problem("blank-value", "the amount is blank")
    if isinstance(value, bool | date | timedelta):
        return Problem("not-a-number", f"{_text(value)!r} is not an amount of money")
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        parsed = parse_text_amount(str(value), mark)
        if parsed is None:
            return Problem("not-a-number", _not_an_amount(str(value), mark))
        number = parsed
    if not number.is_finite():
        return Problem("not-a-number", f"{_text(value)!r} is not an amount of money")
    if thousands:
        number *= 1000
    if abs(number) >= MAX_POUNDS:
        # Decimal's 28 digits cannot round 1e300 to the penny; lines.py says what is allowed.
        return Problem(
            "amount-too-large",
            f"{_text(value)!r} is more than the largest amount totalplace holds",
        )
    rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return f"{rounded:f}", int(rounded != number)


def _not_an_amount(text: str, mark: str) -> str:
    if mark == COMMA:
        return f"{text!r} is not an amount of money written with a decimal comma, as this column is"
    if parse_text_amount(text, COMMA) is not None:
        return (
            f"{text!r} is not an amount of money: thousands separators group digits in threes "
            "(1,234.50), and this column writes decimals with a point"
        )
    if re.search(r"\d[,.' ]\d", text):
        return (
            f"{text!r} is not an amount of money: thousands separators group digits in threes "
            "(1,234,567.50), with one decimal point at most"
        )
    return f"{text!r} is not an amount of money"


def parse_date(value: Cell) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number
            return EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = str(value).strip()
    iso = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
