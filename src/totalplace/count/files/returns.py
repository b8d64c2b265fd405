"""Agencies' returns as they really arrive: spend ledgers and service totals in CSV,
XLSX or ODS, the header anywhere near the top, totals rows, `£1,234`, `(1,234)`,
amounts in £000s, Windows encodings, one month's layout unlike the next.

Each file and sheet is mapped on its own: by a saved column mapping when there is one,
else by recognising the usual headers of Transparency Code spend files.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import polars as pl

from totalplace.core.problems import Problem, ProblemList
from totalplace.core.spreadsheets import Cell, Sheet, first_rows
from totalplace.count.files.lines import INT64_MAX, LINE_SCHEMA

HEADER_SEARCH_ROWS = 40

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

THOUSANDS = re.compile(
    r"£\s*'?0{3}|£\s*k\b|£\s*thousands?|\b0{3}s\b|'000|\(000s?\)|£000s?", re.IGNORECASE
)
TOTALS = re.compile(r"^\s*(grand\s+|sub[-\s]?)?totals?\b", re.IGNORECASE)
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
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


def normalise_header(text: object) -> str:
    raw = str(text or "")
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)  # BeneficiaryName -> Beneficiary Name
    words = re.sub(r"[^0-9a-z]+", " ", raw.lower()).split()
    return " ".join(
        w
        for w in words
        if w not in {"gbp", "000", "000s", "k", "thousand", "thousands", "s"} or len(words) == 1
    )


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


@dataclass
class ReadPlan:
    parts: list[PartPlan]
    skipped: list[str]

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
    sheets: list[Sheet], mapping: dict[str, Any] | None, problems: ProblemList
) -> ReadPlan:
    parts: list[PartPlan] = []
    skipped: list[str] = []
    multi = len(sheets) > 1
    for sheet in sheets:
        part = _plan_sheet(sheet, mapping)
        if part is not None:
            parts.append(part)
            continue
        label = f"{sheet.file}" + (f" sheet {sheet.name!r}" if sheet.name else "")
        if multi and _looks_empty_or_notes(sheet):
            skipped.append(label)
            continue
        problems.add(_no_amount_problem(sheet, mapping))
    if not parts and not problems:
        problems.add(
            Problem(
                "empty-return",
                "no sheet has a column of amounts",
                file=sheets[0].file if sheets else None,
            )
        )
    return ReadPlan(parts, skipped)


def _plan_sheet(sheet: Sheet, mapping: dict[str, Any] | None) -> PartPlan | None:
    wanted = _wanted_headers(mapping)
    head = first_rows(sheet.rows, HEADER_SEARCH_ROWS)
    best: tuple[int, int, dict[str, int]] | None = None
    for index, row in enumerate(head):
        found = _match_header(row, wanted)
        if "amount_gbp" in found and (best is None or len(found) > len(best[2])):
            best = (index, len(found), found)
    if best is None:
        return None
    index, _score, found = best
    header = head[index]
    texts = [str(c).strip() if c is not None else "" for c in header]
    thousands = _in_thousands(head[: index + 1], texts[found["amount_gbp"]], mapping)
    used = set(found.values())
    filled = _filled_columns(
        sheet.rows[index + 1 :], {p for p in range(len(texts)) if p not in used}
    )
    extras = []
    for position, text in enumerate(texts):
        if position not in filled:
            continue
        name = text or f"column {position + 1}"
        if name in LINE_SCHEMA or name == "amount_gbp":
            name = f"original {name}"
        extras.append((position, name))
    return PartPlan(
        file=sheet.file,
        sheet=sheet.name,
        header_row=index + 1,
        columns={name: texts[pos] for name, pos in found.items()},
        thousands=thousands,
        extras=extras,
        indexes=found,
    )


def _filled_columns(rows: Iterable[list[Cell]], positions: set[int]) -> set[int]:
    """Which of the positions hold a value in some row: one pass, stopping once all do,
    since a CSV's rows are parsed again on every walk."""
    waiting = set(positions)
    for row in rows:
        if not waiting:
            break
        waiting -= {p for p in waiting if p < len(row) and row[p] not in (None, "")}
    return positions - waiting


def _wanted_headers(mapping: dict[str, Any] | None) -> dict[str, tuple[str, ...]]:
    if mapping is None:
        return SYNONYMS
    columns = mapping.get("columns", {})
    return {name: tuple(normalise_header(h) for h in headers) for name, headers in columns.items()}


def _match_header(row: list[Cell], wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Each field takes the column whose header is its best-ranked word."""
    cells = [normalise_header(c) if isinstance(c, str) else "" for c in row]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for name, words in wanted.items():
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


def _looks_empty_or_notes(sheet: Sheet) -> bool:
    numbers = (
        c for r in sheet.rows for c in r if isinstance(c, int | float) and not isinstance(c, bool)
    )
    return len(list(itertools.islice(numbers, 3))) < 3


def _no_amount_problem(sheet: Sheet, mapping: dict[str, Any] | None) -> Problem:
    best_row: list[Cell] = []
    for row in first_rows(sheet.rows, HEADER_SEARCH_ROWS):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) > len(
            [c for c in best_row if isinstance(c, str) and c.strip()]
        ):
            best_row = row
    headers = [str(c).strip() for c in best_row if isinstance(c, str) and c.strip()]
    found = _match_header(best_row, _wanted_headers(mapping))
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
        fix="Give --mapping FILE naming the amount column, e.g. "
        '{"columns": {"amount_gbp": ["Net Amount"]}} (docs/formats/column-mapping.md).',
    )


# ---- reading the rows -------------------------------------------------------------


Line = dict[str, str | int | None]
# Lines are gathered into a table this many at a time, so a file of millions of lines
# never exists as millions of Python dictionaries at once.
BATCH_LINES = 10_000


@dataclass
class ReadLines:
    frame: pl.DataFrame
    skipped_totals: int = 0
    rounded: int = 0
    magnitude: int = 0  # pence, without signs, so far: see lines.INT64_MAX

    @property
    def line_count(self) -> int:
        return self.frame.height


def read_rows(
    sheets: list[Sheet],
    plan: ReadPlan,
    financial_year: str,
    agency_id: str,
    bounds: tuple[date, date],
    problems: ProblemList,
) -> ReadLines:
    """The lines as a table of text (source_row a number), in file and row order; each
    column appears where it was first met, as one table of all the lines would have it.

    A field of the returns resource that is blank on every line is left out:
    `normalise_lines` adds it back as one null value, where a column of nulls would cost
    16 bytes a line (a third of the memory of a typical ledger)."""
    result = ReadLines(frame=pl.DataFrame())
    columns: dict[str, None] = {}
    batches = []
    lines = _lines(sheets, plan, financial_year, agency_id, bounds, problems, result)
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
    return result


def _lines(
    sheets: list[Sheet],
    plan: ReadPlan,
    financial_year: str,
    agency_id: str,
    bounds: tuple[date, date],
    problems: ProblemList,
    result: ReadLines,
) -> Iterator[Line]:
    by_key = {(s.file, s.name): s for s in sheets}
    for part in plan.parts:
        sheet = by_key[(part.file, part.sheet)]
        for offset, row in enumerate(sheet.rows[part.header_row :]):
            number = part.header_row + offset + 1
            line = _read_row(row, part, number, financial_year, agency_id, bounds, problems, result)
            if line is not None:
                yield line


def _batch_frame(batch: tuple[Line, ...], columns: dict[str, None]) -> pl.DataFrame:
    """The batch's lines, without the columns blank on every one of them."""
    names = [c for c in columns if any(line.get(c) is not None for line in batch)]
    schema = {c: pl.Int64() if c == "source_row" else pl.String() for c in names}
    return pl.DataFrame(
        {c: [line.get(c) for line in batch] for c in names}, schema=schema, strict=False
    )


def _cell(row: list[Cell], index: int | None) -> Cell:
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_row(
    row: list[Cell],
    part: PartPlan,
    number: int,
    financial_year: str,
    agency_id: str,
    bounds: tuple[date, date],
    problems: ProblemList,
    result: ReadLines,
) -> Line | None:
    def where(name: str) -> dict[str, Any]:
        return {
            "file": part.file,
            "sheet": part.sheet,
            "row": number,
            "column": part.columns.get(name, name),
        }

    values = {name: _cell(row, index) for name, index in part.indexes.items()}
    amount_cell = values.get("amount_gbp")
    others = [v for k, v in values.items() if k != "amount_gbp" and v is not None]
    if amount_cell is None and not others:
        return None  # a blank row, or a note under the table
    if any(isinstance(v, str) and TOTALS.match(v) for v in [*others, _cell(row, 0)]) and (
        values.get("payment_date") is None
    ):
        result.skipped_totals += 1
        return None
    line: Line = {
        "agency_id": agency_id,
        "financial_year": financial_year,
        "source_file": part.file,
        "source_sheet": part.sheet,
        "source_row": number,
    }
    amount = parse_amount(amount_cell, part.thousands)
    if isinstance(amount, Problem):
        problems.add(Problem(amount.code, amount.message, fix=amount.fix, **where("amount_gbp")))
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
    _read_date(values.get("payment_date"), bounds, financial_year, line, problems, where)
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


def _check_own(
    values: dict[str, Cell], name: str, expected: str, problems: ProblemList, where: Any
) -> None:
    value = values.get(name)
    if value is not None and _text(value) != expected:
        code = "unknown-agency" if name == "agency_id" else "bad-financial-year"
        problems.add(
            Problem(
                code,
                f"the row says {_text(value)!r} but this return is for {expected!r}",
                fix=f"Change it to {expected}, or import the row with the return it belongs to.",
                **where(name),
            )
        )


def _read_date(
    value: Cell,
    bounds: tuple[date, date],
    financial_year: str,
    line: Line,
    problems: ProblemList,
    where: Any,
) -> None:
    if value is None:
        line["payment_date"] = None
        return
    day = parse_date(value)
    if day is None:
        problems.add(
            Problem("bad-date", f"{_text(value)!r} is not a date", **where("payment_date"))
        )
        return
    if not bounds[0] <= day <= bounds[1]:
        problems.add(
            Problem(
                "date-outside-year",
                f"{day.isoformat()} is outside the financial year {financial_year}",
                **where("payment_date"),
            )
        )
    line["payment_date"] = day.isoformat()


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


def parse_amount(value: Cell, thousands: bool) -> tuple[str, int] | Problem:
    """Pounds-and-pence text, and 1 when it had to be rounded to the penny."""
    if value is None:
        return Problem("blank-value", "the amount is blank")
    if isinstance(value, bool | date | timedelta):
        return Problem("not-a-number", f"{_text(value)!r} is not an amount of money")
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        parsed = _parse_amount_text(str(value))
        if parsed is None:
            return Problem("not-a-number", f"{value!r} is not an amount of money")
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


def _parse_amount_text(text: str) -> Decimal | None:
    cleaned = text.strip().replace("£", "").replace(",", "").replace(" ", "").replace("\u00a0", "")
    cleaned = re.sub(r"(?i)^gbp|gbp$", "", cleaned)
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    if cleaned.endswith("-"):
        negative, cleaned = True, cleaned[:-1]
    if cleaned.upper().endswith("CR"):
        negative, cleaned = True, cleaned[:-2]
    if not NUMBER.match(cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - NUMBER admits only decimals
        return None
    return -number if negative else number


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
