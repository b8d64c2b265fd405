"""Journey files (docs/formats/journeys.md): CSV, one row per step. Names are replaced by
pseudonyms as the file is read; costs are priced from a unit-cost id or given in pounds,
and moved to one price year."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from totalplace.core.problems import ImportRejected, Problem, ProblemList
from totalplace.core.spreadsheets import decode
from totalplace.core.years import is_financial_year
from totalplace.journeys.rules.journeys import OUTCOMES, Journey, Step
from totalplace.journeys.rules.unitcosts import PriceYearError, UnitCost, uprate

REQUIRED = ("journey_id", "person", "step", "agency", "service", "outcome")
COLUMNS = (
    "journey_id",
    "person",
    "step",
    "agency",
    "service",
    "channel",
    "day",
    "date",
    "wait_days",
    "outcome",
    "cost_gbp",
    "unit_cost_id",
    "quantity",
    "price_year",
    "cohort_per_year",
)


def pseudonym(journey_id: str, person: str) -> str:
    """The same person in the same journey always gets the same pseudonym; the name
    cannot be read back from it."""
    if person.lower().startswith("person-"):
        return person
    digest = hashlib.sha256(f"{journey_id}\x00{person.strip().lower()}".encode()).hexdigest()
    return f"person-{digest[:8]}"


def read_journeys(
    path: Path,
    library: Mapping[str, UnitCost],
    deflator: Mapping[str, float],
    price_year: str | None = None,
) -> list[Journey]:
    if not path.exists():
        raise ImportRejected([Problem("file-not-found", f"{path} does not exist", file=path.name)])
    return parse_journeys(path.read_bytes(), path.name, library, deflator, price_year)


def parse_journeys(
    content: bytes,
    name: str,
    library: Mapping[str, UnitCost],
    deflator: Mapping[str, float],
    price_year: str | None = None,
) -> list[Journey]:
    """Journeys from a journey file's bytes; all or nothing, names gone on entry."""
    reader = csv.DictReader(io.StringIO(decode(content)))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    problems = ProblemList()
    for column in REQUIRED:
        if column not in header:
            problems.add(
                Problem(
                    "missing-column",
                    f"there is no {column!r} column",
                    file=name,
                    row=1,
                    column=column,
                    fix=f"Add a {column!r} column to the header row (docs/formats/journeys.md).",
                )
            )
    if "cost_gbp" not in header and "unit_cost_id" not in header:
        problems.add(
            Problem(
                "missing-column",
                "there is neither a cost_gbp nor a unit_cost_id column",
                file=name,
                row=1,
                column="cost_gbp",
                fix="Add a cost_gbp column with each step's cost in pounds, or a unit_cost_id "
                "column naming a unit cost from the library (docs/formats/journeys.md).",
            )
        )
    problems.raise_if_any()
    rows = [
        (n, {k: (v or "").strip() for k, v in r.items() if k})
        for n, r in enumerate(reader, start=2)
    ]
    rows = [(n, r) for n, r in rows if any(r.values())]
    target = price_year or _common_year(rows, library)
    by_journey: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in rows:
        by_journey.setdefault(row.get("journey_id", ""), []).append((number, row))
    journeys = []
    for journey_id, items in by_journey.items():
        steps, firsts = [], None
        for number, row in items:
            step = _step(row, number, name, library, deflator, target, problems)
            if step is not None:
                steps.append(step)
                firsts = firsts or row
        if firsts is None:
            continue
        cohort = _number(
            firsts.get("cohort_per_year") or "0", name, items[0][0], "cohort_per_year", problems
        )
        journeys.append(
            Journey(
                journey_id,
                pseudonym(journey_id, firsts.get("person", "")),
                _days_from_dates(steps, items),
                cohort or 0.0,
                target,
            )
        )
    problems.raise_if_any()
    return journeys


def _common_year(
    rows: list[tuple[int, dict[str, str]]], library: Mapping[str, UnitCost]
) -> str | None:
    years = {r["price_year"] for _, r in rows if r.get("price_year")}
    years |= {
        library[r["unit_cost_id"]].price_year for _, r in rows if r.get("unit_cost_id") in library
    }
    return max(years) if years else None  # latest, so older costs are uprated


def _number(text: str, file: str, row: int, column: str, problems: ProblemList) -> float | None:
    try:
        value = float(text.replace(",", "").replace("£", ""))
    except ValueError:
        problems.add(
            Problem("not-a-number", f"{text!r} is not a number", file=file, row=row, column=column)
        )
        return None
    if value < 0:
        problems.add(
            Problem(
                "out-of-range",
                f"{text} is negative",
                file=file,
                row=row,
                column=column,
                fix="Write a number of zero or more.",
            )
        )
        return None
    return value


def _step(
    row: dict[str, str],
    number: int,
    file: str,
    library: Mapping[str, UnitCost],
    deflator: Mapping[str, float],
    target: str | None,
    problems: ProblemList,
) -> Step | None:
    def bad(code: str, column: str, message: str, fix: str | None = None) -> None:
        problems.add(Problem(code, message, file=file, row=number, column=column, fix=fix))

    for column in REQUIRED:
        if not row.get(column):
            bad("blank-value", column, f"{column} is blank")
            return None
    outcome = row["outcome"].lower()
    if outcome not in OUTCOMES:
        bad(
            "out-of-range",
            "outcome",
            f"{row['outcome']!r} is not an outcome",
            f"Write one of {', '.join(OUTCOMES)}.",
        )
        return None
    cost, year = 0.0, row.get("price_year") or None
    if row.get("unit_cost_id"):
        unit = library.get(row["unit_cost_id"])
        if unit is None:
            bad(
                "out-of-range",
                "unit_cost_id",
                f"{row['unit_cost_id']!r} is not in the unit-cost library",
                "Use an id from `totalplace unitcost search`, or give cost_gbp.",
            )
            return None
        quantity = _number(row.get("quantity") or "1", file, number, "quantity", problems)
        cost, year = unit.cost_gbp * (quantity or 0.0), unit.price_year
    elif row.get("cost_gbp"):
        cost = _number(row["cost_gbp"], file, number, "cost_gbp", problems) or 0.0
    if year and not is_financial_year(year):
        bad("bad-financial-year", "price_year", f"{year!r} is not a financial year")
        return None
    if year and target and year != target:
        try:
            cost = uprate(cost, year, target, deflator)
        except PriceYearError as exc:
            bad("out-of-range", "price_year", str(exc))
            return None
    day = _number(row.get("day") or "0", file, number, "day", problems) or 0.0
    wait = _number(row.get("wait_days") or "0", file, number, "wait_days", problems) or 0.0
    step_number = _number(row["step"], file, number, "step", problems) or 0.0
    return Step(
        int(step_number),
        row["agency"],
        row["service"],
        row.get("channel", ""),
        int(day),
        int(wait),
        outcome,
        cost,
    )


def _days_from_dates(steps: list[Step], items: list[tuple[int, dict[str, str]]]) -> list[Step]:
    """Where steps carry dates, days count from the first date."""
    dates = [row.get("date") for _, row in items]
    if not all(dates):
        return steps
    try:
        parsed = [date.fromisoformat(str(d)) for d in dates]
    except ValueError:
        return steps
    first = min(parsed)
    return [
        Step(
            s.number,
            s.agency,
            s.service,
            s.channel,
            (d - first).days,
            s.wait_days,
            s.outcome,
            s.cost_gbp,
        )
        for s, d in zip(steps, parsed, strict=False)
    ]


def write_journeys(journeys: list[Journey], path: Path) -> None:
    """One row per step, pseudonymised, costs in pounds of the journeys' price year."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "journey_id",
                "person",
                "step",
                "agency",
                "service",
                "channel",
                "day",
                "wait_days",
                "outcome",
                "cost_gbp",
                "price_year",
                "cohort_per_year",
            ]
        )
        for j in journeys:
            for s in j.steps:
                writer.writerow(
                    [
                        j.journey_id,
                        j.person,
                        s.number,
                        s.agency,
                        s.service,
                        s.channel,
                        s.day,
                        s.wait_days,
                        s.outcome,
                        f"{s.cost_gbp:.2f}",
                        j.price_year or "",
                        j.cohort_per_year,
                    ]
                )
