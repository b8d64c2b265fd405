"""Uncertainty in a business case: any input drawn from a distribution, many times, to
give intervals and, for each agency, the chance that it ends up better off."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from totalplace.cases.rules.appraisal import Case, discount_factors, first_benefit_year

Floats = NDArray[np.float64]
ADJUSTMENTS = ("optimism_bias", "deadweight", "attribution", "displacement", "drop_off")


@dataclass(frozen=True)
class Distribution:
    kind: str  # fixed, uniform, triangular, normal, lognormal, beta, gamma
    params: Mapping[str, float]

    def draw(self, rng: np.random.Generator, n: int) -> Floats:
        p = self.params
        if self.kind == "fixed":
            return np.full(n, p["value"])
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        if self.kind == "triangular":
            return rng.triangular(p["low"], p["mode"], p["high"], n)
        if self.kind == "normal":
            return rng.normal(p["mean"], p["sd"], n)
        if self.kind == "lognormal":
            # Given by the mean and standard deviation of the value itself.
            variance = np.log(1 + (p["sd"] / p["mean"]) ** 2)
            return rng.lognormal(np.log(p["mean"]) - variance / 2, np.sqrt(variance), n)
        if self.kind == "beta":
            return rng.beta(p["alpha"], p["beta"], n)
        if self.kind == "gamma":
            return rng.gamma(p["shape"], p["scale"], n)
        raise ValueError(f"unknown distribution {self.kind!r}")


DISTRIBUTION_PARAMETERS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "beta": ("alpha", "beta"),
    "gamma": ("shape", "scale"),
}


@dataclass
class Interval:
    mean: float
    low: float  # 5th percentile
    high: float  # 95th percentile

    @classmethod
    def of(cls, values: Floats) -> Interval:
        return cls(
            float(values.mean()), float(np.percentile(values, 5)), float(np.percentile(values, 95))
        )


@dataclass
class Simulation:
    draws: int
    npv: Interval
    probability_positive: float
    agencies: dict[str, tuple[Interval, float]]  # agency -> (its NPV, P(better off))


def simulate(
    case: Case, uncertain: Mapping[str, Distribution], draws: int, seed: int = 0
) -> Simulation:
    """Vectorised over draws: one array operation per input, none per draw.

    `uncertain` keys: an adjustment (optimism_bias, deadweight, ...), `costs` or
    `benefits` (a multiplier on all of them), `benefits:AGENCY` / `costs:AGENCY` (a
    multiplier on one agency's), or `costs[N]` / `benefits[N]` (on one entry of the file).
    """
    rng = np.random.default_rng(seed)
    agencies = case.agencies
    index = {a: i for i, a in enumerate(agencies)}
    factors = discount_factors(case.horizon, case.discount_rate, case.schedule)

    def sample(name: str, default: float) -> Floats:
        found = uncertain.get(name)
        return found.draw(rng, draws) if found else np.full(draws, default)

    adjust = {name: sample(name, getattr(case.adjustments, name)) for name in ADJUSTMENTS}
    cost_scale = sample("costs", 1.0)
    benefit_scale = sample("benefits", 1.0)
    agency_costs = np.stack([sample(f"costs:{a}", 1.0) for a in agencies], axis=1)
    agency_benefits = np.stack([sample(f"benefits:{a}", 1.0) for a in agencies], axis=1)

    # Present values by entry of the case file, so one entry can vary on its own.
    cost_lines: dict[int, tuple[int, float]] = {}
    for flow in case.costs:
        agency, present = cost_lines.get(flow.line, (index[flow.agency], 0.0))
        cost_lines[flow.line] = (agency, present + flow.amount * factors[flow.year])
    costs = np.zeros((draws, len(agencies)))
    for line, (agency, present) in cost_lines.items():
        costs[:, agency] += present * sample(f"costs[{line}]", 1.0)
    costs *= agency_costs * ((1 + adjust["optimism_bias"]) * cost_scale)[:, None]

    kept = (1 - adjust["deadweight"]) * (1 - adjust["attribution"]) * (1 - adjust["displacement"])
    start = first_benefit_year(case)
    benefit_lines: dict[int, tuple[int, dict[int, float]]] = {}
    for flow in case.benefits:
        agency, by_since = benefit_lines.setdefault(flow.line, (index[flow.agency], {}))
        since = flow.year - start
        by_since[since] = by_since.get(since, 0.0) + flow.amount * factors[flow.year]
    remaining = 1 - adjust["drop_off"]
    powers: dict[int, Floats] = {}
    benefits = np.zeros((draws, len(agencies)))
    for line, (agency, by_since) in benefit_lines.items():
        stream = np.zeros(draws)
        for since, present in by_since.items():
            if since not in powers:
                powers[since] = remaining**since
            stream += present * powers[since]
        benefits[:, agency] += stream * sample(f"benefits[{line}]", 1.0)
    benefits *= agency_benefits * (kept * benefit_scale)[:, None]

    net = benefits - costs
    total = net.sum(axis=1)
    return Simulation(
        draws=draws,
        npv=Interval.of(total),
        probability_positive=float((total > 0).mean()),
        agencies={
            a: (Interval.of(net[:, i]), float((net[:, i] >= 0).mean())) for a, i in index.items()
        },
    )
