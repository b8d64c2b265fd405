"""The deep dive's file formats: funding flows from 360Giving files (JSON, or the flat
CSV/XLSX that GrantNav and the government grants register publish), from the flows
template (XLSX or CSV, docs/formats/funding-flows.md), the template itself, and theme
rules as CSV. Every reader is all or nothing: each problem names file, sheet, row and
column."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from totalplace.core.money import pounds_to_pence
from totalplace.core.problems import ImportRejected, Problem, ProblemList
from totalplace.core.spreadsheets import TEXT_SUFFIXES, Cell, Sheet, csv_rows, read_sheets
from totalplace.core.years import is_financial_year
from totalplace.deepdive.rules import (
    MAX_SHARE,
    THEME_FIELD_NAMES,
    Flow,
    Theme,
    ThemeRule,
    normalise_supplier,
    split_themes,
)

# The flows file's columns, in order (the place data package's and the template's).
FLOW_COLUMNS = (
    "flow_id",
    "stream",
    "from_id",
    "to_id",
    "financial_year",
    "amount_gbp",
    "themes",
    "ring_fenced",
    "conditions",
    "reporting",
    "from_name",
    "to_name",
)
REQUIRED = ("flow_id", "stream", "from_id", "to_id", "financial_year", "amount_gbp")
RULE_COLUMNS = ("theme_id", "field", "value", "share", "basis")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class ReadFlows:
    flows: list[Flow]
    sources: dict[str, str]  # flow id -> where it came from (file and row)
    # Numbers a file gave for recipients (charity, company): flow id -> number.
    numbers: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Organisations:
    """Turns a grants file's organisations into identifiers of the place: an identifier
    or a name mapped to an agency (given, or the agency's own name), or the file's own
    identifier for a body outside the place."""

    def __init__(self, agencies: Sequence[tuple[str, str]], mapping: Mapping[str, str]) -> None:
        self.agency_ids = {a for a, _name in agencies}
        self.by_name = {normalise_supplier(name): a for a, name in agencies}
        self.mapping = {k.strip().casefold(): v.strip() for k, v in mapping.items()}

    def resolve(self, identifier: str, name: str) -> str:
        for key in (identifier, name):
            found = self.mapping.get(key.strip().casefold())
            if found:
                return found
        if identifier in self.agency_ids:
            return identifier
        by_name = self.by_name.get(normalise_supplier(name)) if name.strip() else None
        return by_name or identifier.strip() or name.strip()


def financial_year_of(day: date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


def _pounds(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value or "").replace(",", "").replace("£", "").strip()
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


@dataclass
class _Grant:
    """One grant's cells, whatever file it came from; `where` makes its problems."""

    identifier: str
    amount: object
    currency: str
    award_date: object
    funder_id: str
    funder_name: str
    recipient_id: str
    recipient_name: str
    programme: str
    title: str
    number: str
    where: Callable[[str, str, str], Problem]  # (code, column, message)
    columns: Mapping[str, str]  # our name -> the file's column for this field


def _flows_from_grants(
    grants: Sequence[_Grant], organisations: Organisations, source: str
) -> ReadFlows:
    problems = ProblemList()
    flows: list[Flow] = []
    sources: dict[str, str] = {}
    numbers: dict[str, str] = {}
    seen: set[str] = set()
    outside = 0
    outside_pence = 0
    for g in grants:
        col = g.columns
        found = problems.total
        if not g.identifier:
            problems.add(g.where("blank-value", col["identifier"], "the grant has no identifier"))
        elif g.identifier in seen:
            problems.add(
                g.where("duplicate-key", col["identifier"], f"{g.identifier!r} appears twice")
            )
        seen.add(g.identifier)
        if g.currency and g.currency.strip().upper() != "GBP":
            problems.add(
                g.where("not-gbp", col["currency"], f"the grant is in {g.currency!r}, not GBP")
            )
        pounds = _pounds(g.amount)
        if pounds is None:
            problems.add(
                g.where("not-a-number", col["amount"], f"{g.amount!r} is not an amount in pounds")
            )
        elif pounds != pounds.quantize(Decimal("0.01")):
            problems.add(g.where("too-many-decimals", col["amount"], f"{g.amount!r}"))
        day = _date(g.award_date)
        if day is None:
            problems.add(g.where("bad-date", col["award_date"], f"{g.award_date!r} is not a date"))
        if not (g.funder_id or g.funder_name):
            problems.add(g.where("blank-value", col["funder"], "the grant names no funder"))
        if not (g.recipient_id or g.recipient_name):
            problems.add(g.where("blank-value", col["recipient"], "the grant names no recipient"))
        if problems.total > found or pounds is None or day is None:
            continue
        from_id = organisations.resolve(g.funder_id, g.funder_name)
        to_id = organisations.resolve(g.recipient_id, g.recipient_name)
        pence = pounds_to_pence(pounds)
        if from_id not in organisations.agency_ids and to_id not in organisations.agency_ids:
            # A register covers the country: a grant neither from nor to an agency of the
            # place is another place's money; counted in the note, never silently.
            outside += 1
            outside_pence += pence
            continue
        flows.append(
            Flow(
                flow_id=g.identifier,
                stream=g.programme or g.title or "Unnamed grant programme",
                from_id=from_id,
                to_id=to_id,
                financial_year=financial_year_of(day),
                amount_pence=pence,
                from_name=g.funder_name,
                to_name=g.recipient_name,
            )
        )
        sources[g.identifier] = source
        if g.number:
            numbers[g.identifier] = g.number
    problems.raise_if_any()
    notes = []
    if outside:
        notes.append(
            f"{outside:,} grants (£{Decimal(outside_pence) / 100:,.2f}) are neither from nor "
            "to an agency of the place and were left out: map a funder or recipient to an "
            "agency if one of them is the place's."
        )
    return ReadFlows(flows, sources, numbers, notes)


def _first(items: object) -> dict[str, Any]:
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    if isinstance(items, dict):
        return items
    return {}


def read_360giving_json(content: bytes, file: str, organisations: Organisations) -> ReadFlows:
    """A 360Giving JSON package: `{"grants": [...]}`."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected(
            [Problem("file-unreadable", f"the file is not valid JSON ({exc})", file=file)]
        ) from exc
    grants = data.get("grants") if isinstance(data, dict) else None
    if not isinstance(grants, list) or not grants:
        raise ImportRejected(
            [
                Problem(
                    "not-a-grants-file",
                    "the file has no 360Giving `grants` list",
                    file=file,
                    column="grants",
                )
            ]
        )
    columns = {
        "identifier": "id",
        "currency": "currency",
        "amount": "amountAwarded",
        "award_date": "awardDate",
        "funder": "fundingOrganization",
        "recipient": "recipientOrganization",
    }
    items = []
    for number, grant in enumerate(grants, start=1):
        if not isinstance(grant, dict):
            grant = {}
        funder = _first(grant.get("fundingOrganization"))
        recipient = _first(grant.get("recipientOrganization"))

        def where(code: str, column: str, message: str, number: int = number) -> Problem:
            return Problem(code, message, file=file, row=number, column=f"grants[].{column}")

        items.append(
            _Grant(
                identifier=str(grant.get("id") or "").strip(),
                amount=grant.get("amountAwarded"),
                currency=str(grant.get("currency") or ""),
                award_date=grant.get("awardDate"),
                funder_id=str(funder.get("id") or "").strip(),
                funder_name=str(funder.get("name") or "").strip(),
                recipient_id=str(recipient.get("id") or "").strip(),
                recipient_name=str(recipient.get("name") or "").strip(),
                programme=str(_first(grant.get("grantProgramme")).get("title") or "").strip(),
                title=str(grant.get("title") or "").strip(),
                number=str(
                    recipient.get("charityNumber") or recipient.get("companyNumber") or ""
                ).strip(),
                where=where,
                columns=columns,
            )
        )
    return _flows_from_grants(items, organisations, f"{file} (360Giving JSON)")


FLAT = {
    "identifier": "Identifier",
    "currency": "Currency",
    "amount": "Amount Awarded",
    "award_date": "Award Date",
    "funder_id": "Funding Org:Identifier",
    "funder": "Funding Org:Name",
    "recipient_id": "Recipient Org:Identifier",
    "recipient": "Recipient Org:Name",
    "programme": "Grant Programme:Title",
    "title": "Title",
    "charity": "Recipient Org:Charity Number",
    "company": "Recipient Org:Company Number",
}


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """The row of 360Giving headings (within the first ten) and each heading's column."""
    for index, row in enumerate(sheet.rows[:10]):
        names = {_text(c).casefold(): i for i, c in enumerate(row)}
        if FLAT["identifier"].casefold() in names and FLAT["amount"].casefold() in names:
            return index, names
    return None


def sheets_of(content: bytes, filename: str, folder: Path) -> list[Sheet]:
    """The file's sheets through the shared reader, as every return is read: a CSV with
    its encoding and delimiter found, doubled quotes and line breaks inside quotes kept;
    a workbook in the bounded reader."""
    if Path(filename).suffix.lower() in TEXT_SUFFIXES:
        # Read lazily from the bytes given, not from the folder, which may be gone by then.
        return [Sheet(filename, None, csv_rows(lambda: io.BytesIO(content), filename))]
    path = folder / Path(filename).name
    path.write_bytes(content)
    return read_sheets(path)


def read_360giving_sheet(
    sheets: Sequence[Sheet], filename: str, organisations: Organisations
) -> ReadFlows:
    """360Giving's flat form (CSV or XLSX): one grant a row under its headings; the
    government grants register's awards are published this way."""
    for sheet in sheets:
        found = _header(sheet)
        if found is None:
            continue
        start, names = found
        missing = [
            FLAT[k]
            for k in ("identifier", "amount", "award_date", "recipient")
            if FLAT[k].casefold() not in names
        ]
        if missing:
            raise ImportRejected(
                [
                    Problem("missing-column", f"no {m!r} column", file=sheet.file, sheet=sheet.name)
                    for m in missing
                ]
            )
        columns = {k: FLAT[k] for k in ("identifier", "currency", "amount", "award_date")} | {
            "funder": FLAT["funder"],
            "recipient": FLAT["recipient"],
        }
        items = []
        for offset, row in enumerate(sheet.rows[start + 1 :], start=start + 2):

            def cell(key: str, row: list[Cell] = row, names: dict[str, int] = names) -> Cell:
                index = names.get(FLAT[key].casefold())
                return row[index] if index is not None and index < len(row) else None

            if not any(_text(c) for c in row):
                continue

            def where(
                code: str, column: str, message: str, offset: int = offset, sheet: Sheet = sheet
            ) -> Problem:
                return Problem(
                    code, message, file=sheet.file, sheet=sheet.name, row=offset, column=column
                )

            items.append(
                _Grant(
                    identifier=_text(cell("identifier")),
                    amount=cell("amount"),
                    currency=_text(cell("currency")),
                    award_date=cell("award_date"),
                    funder_id=_text(cell("funder_id")),
                    funder_name=_text(cell("funder")),
                    recipient_id=_text(cell("recipient_id")),
                    recipient_name=_text(cell("recipient")),
                    programme=_text(cell("programme")),
                    title=_text(cell("title")),
                    number=_text(cell("charity")) or _text(cell("company")),
                    where=where,
                    columns=columns,
                )
            )
        label = f"{sheet.file}, sheet {sheet.name!r}" if sheet.name else sheet.file
        return _flows_from_grants(items, organisations, f"{label} (360Giving)")
    raise ImportRejected(
        [
            Problem(
                "not-a-grants-file",
                "no sheet has 360Giving headings (Identifier, Amount Awarded, ...)",
                file=filename,
            )
        ]
    )


def read_flows_sheet(sheets: Sequence[Sheet], filename: str) -> ReadFlows:
    """The flows template (or the package's funding_flows.csv): one flow a row."""
    sheet = next(
        (s for s in sheets if s.name == "Flows"),
        next((s for s in sheets if _flow_header(s) is not None), None),
    )
    if sheet is None or _flow_header(sheet) is None:
        raise ImportRejected(
            [
                Problem(
                    "missing-column",
                    "no sheet has the flows columns (" + ", ".join(REQUIRED) + ")",
                    file=filename,
                    fix="Use the flows template (docs/formats/funding-flows.md).",
                )
            ]
        )
    names = _flow_header(sheet) or {}
    problems = ProblemList()
    records: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(sheet.rows[1:], start=2):
        values = {k: (_text(row[i]) if i < len(row) else "") for k, i in names.items()} | (
            {"amount_gbp": _amount_cell(row, names)}
        )
        if any(values.values()):
            records.append((number, values))
    flows = []
    seen: set[str] = set()
    for number, values in records:
        flow = flow_from_record(values, sheet.file, number, problems, sheet.name)
        if flow is None:
            continue
        if flow.flow_id in seen:
            problems.add(
                Problem(
                    "duplicate-key",
                    f"{flow.flow_id!r} appears twice",
                    file=sheet.file,
                    sheet=sheet.name,
                    row=number,
                    column="flow_id",
                )
            )
        seen.add(flow.flow_id)
        flows.append(flow)
    problems.raise_if_any()
    if not flows:
        raise ImportRejected(
            [Problem("empty-return", "the file has no flows", file=sheet.file, sheet=sheet.name)]
        )
    label = f"{sheet.file}, sheet {sheet.name!r}" if sheet.name else sheet.file
    return ReadFlows(flows, {f.flow_id: label for f in flows})


def _amount_cell(row: list[Cell], names: Mapping[str, int]) -> str:
    index = names.get("amount_gbp")
    if index is None or index >= len(row):
        return ""
    value = row[index]
    return str(Decimal(str(value))) if isinstance(value, int | float) else _text(value)


def _flow_header(sheet: Sheet) -> dict[str, int] | None:
    if not sheet.rows:
        return None
    names = {_text(c).casefold(): i for i, c in enumerate(sheet.rows[0])}
    if not all(c in names for c in REQUIRED):
        return None
    return {c: names[c] for c in FLOW_COLUMNS if c in names}


def flow_from_record(
    values: Mapping[str, object],
    file: str,
    row: int,
    problems: ProblemList,
    sheet: str | None = None,
    amount_column: str = "amount_gbp",
) -> Flow | None:
    """One flow from its text cells; None, with the problems added, when it is wrong."""

    def text(name: str) -> str:
        value = values.get(name)
        return "" if value is None else str(value).strip()

    def problem(code: str, column: str, message: str) -> None:
        problems.add(Problem(code, message, file=file, sheet=sheet, row=row, column=column))

    before = problems.total
    for name in ("flow_id", "stream", "from_id", "to_id"):
        if not text(name):
            problem("blank-value", name, f"{name} is blank")
    year = text("financial_year")
    if not is_financial_year(year):
        problem("bad-financial-year", "financial_year", f"{year!r} is not a financial year")
    pounds = _pounds(text(amount_column))
    if pounds is None:
        problem("not-a-number", amount_column, f"{text(amount_column)!r} is not an amount")
    elif pounds != pounds.quantize(Decimal("0.01")):
        problem("too-many-decimals", amount_column, f"{text(amount_column)!r}")
    fenced = text("ring_fenced").casefold()
    if fenced and fenced not in _TRUE | _FALSE:
        problem("bad-boolean", "ring_fenced", f"{text('ring_fenced')!r} is not true or false")
    if text("from_id") and text("from_id") == text("to_id"):
        problem("self-payment", "to_id", "a flow must go from one body to another")
    if problems.total > before or pounds is None:
        return None
    return Flow(
        flow_id=text("flow_id"),
        stream=text("stream"),
        from_id=text("from_id"),
        to_id=text("to_id"),
        financial_year=year,
        amount_pence=pounds_to_pence(pounds),
        themes=split_themes(text("themes")),
        ring_fenced=(fenced in _TRUE) if fenced else None,
        conditions=text("conditions"),
        reporting=text("reporting"),
        from_name=text("from_name"),
        to_name=text("to_name"),
    )


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _safe(text: str) -> str:
    """A spreadsheet runs a cell starting = + - @ as a formula: names come from strangers."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def flows_csv(flows: Sequence[Flow]) -> bytes:
    """The flows for a person's spreadsheet: text cells made safe, amounts as numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLOW_COLUMNS)
    for f in flows:
        fenced = "" if f.ring_fenced is None else str(f.ring_fenced).lower()
        text = [f.flow_id, f.stream, f.from_id, f.to_id]
        rest = [";".join(f.themes), fenced, f.conditions, f.reporting, f.from_name, f.to_name]
        writer.writerow(
            [_safe(t) for t in text]
            + [f.financial_year, f"{Decimal(f.amount_pence) / 100:.2f}"]
            + [_safe(t) for t in rest]
        )
    return out.getvalue().encode()


_GUIDE = (
    "Funding flows template",
    "",
    "One row per flow of money: a grant, an allocation, money passed on.",
    "flow_id: any identifier, once per row. stream: the funding stream's name.",
    "from_id and to_id: an agency of the place (see Agencies), or any other identifier:",
    "a department, a national body, a provider outside the place.",
    "financial_year as 2009-10; amount_gbp in pounds.",
    "themes: theme identifiers separated by ; (see Themes). ring_fenced: true or false.",
    "conditions and reporting: what the funder asks of the money, in words.",
    "from_name and to_name (optional): the payer's and the payee's names, for people.",
    "Money passed on between agencies of the place is counted once, where it entered.",
)


def template_xlsx(agencies: Sequence[tuple[str, str]], themes: Sequence[tuple[str, str]]) -> bytes:
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = "Guide"
    for number, line in enumerate(_GUIDE, start=1):
        _put(guide.cell(row=number, column=1), line)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 100
    flows = workbook.create_sheet("Flows", 1)
    for column, name in enumerate(FLOW_COLUMNS, start=1):
        _put(flows.cell(row=1, column=column), name)
        flows.cell(row=1, column=column).font = Font(bold=True)
        flows.column_dimensions[flows.cell(row=1, column=column).column_letter].width = 18
    for title, rows in (("Agencies", agencies), ("Themes", themes)):
        sheet = workbook.create_sheet(title)
        for number, row in enumerate((("id", "name"), *rows), start=1):
            for column, value in enumerate(row, start=1):
                _put(sheet.cell(row=number, column=column), value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(cell: Any, value: str) -> None:
    # Text is text, never a formula, whatever it starts with.
    cell.value = value
    cell.data_type = "s"
    if value.startswith(("=", "+", "-", "@")):
        cell.quotePrefix = True


# ---- theme rules ------------------------------------------------------------------------


def read_theme_rules(content: bytes, file: str, themes: set[str]) -> list[ThemeRule]:
    """Theme rules as CSV: theme_id, field, value, and optional share and basis."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [Problem("file-unreadable", "the file is not UTF-8 text", file=file)]
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("theme_id", "field", "value") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected(
            [Problem("missing-column", f"no {m!r} column", file=file, column=m) for m in missing]
        )
    problems = ProblemList()
    found = []
    for number, item in enumerate(reader, start=2):
        rule = rule_from_record(item, file, number, problems, themes)
        if rule is not None:
            found.append(rule)
    problems.raise_if_any()
    return found


def rule_from_record(
    item: Mapping[str, object], file: str, row: int, problems: ProblemList, themes: set[str]
) -> ThemeRule | None:
    def text(name: str) -> str:
        value = item.get(name)
        return "" if value is None else str(value).strip()

    before = problems.total
    if text("theme_id") not in themes:
        problems.add(
            Problem(
                "unknown-theme",
                f"{text('theme_id')!r} is not one of the place's themes",
                file=file,
                row=row,
                column="theme_id",
            )
        )
    if text("field") not in THEME_FIELD_NAMES:
        problems.add(
            Problem(
                "bad-theme-field",
                f"{text('field')!r} is not a column a theme rule can match",
                file=file,
                row=row,
                column="field",
            )
        )
    if not text("value"):
        problems.add(Problem("blank-value", "value is blank", file=file, row=row, column="value"))
    share = parse_share(text("share") or "1")
    if share is None:
        problems.add(
            Problem(
                "bad-share",
                f"{text('share')!r} is not a share above 0 and at most {MAX_SHARE}",
                file=file,
                row=row,
                column="share",
            )
        )
    if problems.total > before or share is None:
        return None
    return ThemeRule(text("theme_id"), text("field"), text("value"), share, text("basis"))


def read_themes(content: bytes, file: str) -> list[Theme]:
    """A place's own themes as CSV: theme_id, name, and an optional description."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [Problem("file-unreadable", "the file is not UTF-8 text", file=file)]
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("theme_id", "name") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected(
            [Problem("missing-column", f"no {m!r} column", file=file, column=m) for m in missing]
        )
    problems = ProblemList()
    found: list[Theme] = []
    for number, item in enumerate(reader, start=2):
        theme_id, name = (item.get("theme_id") or "").strip(), (item.get("name") or "").strip()
        for column, value in (("theme_id", theme_id), ("name", name)):
            if not value:
                problems.add(
                    Problem(
                        "blank-value", f"{column} is blank", file=file, row=number, column=column
                    )
                )
        if theme_id and any(t.theme_id == theme_id for t in found):
            problems.add(
                Problem(
                    "duplicate-key",
                    f"theme {theme_id!r} appears twice",
                    file=file,
                    row=number,
                    column="theme_id",
                )
            )
        if theme_id and name:
            found.append(Theme(theme_id, name, (item.get("description") or "").strip()))
    problems.raise_if_any()
    return found


def parse_share(text: str) -> Decimal | None:
    try:
        share = Decimal(text.strip())
    except InvalidOperation:
        return None
    return share if share.is_finite() and 0 < share <= MAX_SHARE else None
