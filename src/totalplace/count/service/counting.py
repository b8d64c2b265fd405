"""Count a place: gather its stored lines and reference figures, then apply the rules."""

from __future__ import annotations

import polars as pl

from totalplace.core.context import default_store
from totalplace.core.problems import ImportRejected, Problem
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
from totalplace.places import tables as place_tables
from totalplace.places.tables import Population


class CountError(ValueError):
    """The count cannot be made as asked; the message says why and what to do."""


def count_place(place_id: str, financial_year: str, store: Store | None = None) -> CountResult:
    return count(count_input(place_id, financial_year, default_store(store)))


def count_input(place_id: str, financial_year: str, store: Store) -> CountInput:
    """Everything the count needs for one place and year, gathered from the store."""
    start_year = parse_financial_year(financial_year)
    with store.sessions() as session:
        place = place_tables.get_place(session, place_id)
        if place is None:
            raise ImportRejected([Problem("unknown-place", f"there is no place {place_id!r}")])
        agencies = [
            AgencyInfo(a.agency_id, a.name, a.agency_type)
            for a in place_tables.agencies(session, place_id)
        ]
        shares = place_tables.shares(session, place_id)
        submissions = count_tables.current_submissions(session, place_id, financial_year)
        rules = count_tables.classification_frame(session, place_id)
        gss_codes = [c.strip() for c in place.gss_codes.split(";") if c.strip()]
        population, population_year, notes = place_population(
            place_tables.populations(session, place_id), gss_codes, start_year
        )
    frames = [_line_columns(store.lines.scan(s.lines_file)) for s in submissions]
    lines = pl.concat(frames) if frames else pl.LazyFrame(schema=LINE_COLUMNS)
    missing = [
        a.agency_id for a in agencies if a.agency_id not in {s.agency_id for s in submissions}
    ]
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


def _line_columns(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.select([pl.col(name).cast(dtype) for name, dtype in LINE_COLUMNS.items()])


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


def function_lines(
    place_id: str,
    financial_year: str,
    division: str | None,
    agency_id: str,
    store: Store,
    limit: int = 200,
) -> tuple[pl.DataFrame, int]:
    """Drill-down to the lines: the biggest `limit` lines and how many there are."""
    data = count_input(place_id, financial_year, store)
    data = CountInput(**{**data.__dict__, "lines": _all_columns(store, place_id, financial_year)})
    lines = consolidated_lines(data)
    code = pl.col("cofog").str.slice(0, 2)
    chosen = lines.filter(
        (pl.col("agency_id") == agency_id)
        & (code.is_null() if division is None else code == division)
    ).collect()
    top = chosen.sort(pl.col("amount_pence").abs(), descending=True).head(limit)
    return top, chosen.height


def _all_columns(store: Store, place_id: str, financial_year: str) -> pl.LazyFrame:
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
    return _all_columns(store, place_id, financial_year)
