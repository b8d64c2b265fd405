"""State-transition models of the cost of failure: a cohort Markov model (and the same
model run person by person), with costs that fall on named agencies and outcomes such
as years out of custody or life-years, for several strategies side by side.

Conventions (all settable in the model file, docs/formats/model.md):
- transition matrices may change by phase (`until` a cycle) and may use `cycle` and the
  model's parameters; an entry "C" is the complement, one minus the rest of its row;
- each cycle's state costs and outcomes are counted on the population at the end of
  the cycle (`count_at: end`, as in Briggs, Claxton and Sculpher's worked examples) or
  at its start, optionally with the half-cycle correction;
- discounting counts the first cycle as year 1 (`discount_from: 1`) or year 0.
Every array carries the probabilistic draws as its first axis: one draw is the
deterministic model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from totalplace.core.problems import TotalplaceError
from totalplace.models.rules.expressions import evaluate, names_in

Floats = NDArray[np.float64]
COMPLEMENT = "C"


class ModelError(TotalplaceError, ValueError):
    """A model that cannot be run as written; `where` names the field."""

    code: ClassVar[str] = "bad-model"

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}", field=where)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Phase:
    matrix: Sequence[Sequence[str | float]]
    until: int | None = None  # last cycle of the phase (counting from 1); None: the rest
    costs: Mapping[str, Mapping[str, str | float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Strategy:
    name: str
    phases: Sequence[Phase]


@dataclass(frozen=True)
class Model:
    states: Sequence[str]
    start: Mapping[str, float]
    cycles: int
    strategies: Sequence[Strategy]
    costs: Mapping[str, Mapping[str, str | float]]  # state -> agency -> cost per cycle
    outcomes: Mapping[str, Mapping[str, str | float]]  # outcome -> state -> value per cycle
    cycle_years: float = 1.0
    discount_costs: float = 0.035
    discount_outcomes: float = 0.035
    discount_from: int = 1
    count_at: str = "end"  # end or start
    half_cycle: bool = False

    @property
    def agencies(self) -> list[str]:
        names = {a for by_agency in self.costs.values() for a in by_agency}
        for strategy in self.strategies:
            for phase in strategy.phases:
                names |= {a for by_agency in phase.costs.values() for a in by_agency}
        return sorted(names)


@dataclass
class StrategyResult:
    name: str
    costs: Floats  # (draws, agencies), discounted
    outcomes: Floats  # (draws, outcomes), discounted
    trace: Floats  # (cycles + 1, states), the mean over draws
    yearly: Floats | None = None  # (cycles, agencies): undiscounted cost per cycle, mean


@dataclass
class ModelResult:
    agencies: list[str]
    outcomes: list[str]
    strategies: list[StrategyResult]

    def total_cost(self, index: int) -> Floats:
        return np.asarray(self.strategies[index].costs.sum(axis=1))


def _row(values: Sequence[Any], draws: int, where: str) -> Floats:
    """One row of a transition matrix, the complement filled in."""
    complement = [i for i, v in enumerate(values) if isinstance(v, str) and v == COMPLEMENT]
    if len(complement) > 1:
        raise ModelError(where, 'a row may have one complement entry ("C") at most')
    row = np.zeros((draws, len(values)))
    for i, value in enumerate(values):
        if i not in complement:
            row[:, i] = np.broadcast_to(value, (draws,))
    if complement:
        row[:, complement[0]] = 1.0 - row.sum(axis=1)
    return row


def transition_matrix(
    phase: Phase, states: Sequence[str], params: Mapping[str, Any], draws: int, where: str
) -> Floats:
    """(draws, states, states), checked: probabilities in [0, 1], rows adding to 1."""
    matrix = np.empty((draws, len(states), len(states)))
    for i, row in enumerate(phase.matrix):
        here = f"{where}.matrix[{i}]"
        values = [v if isinstance(v, str) and v == COMPLEMENT else evaluate(v, params) for v in row]
        matrix[:, i, :] = _row(values, draws, here)
        if np.any(matrix[:, i, :] < -1e-12) or np.any(matrix[:, i, :] > 1 + 1e-12):
            raise ModelError(
                here,
                f"the row from {states[i]!r} has a probability outside 0 "
                "to 1 (for some parameter values)",
            )
        if np.any(np.abs(matrix[:, i, :].sum(axis=1) - 1.0) > 1e-9):
            raise ModelError(
                here,
                f"the row from {states[i]!r} does not add up to 1; use "
                '"C" for the entry that makes it so',
            )
    return matrix


def _phase_for(strategy: Strategy, cycle: int) -> tuple[int, Phase]:
    for number, phase in enumerate(strategy.phases):
        if phase.until is None or cycle <= phase.until:
            return number, phase
    raise ModelError(f"strategies.{strategy.name}", f"no phase covers cycle {cycle}")


def _state_costs(
    model: Model, phase: Phase, params: Mapping[str, Any], draws: int, agencies: list[str]
) -> Floats:
    costs = np.zeros((draws, len(model.states), len(agencies)))
    for source in (model.costs, phase.costs):  # a phase's costs add to the model's
        for state, by_agency in source.items():
            s = list(model.states).index(state)
            for agency, value in by_agency.items():
                costs[:, s, agencies.index(agency)] += np.broadcast_to(
                    evaluate(value, params), (draws,)
                )
    return costs


def _outcome_values(model: Model, params: Mapping[str, Any], draws: int) -> Floats:
    values = np.zeros((draws, len(model.states), len(model.outcomes)))
    for o, (_name, by_state) in enumerate(model.outcomes.items()):
        for state, value in by_state.items():
            values[:, list(model.states).index(state), o] = np.broadcast_to(
                evaluate(value, params), (draws,)
            )
    return values


def _discount(rate: float, model: Model, cycle: int) -> float:
    years = (cycle - 1 + model.discount_from) * model.cycle_years
    return float((1.0 + rate) ** -years)


def run_cohort(model: Model, params: Mapping[str, Any], draws: int = 1) -> ModelResult:
    """The cohort model, for every draw of the parameters at once.

    Populations are held state by state (states, draws) so that each transition is one
    contiguous multiply-add; occupancy is summed with its discount factors and priced
    once per phase, not once per cycle.
    """
    agencies = model.agencies
    start = np.array([model.start.get(s, 0.0) for s in model.states], dtype=float)
    outcome_values = _outcome_values(model, params, draws)
    results = []
    for strategy in model.strategies:
        where = f"strategies.{strategy.name}"
        # Parsing is dear inside the loop: decide once which phases change by cycle.
        dynamic = [_uses_cycle(phase) for phase in strategy.phases]
        cache: dict[int, tuple[Transitions, Floats]] = {}
        population = np.repeat(start[:, None], draws, axis=1)
        trace = [population.mean(axis=1)]
        costs = np.zeros((draws, len(agencies)))
        occupied_for_costs: dict[int, Floats] = {}
        occupied_for_outcomes = np.zeros_like(population)
        per_cycle: list[Floats] = []
        for cycle in range(1, model.cycles + 1):
            number, phase = _phase_for(strategy, cycle)
            if number not in cache or dynamic[number]:
                values = {**params, "cycle": float(cycle)}
                matrix = transition_matrix(
                    phase, model.states, values, draws, f"{where}.phases[{number}]"
                )
                if number in cache:  # price what the phase's old costs covered
                    costs += _priced(occupied_for_costs.pop(number), cache[number][1])
                cache[number] = (
                    Transitions.of(matrix),
                    _state_costs(model, phase, values, draws, agencies),
                )
            after = cache[number][0].step(population)
            counted = _counted(model, population, after)
            if draws == 1:  # year-by-year costs, for turning a model into a business case
                per_cycle.append(_priced(counted, cache[number][1])[0])
            weight = occupied_for_costs.setdefault(number, np.zeros_like(population))
            weight += counted * _discount(model.discount_costs, model, cycle)
            occupied_for_outcomes += counted * _discount(model.discount_outcomes, model, cycle)
            population = after
            trace.append(population.mean(axis=1))
        for number, weight in occupied_for_costs.items():
            costs += _priced(weight, cache[number][1])
        outcomes = np.einsum("sd,dso->do", occupied_for_outcomes, outcome_values)
        results.append(
            StrategyResult(strategy.name, costs, outcomes, np.array(trace), np.array(per_cycle))
        )
    return ModelResult(agencies, list(model.outcomes), results)


def _priced(occupancy: Floats, state_costs: Floats) -> Floats:
    """(states, draws) discounted occupancy times (draws, states, agencies) costs."""
    return np.asarray(np.einsum("sd,dsa->da", occupancy, state_costs))


@dataclass(frozen=True)
class Transitions:
    """A phase's transitions, kept only where some draw has a probability: cost-of-failure
    models are sparse (a state leads to a few others)."""

    sources: NDArray[np.int64]
    targets: NDArray[np.int64]
    probabilities: Floats  # (moves, draws), contiguous per move

    @classmethod
    def of(cls, matrix: Floats) -> Transitions:
        moves = np.argwhere(np.any(matrix != 0.0, axis=0))
        sources, targets = moves[:, 0], moves[:, 1]
        return cls(sources, targets, np.ascontiguousarray(matrix[:, sources, targets].T))

    def step(self, population: Floats) -> Floats:
        """One cycle: population (states, draws) to the next cycle's."""
        after = np.zeros_like(population)
        for source, target, probability in zip(
            self.sources, self.targets, self.probabilities, strict=True
        ):
            after[target] += population[source] * probability
        return after


def _counted(model: Model, before: Floats, after: Floats) -> Floats:
    if model.half_cycle:
        return (before + after) / 2.0
    return after if model.count_at == "end" else before


def _uses_cycle(phase: Phase) -> bool:
    """Whether a phase's matrix or costs change with the cycle number (then they are
    evaluated each cycle; otherwise once)."""
    texts = [v for row in phase.matrix for v in row if isinstance(v, str) and v != COMPLEMENT]
    texts += [v for by in phase.costs.values() for v in by.values() if isinstance(v, str)]
    return any("cycle" in names_in(t) for t in texts)


@dataclass(frozen=True)
class _Moves:
    """Per state, its possible next states and their cumulative probabilities, padded."""

    targets: NDArray[np.int64]  # (states, width)
    cumulative: Floats  # (states, width)

    @classmethod
    def of(cls, matrix: Floats) -> _Moves:
        states = matrix.shape[0]
        width = max(1, int((matrix > 0).sum(axis=1).max()))
        targets = np.zeros((states, width), dtype=np.int64)
        cumulative = np.ones((states, width))
        for s in range(states):
            found = np.flatnonzero(matrix[s] > 0)
            targets[s, : len(found)] = found
            targets[s, len(found) :] = found[-1] if len(found) else s
            cumulative[s, : len(found)] = np.cumsum(matrix[s, found])
        cumulative[:, -1] = np.inf  # rounding never leaves anyone without a next state
        return cls(targets, cumulative)

    def next(self, current: NDArray[np.int64], draws: Floats) -> NDArray[np.int64]:
        """Each person's next state: the first of their state's few possible next states
        whose cumulative probability passes their draw. One gather and compare per
        possible next state, never a people-by-states table."""
        width = self.targets.shape[1]
        index = np.zeros(len(current), dtype=np.int64)
        for k in range(width - 1):  # the last column always catches the rest
            index += draws >= self.cumulative[:, k][current]
        return np.asarray(self.targets.ravel()[current * width + index])


@dataclass
class Microsimulation:
    costs: Floats  # (agencies,), mean per person, discounted
    outcomes: Floats  # (outcomes,), mean per person, discounted
    entries: dict[str, Floats]  # state -> share of people entering it 0, 1, 2, 3, >3 times


def run_individuals(
    model: Model, params: Mapping[str, Any], strategy_index: int, people: int, seed: int = 0
) -> Microsimulation:
    """The same model person by person: one vectorised step per cycle over everyone."""
    rng = np.random.default_rng(seed)
    strategy = model.strategies[strategy_index]
    agencies = model.agencies
    states = len(model.states)
    start = np.array([model.start.get(s, 0.0) for s in model.states], dtype=float)
    current = rng.choice(states, size=people, p=start / start.sum())
    entries = np.zeros((people, states), dtype=np.int16)
    entries[np.arange(people), current] = 1
    outcome_values = _outcome_values(model, params, 1)[0]
    costs = np.zeros(len(agencies))
    outcomes = np.zeros(len(model.outcomes))
    cumulative: dict[int, tuple[_Moves, Floats]] = {}
    dynamic = [_uses_cycle(phase) for phase in strategy.phases]
    for cycle in range(1, model.cycles + 1):
        number, phase = _phase_for(strategy, cycle)
        if number not in cumulative or dynamic[number]:
            values = {**params, "cycle": float(cycle)}
            matrix = transition_matrix(
                phase, model.states, values, 1, f"strategies.{strategy.name}.phases[{number}]"
            )[0]
            cumulative[number] = (
                _Moves.of(matrix),
                _state_costs(model, phase, values, 1, agencies)[0],
            )
        moves, state_costs = cumulative[number]
        following = moves.next(current, rng.random(people))
        moved = following != current
        entries[np.flatnonzero(moved), following[moved]] += 1
        occupancy = np.bincount(following, minlength=states).astype(float)
        if model.half_cycle:
            occupancy = (occupancy + np.bincount(current, minlength=states)) / 2.0
        elif model.count_at == "start":
            occupancy = np.bincount(current, minlength=states).astype(float)
        costs += occupancy @ state_costs * _discount(model.discount_costs, model, cycle)
        outcomes += occupancy @ outcome_values * _discount(model.discount_outcomes, model, cycle)
        current = following
    shares = {}
    for s, name in enumerate(model.states):
        counts = np.minimum(entries[:, s], 4)
        shares[name] = np.bincount(counts, minlength=5)[:5] / people
    return Microsimulation(costs / people, outcomes / people, shares)
