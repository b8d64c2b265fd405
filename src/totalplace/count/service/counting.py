"""Count a place: gather its stored lines and reference figures, then apply the rules."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

import polars as pl

from totalplace.core.context import default_store
from totalplace.core.problems import NotFound
from totalplace.core.store.db import Store
from totalplace.core.years import parse_financial_year
from totalplace.count import tables as count_tables
from totalplace.count.rules.count import (
    LINE_COLUMNS,
    AgencyInfo,
    CountInput,
    CountResult,
    consolidated_lines,
    count,
)
from totalplace.places.service import queries as place_queries
from totalplace.places.service.queries import Population


def count_place(place_id: str, financial_year: str, store: Store | None = None) -> CountResult:
    """The count, made once per exact set of inputs (docs/decisions/0506)."""
    store = default_store(store)
    sources: list[tuple[int, str, str]] = []
    # The small inputs first; the lines are read only when the count is not kept yet.
    data = count_input(place_id, financial_year, store, sources, with_lines=False)

    def make() -> CountResult:
        return count(dataclasses.replace(data, lines=_lines(store, [f for *_, f in sources])))

    result: CountResult = store.memo.get_or_make(_count_key(data, sources), make)
    return result


def _count_key(data: CountInput, sources: list[tuple[int, str, str]]) -> str:
    """Names every input of the count but the lines, and the lines by their files' hashes.

    A return version's line file never changes, so (submission id, SHA-256) stands for
    its lines; accepting a return, a classification rule, an apportionment or a
    population changes what is read here, and so the key.
    """
    rules = data.classification_rules
    described = {
        "count": [data.place_id, data.place_name, data.financial_year],
        "agencies": [[a.agency_id, a.name, a.agency_type] for a in data.agencies],
        "shares": sorted((k, str(v)) for k, v in data.shares.items()),
        "population": [data.population, data.population_year],
        "rules": [] if rules is None else sorted(rules.rows()),
        "notes": list(data.notes),
        "returns": sorted((submission, sha256) for submission, sha256, _ in sources),
    }
    text = json.dumps(described, sort_keys=True, default=str)
    return "count:" + hashlib.sha256(text.encode()).hexdigest()


def count_input(
    place_id: str,
    financial_year: str,
    store: Store,
    sources: list[tuple[int, str, str]] | None = None,
    with_lines: bool = True,
) -> CountInput:
    """Everything the count needs for one place and year, gathered from the store;
    `sources`, if given, receives each return version used: its id, its lines' SHA-256
    and its line file. Without `with_lines` the lines are left empty, for the caller."""
    start_year = parse_financial_year(financial_year)
    with store.sessions() as session:
        place = place_queries.get_place(session, place_id)
        if place is None:
            raise NotFound(f"there is no place {place_id!r}")
        agencies = [
            AgencyInfo(a.agency_id, a.name, a.agency_type)
            for a in place_queries.agencies(session, place_id)
        ]
        shares = place_queries.shares(session, place_id)
        submissions = count_tables.current_submissions(session, place_id, financial_year)
        rules = count_tables.classification_frame(session, place_id)
        gss_codes = [c.strip() for c in place.gss_codes.split(";") if c.strip()]
        population, population_year, notes = place_population(
            place_queries.populations(session, place_id), gss_codes, start_year
        )
    if sources is not None:
        sources.extend((s.id, s.lines_sha256, s.lines_file) for s in submissions)
    files = [s.lines_file for s in submissions] if with_lines else []
    lines = _lines(store, files)
    # Names, not identifiers: the note is read by people.
    missing = [a.name for a in agencies if a.agency_id not in {s.agency_id for s in submissions}]
    if missing:
        notes.append(f"No {financial_year} return yet from: {', '.join(missing)}.")
    return CountInput(
        place_id=place.place_id,
        place_name=place.name,
        financial_year=financial_year,
        agencies=agencies,
        shares=shares,
        population=population,
        population_year=population_year,
        lines=lines,
        classification_rules=rules,
        notes=notes,
    )


def lines_of(store: Store, files: list[str]) -> pl.LazyFrame:
    """The count's columns of the given line files: for a count of recorded returns."""
    return _lines(store, files)


def _lines(store: Store, files: list[str]) -> pl.LazyFrame:
    frames = [_line_columns(store.lines.scan(name)) for name in files]
    return pl.concat(frames) if frames else pl.LazyFrame(schema=LINE_COLUMNS)


def _line_columns(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The count's columns; one a ledger never had (a cost centre, say) is null."""
    held = set(frame.collect_schema().names())
    return frame.select(
        [
            (pl.col(name) if name in held else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in LINE_COLUMNS.items()
        ]
    )


def place_population(
    rows: list[Population], gss_codes: list[str], start_year: int
) -> tuple[int | None, int | None, list[str]]:
    """The place's population at the mid-year the financial year starts in.

    When that year is missing for any area, the nearest year with figures for every area
    is used, and a note says so: years are never mixed silently.
    """
    by_year: dict[int, dict[str, int]] = {}
    for row in rows:
        if row.gss_code in gss_codes:
            by_year.setdefault(row.year, {})[row.gss_code] = row.population
    complete = sorted(y for y, areas in by_year.items() if set(gss_codes) <= set(areas))
    if not complete:
        return (
            None,
            None,
            ["No population covering every area of the place: spend per head is not shown."],
        )
    year = min(complete, key=lambda y: (abs(y - start_year), -y))
    total = sum(by_year[year][code] for code in gss_codes)
    notes = []
    if year != start_year:
        notes.append(
            f"Population is for mid-{year}, the nearest year held to mid-{start_year}; "
            "spend per head uses it."
        )
    return total, year, notes


def function_by_agency(
    place_id: str, financial_year: str, division: str | None, store: Store
) -> list[tuple[str, int]]:
    """Drill-down: one COFOG division (None for unclassified) split by agency."""
    lines = consolidated_lines(count_input(place_id, financial_year, store))
    code = pl.col("cofog").str.slice(0, 2)
    chosen = lines.filter(code.is_null() if division is None else code == division)
    sums = chosen.group_by("agency_id").agg(pl.col("amount_pence").sum()).collect()
    return sorted(((a, int(p)) for a, p in sums.iter_rows()), key=lambda r: -abs(r[1]))


@dataclass(frozen=True)
class LinePage:
    """Some of the lines of a drill-down, and how many match and their sum."""

    lines: pl.DataFrame
    matching: int
    matching_pence: int


def function_lines(
    place_id: str,
    financial_year: str,
    division: str | None,
    agency_id: str | None,
    store: Store,
    search: str = "",
    offset: int = 0,
    limit: int | None = None,
    every_function: bool = False,
) -> LinePage:
    """Drill-down to the lines (of one division, None for unclassified, or of every
    function), biggest first; `search` finds words in any text column; `limit` None
    gives every line, for a download."""
    data = count_input(place_id, financial_year, store)
    data = CountInput(**{**data.__dict__, "lines": all_columns(store, place_id, financial_year)})
    lines = consolidated_lines(data)
    code = pl.col("cofog").str.slice(0, 2)
    if not every_function:
        lines = lines.filter(code.is_null() if division is None else code == division)
    if agency_id is not None:
        lines = lines.filter(pl.col("agency_id") == agency_id)
    wanted = search.strip().lower()
    if wanted:
        names = lines.collect_schema().names()
        text = [c for c in ("description", "service", "supplier", "expense_type") if c in names]
        found = pl.lit(False)
        for column in text:
            found = found | pl.col(column).str.to_lowercase().str.contains(wanted, literal=True)
        lines = lines.filter(found.fill_null(False))
    chosen = lines.sort(pl.col("amount_pence").abs(), descending=True).collect()
    page = chosen.slice(offset, limit) if limit is not None else chosen
    return LinePage(page, chosen.height, int(chosen["amount_pence"].sum() or 0))


def all_columns(store: Store, place_id: str, financial_year: str) -> pl.LazyFrame:
    with store.sessions() as session:
        submissions = count_tables.current_submissions(session, place_id, financial_year)
    frames = [store.lines.scan(s.lines_file) for s in submissions]
    if not frames:
        return pl.LazyFrame(schema=LINE_COLUMNS)
    return pl.concat(frames, how="diagonal_relaxed")


def line_years(place_id: str, store: Store) -> list[str]:
    """The financial years the place has current returns for, latest first."""
    with store.sessions() as session:
        submissions = count_tables.current_submissions(session, place_id)
    return sorted({s.financial_year for s in submissions}, reverse=True)


def current_lines(place_id: str, financial_year: str, store: Store) -> pl.LazyFrame:
    """Every column of the place's current lines for the year, as the returns gave them:
    for a capability that picks lines by their own words (the estate's premises costs)."""
    return all_columns(store, place_id, financial_year)
