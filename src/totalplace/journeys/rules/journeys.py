"""Customer journeys: a real (pseudonymised) person's path through the public services
of a place, step by step, and what it costs each agency, once and for a yearly cohort."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

OUTCOMES = ("resolved", "referred", "dropped", "repeated")


@dataclass(frozen=True)
class Step:
    number: int
    agency: str
    service: str
    channel: str
    day: int  # days since the journey began
    wait_days: int
    outcome: str  # resolved, referred, dropped or repeated
    cost_gbp: float  # in the journey's price year


@dataclass(frozen=True)
class Journey:
    journey_id: str
    person: str  # a pseudonym, never a name
    steps: Sequence[Step]
    cohort_per_year: float = 0.0
    price_year: str | None = None


@dataclass
class JourneySummary:
    journey_id: str
    contacts: int
    agencies: int
    hand_offs: int  # steps where the next contact is with another agency
    dead_ends: int  # steps that ended with the person dropped
    loops: int  # contacts with a service the person had already been to
    days: int  # first contact to the end of the last wait
    waiting_days: int
    cost_gbp: float
    cost_by_agency: dict[str, float] = field(default_factory=dict)
    annual_cost_by_agency: dict[str, float] = field(default_factory=dict)


def summarise(journey: Journey) -> JourneySummary:
    steps = sorted(journey.steps, key=lambda s: (s.day, s.number))
    seen: Counter[tuple[str, str]] = Counter()
    loops = 0
    for step in steps:
        key = (step.agency, step.service)
        loops += seen[key] > 0
        seen[key] += 1
    by_agency: dict[str, float] = {}
    for step in steps:
        by_agency[step.agency] = by_agency.get(step.agency, 0.0) + step.cost_gbp
    hand_offs = sum(1 for a, b in itertools.pairwise(steps) if a.agency != b.agency)
    days = (max(s.day + s.wait_days for s in steps) - steps[0].day) if steps else 0
    return JourneySummary(
        journey_id=journey.journey_id,
        contacts=len(steps),
        agencies=len({s.agency for s in steps}),
        hand_offs=hand_offs,
        dead_ends=sum(1 for s in steps if s.outcome == "dropped"),
        loops=loops,
        days=days,
        waiting_days=sum(s.wait_days for s in steps),
        cost_gbp=sum(by_agency.values()),
        cost_by_agency=dict(sorted(by_agency.items(), key=lambda kv: -kv[1])),
        annual_cost_by_agency={a: c * journey.cohort_per_year for a, c in by_agency.items()},
    )
