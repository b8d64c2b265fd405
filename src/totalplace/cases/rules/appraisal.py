"""Invest to save, appraised as HM Treasury's Green Book and local cost-benefit practice
do it: real prices, the declining discount-rate schedule, optimism bias on costs, and
deadweight, attribution, displacement and drop-off on benefits; then who pays and who
saves, agency by agency and year by year.

Year 0 is the case's first financial year. Flows are in real prices of the price base
year (nominal flows are deflated by the case's deflator series first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]

Schedule = tuple[tuple[int, float], ...]  # (last year a rate applies to, rate)


@dataclass(frozen=True)
class Flow:
    agency: str
    year: int  # years from the case's first year (0, 1, ...)
    amount: float  # pounds, real prices; costs and benefits both positive
    capital: bool = False
    cashable: bool = True
    line: int = 0  # which entry of the case file it came from, for uncertainty by line


@dataclass(frozen=True)
class Adjustments:
    optimism_bias: float = 0.0  # uplift on costs, e.g. 0.2 for 20%
    deadweight: float = 0.0  # share of benefits that would have happened anyway
    attribution: float = 0.0  # share of benefits due to other interventions
    displacement: float = 0.0  # share of benefits displaced from elsewhere
    drop_off: float = 0.0  # yearly fall in benefits after their first year


@dataclass(frozen=True)
class Case:
    name: str
    costs: Sequence[Flow]
    benefits: Sequence[Flow]
    adjustments: Adjustments = Adjustments()
    discount_rate: float | None = None  # a fixed rate, or None to use `schedule`
    schedule: Schedule = ()  # the Green Book's declining rates (shipped reference data)

    @property
    def agencies(self) -> list[str]:
        return sorted({f.agency for f in (*self.costs, *self.benefits)})

    @property
    def payers(self) -> list[str]:
        return sorted({f.agency for f in self.costs if f.amount > 0})

    @property
    def horizon(self) -> int:
        return max((f.year for f in (*self.costs, *self.benefits)), default=0)


def discount_factors(years: int, rate: float | None = None, schedule: Schedule = ()) -> Floats:
    """Factors for years 0..years: a fixed `rate`, or a declining schedule such as the
    Green Book's, where each year is discounted at the rate for that year."""
    if rate is None and not schedule:
        raise ValueError("give a discount rate or a schedule of rates")
    rates = np.empty(years + 1)
    for year in range(years + 1):
        rates[year] = rate if rate is not None else next(r for last, r in schedule if year <= last)
    growth = np.cumprod(1.0 + rates[1:])
    return np.concatenate([[1.0], 1.0 / growth])


def benefit_factor(adjustments: Adjustments, years_since_start: NDArray[np.int64]) -> Floats:
    """What is left of a gross benefit once the counterfactual and others are allowed for."""
    a = adjustments
    kept = (1 - a.deadweight) * (1 - a.attribution) * (1 - a.displacement)
    return np.asarray(kept * (1 - a.drop_off) ** np.maximum(years_since_start, 0), dtype=float)


@dataclass
class AgencyResult:
    agency: str
    pv_costs: float
    pv_benefits: float
    pv_cashable: float

    @property
    def npv(self) -> float:
        return self.pv_benefits - self.pv_costs


@dataclass
class Appraisal:
    name: str
    years: int
    discount: Floats
    pv_costs: float
    pv_benefits: float
    pv_cashable: float
    payback_year: int | None
    agencies: list[AgencyResult]
    # agency -> yearly net flow (benefits less costs, real, adjusted, undiscounted)
    pays_and_saves: dict[str, list[float]] = field(default_factory=dict)

    @property
    def npv(self) -> float:
        return self.pv_benefits - self.pv_costs

    @property
    def bcr(self) -> float | None:
        return None if self.pv_costs == 0 else self.pv_benefits / self.pv_costs


def adjusted_flows(case: Case) -> tuple[list[tuple[Flow, float]], list[tuple[Flow, float]]]:
    """Each cost with optimism bias, each benefit with its adjustments (real pounds)."""
    costs = [(f, f.amount * (1 + case.adjustments.optimism_bias)) for f in case.costs]
    since = np.array([f.year - first_benefit_year(case) for f in case.benefits], dtype=np.int64)
    kept = benefit_factor(case.adjustments, since)
    benefits = [(f, float(f.amount * k)) for f, k in zip(case.benefits, kept, strict=True)]
    return costs, benefits


def first_benefit_year(case: Case) -> int:
    """Drop-off runs from the first year in which the case yields any benefit."""
    return min((f.year for f in case.benefits), default=0)


def appraise(case: Case) -> Appraisal:
    years = case.horizon
    factors = discount_factors(years, case.discount_rate, case.schedule)
    costs, benefits = adjusted_flows(case)
    net_by_year = np.zeros(years + 1)
    per_agency: dict[str, list[float]] = {a: [0.0] * (years + 1) for a in case.agencies}
    results = {a: AgencyResult(a, 0.0, 0.0, 0.0) for a in case.agencies}
    for flow, amount in costs:
        results[flow.agency].pv_costs += amount * factors[flow.year]
        net_by_year[flow.year] -= amount
        per_agency[flow.agency][flow.year] -= amount
    for flow, amount in benefits:
        present = amount * factors[flow.year]
        results[flow.agency].pv_benefits += present
        if flow.cashable:
            results[flow.agency].pv_cashable += present
        net_by_year[flow.year] += amount
        per_agency[flow.agency][flow.year] += amount
    cumulative = np.cumsum(net_by_year * factors)
    return Appraisal(
        name=case.name,
        years=years,
        discount=factors,
        pv_costs=sum(r.pv_costs for r in results.values()),
        pv_benefits=sum(r.pv_benefits for r in results.values()),
        pv_cashable=sum(r.pv_cashable for r in results.values()),
        payback_year=payback(cumulative),
        agencies=[results[a] for a in case.agencies],
        pays_and_saves=per_agency,
    )


def payback(cumulative: Floats) -> int | None:
    """The first year from which the discounted net position stays at or above zero."""
    below = np.flatnonzero(cumulative < -1e-9)
    if len(below) == 0:
        return 0
    year = int(below[-1]) + 1
    return year if year < len(cumulative) else None


def deflate(
    amount: float, year_label: str, base_label: str, deflator: Mapping[str, float]
) -> float:
    """Nominal pounds of `year_label` in real pounds of the price base year."""
    return amount * deflator[base_label] / deflator[year_label]
