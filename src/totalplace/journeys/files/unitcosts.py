"""The unit-cost library shipped with totalplace (core/data/unit_costs.csv, its source in
core/data/SOURCE.md), read into the journeys' own unit-cost type."""

from __future__ import annotations

import csv
import io
from functools import cache

from totalplace.core.problems import Problem, ProblemList
from totalplace.core.reference import rows
from totalplace.core.spreadsheets import decode
from totalplace.core.years import is_financial_year
from totalplace.journeys.rules.unitcosts import UnitCost


@cache
def unit_costs() -> dict[str, UnitCost]:
    return {
        r["unit_cost_id"]: UnitCost(
            r["unit_cost_id"],
            r["item"],
            r["unit"],
            float(r["cost_gbp"]),
            r["agency_type"],
            r["price_year"],
            r["source"],
        )
        for r in rows("unit_costs.csv")
    }


def read_unit_costs(content: bytes, file: str) -> dict[str, UnitCost]:
    """A place's own unit costs: the shipped library's columns, checked row by row; all or
    nothing, every problem at its row and column."""
    problems = ProblemList()
    found: dict[str, UnitCost] = {}
    reader = csv.DictReader(io.StringIO(decode(content)))
    for number, row in enumerate(reader, start=2):
        try:
            cost = float(row.get("cost_gbp") or "")
        except ValueError:
            problems.add(
                Problem(
                    "not-a-number",
                    f"{row.get('cost_gbp')!r} is not a number",
                    file=file,
                    row=number,
                    column="cost_gbp",
                )
            )
            continue
        if not row.get("unit_cost_id") or not is_financial_year(row.get("price_year") or ""):
            problems.add(
                Problem(
                    "blank-value",
                    "unit_cost_id and price_year (like 2013-14) are needed",
                    file=file,
                    row=number,
                    column="price_year",
                )
            )
            continue
        found[row["unit_cost_id"]] = UnitCost(
            row["unit_cost_id"],
            row.get("item", ""),
            row.get("unit", ""),
            cost,
            row.get("agency_type", ""),
            row["price_year"],
            row.get("source", file),
        )
    problems.raise_if_any()
    return found
