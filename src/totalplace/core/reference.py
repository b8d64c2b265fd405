"""The reference data packaged with totalplace (see data/SOURCE.md)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path

from totalplace.count.rules.classification import Cofog, Keyword, Reference, Sercop
from totalplace.journeys.rules.unitcosts import UnitCost


def data_path(name: str) -> Path:
    return Path(str(resources.files("totalplace.core") / "data" / name))


def _rows(name: str) -> list[dict[str, str]]:
    with data_path(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def reference() -> Reference:
    cofog = {r["code"]: Cofog(r["code"], r["level"], r["label"]) for r in _rows("cofog.csv")}
    sercop = {
        r["code"]: Sercop(r["code"], r["rs_line"], r["label"], r["cofog"])
        for r in _rows("sercop.csv")
    }
    keywords = tuple(
        Keyword(r["keyword"], r["cofog"], r["sercop"]) for r in _rows("classification_keywords.csv")
    )
    return Reference(cofog=cofog, sercop=sercop, keywords=keywords)


@cache
def discount_schedule() -> tuple[tuple[int, float], ...]:
    """The Green Book's declining discount rates: (last year the rate applies to, rate)."""
    rows = _rows("green_book_discount_rates.csv")
    return tuple((int(r["to_year"]) if r["to_year"] else 10**9, float(r["rate"])) for r in rows)


@cache
def gdp_deflator() -> dict[str, float]:
    """Financial year -> GDP deflator index (1989-90 = 100)."""
    return {r["financial_year"]: float(r["index"]) for r in _rows("gdp_deflator.csv")}


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
        for r in _rows("unit_costs.csv")
    }
