"""Budget impact, for the partners' Terms of Engagement ("know the impact of my cut on
your services"): a change in one agency's spending, and the links that carry part of it
onto others, shown as costs by agency and year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from totalplace.cases.rules.appraisal import Schedule, discount_factors


@dataclass(frozen=True)
class Change:
    agency: str
    first_year: int
    last_year: int
    saving: float  # pounds a year saved by the agency making the change (negative: spends more)


@dataclass(frozen=True)
class Link:
    """Each pound saved by `source` adds `per_pound` to `target`'s costs `lag` years later,
    for `duration` years (e.g. fewer day-centre places, more emergency admissions)."""

    source: str
    target: str
    per_pound: float
    lag: int = 0
    duration: int = 1
    evidence: str = ""


@dataclass
class Impact:
    years: int
    by_agency: dict[str, list[float]]  # net cost (+) or saving (-) by year
    present_value: dict[str, float]

    @property
    def place_present_value(self) -> float:
        """Net cost to the place: negative when the change saves the place money."""
        return sum(self.present_value.values())


def budget_impact(
    change: Change,
    links: Sequence[Link],
    discount_rate: float | None = None,
    schedule: Schedule = (),
) -> Impact:
    """The change's own saving, and the costs its links carry onto other agencies, year by
    year, discounted as the Green Book does. Only links from the changing agency apply:
    a cost shifted onto another agency is not assumed to shift again."""
    direct = [k for k in links if k.source == change.agency]
    horizon = change.last_year + max((k.lag + k.duration - 1 for k in direct), default=0)
    agencies = sorted({change.agency, *(k.target for k in direct)})
    costs = {a: [0.0] * (horizon + 1) for a in agencies}
    for year in range(change.first_year, change.last_year + 1):
        costs[change.agency][year] -= change.saving
        for link in direct:
            for step in range(link.duration):
                costs[link.target][year + link.lag + step] += change.saving * link.per_pound
    factors = discount_factors(horizon, discount_rate, schedule)
    present = {a: float(sum(v * factors[t] for t, v in enumerate(costs[a]))) for a in agencies}
    return Impact(horizon, costs, present)
