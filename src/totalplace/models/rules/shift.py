"""Budget impact from a cost-of-failure model: what a change in one agency's service
shifts onto every agency, year by year (the partners' Terms of Engagement: "know the
impact of my cut on your services" before the decision).

A change moves the people it touches from one strategy of the model (the service as it
is) to another (the service after the change). Each year the change runs, a new cohort
of that many people starts; each is followed for the model's cycles. An agency's cost in
a year is the sum, over the cohorts started by then, of the difference the model gives
for that cohort's year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from totalplace.cases.rules.appraisal import Schedule, discount_factors

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Shift:
    agencies: list[str]
    by_agency: dict[str, list[float]]  # more cost (+) or less (-), by year from year 0
    present_value: dict[str, float]

    @property
    def years(self) -> int:
        return len(next(iter(self.by_agency.values()), []))

    @property
    def place_present_value(self) -> float:
        return sum(self.present_value.values())


def shifted_costs(
    agencies: Sequence[str],
    now: Floats,
    after: Floats,
    people: float,
    years: int,
    discount_rate: float | None = None,
    schedule: Schedule = (),
) -> Shift:
    """`now` and `after` are (cycles, agencies): each strategy's undiscounted cost per
    person in each cycle (year) after starting. The change runs years 0..years-1."""
    cycles = now.shape[0]
    horizon = years + cycles - 1
    difference = (after - now) * people
    total = np.zeros((horizon, len(agencies)))
    for start in range(years):
        total[start : start + cycles] += difference
    # Costs fall in the year they arise: year y of the table is discounted y years.
    factors = discount_factors(max(horizon - 1, 0), discount_rate, schedule)
    by_agency = {a: [float(v) for v in total[:, i]] for i, a in enumerate(agencies)}
    present = {a: float(np.dot(total[:, i], factors[:horizon])) for i, a in enumerate(agencies)}
    return Shift(list(agencies), by_agency, present)
