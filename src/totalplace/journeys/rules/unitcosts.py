"""Unit costs: what one contact with a service costs the agency that bears it, in the
prices of a stated year, uprated between years by the GDP deflator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from totalplace.core.problems import TotalplaceError


class PriceYearError(TotalplaceError, ValueError):
    """Costs cannot be moved between these price years; the message says why."""

    code: ClassVar[str] = "cannot-uprate"


@dataclass(frozen=True)
class UnitCost:
    unit_cost_id: str
    item: str
    unit: str
    cost_gbp: float
    agency_type: str
    price_year: str
    source: str


def uprate(amount: float, from_year: str, to_year: str, deflator: Mapping[str, float]) -> float:
    """Pounds of `from_year` in the prices of `to_year`."""
    if from_year == to_year:
        return amount
    missing = [y for y in (from_year, to_year) if y not in deflator]
    if missing:
        first, last = min(deflator), max(deflator)
        raise PriceYearError(
            f"the GDP deflator held runs from {first} to {last}, so it cannot move costs "
            f"from {from_year} to {to_year}; give costs in one price year, or add your own "
            "deflator index for " + " and ".join(missing)
        )
    return amount * deflator[to_year] / deflator[from_year]
