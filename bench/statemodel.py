"""Benchmark: a 20-state cost-of-failure model over 480 monthly cycles.

    .venv/bin/python bench/statemodel.py [--draws 10000] [--people 1000000]

- Cohort with probabilistic draws: ours (`run_cohort`, all draws at once, walking only
  the transitions that exist) vs a straightforward NumPy version (one matrix product per
  draw per cycle) and a pure-Python loop (timed on a few draws, scaled up).
- Person by person: ours (`run_individuals`) vs a straightforward NumPy version (one
  vectorised step per cycle over everyone) and a pure-Python loop (timed on a few
  thousand people, scaled up).
Each step's peak memory is measured with tracemalloc (NumPy reports to it). Timings are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from totalplace.cases.rules.uncertainty import Distribution
from totalplace.models.rules.statemodel import (
    Model,
    Phase,
    Strategy,
    run_cohort,
    run_individuals,
    transition_matrix,
)

STATES = 20
CYCLES = 480


def build_model() -> tuple[Model, dict[str, Distribution]]:
    """Each state leads to itself, the next two states and the last (death)."""
    states = [f"s{i:02d}" for i in range(STATES)]
    rows: list[list[str | float]] = []
    params: dict[str, Distribution] = {}
    for i in range(STATES):
        row: list[str | float] = [0.0] * STATES
        if i == STATES - 1:
            row[i] = 1.0
        else:
            for step in (1, 2):
                if i + step < STATES - 1:
                    name = f"p{i}_{step}"
                    row[i + step] = name
                    params[name] = Distribution("beta", {"alpha": 2.0, "beta": 60.0 * step})
            row[STATES - 1] = f"d{i}"
            params[f"d{i}"] = Distribution("beta", {"alpha": 1.0, "beta": 400.0})
            row[i] = "C"
        rows.append(row)
    costs = {
        s: {"nhs": 100.0 + 10 * i, "council": 50.0 * (i % 3)} for i, s in enumerate(states[:-1])
    }
    model = Model(
        states=states,
        start={states[0]: 1.0},
        cycles=CYCLES,
        strategies=[Strategy("today", [Phase(rows)])],
        costs=costs,
        outcomes={"years": {s: 1 / 12 for s in states[:-1]}},
        cycle_years=1 / 12,
        discount_costs=0.035,
        discount_outcomes=0.035,
    )
    return model, params


def measured(work: Callable[[], Any]) -> tuple[float, float, Any]:
    tracemalloc.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, result


def numpy_cohort(matrices: np.ndarray, costs: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Straightforward: one matrix product per draw per cycle."""
    totals = np.zeros(len(matrices))
    for d in range(len(matrices)):
        population = np.zeros(STATES)
        population[0] = 1.0
        for cycle in range(CYCLES):
            population = population @ matrices[d]
            totals[d] += float(population @ costs) * factors[cycle]
    return totals


def batched_numpy_cohort(
    matrices: np.ndarray, costs: np.ndarray, factors: np.ndarray
) -> np.ndarray:
    """The fair NumPy peer: every draw at once, one batched matrix product per cycle."""
    population = np.zeros((len(matrices), STATES))
    population[:, 0] = 1.0
    totals = np.zeros(len(matrices))
    for cycle in range(CYCLES):
        population = np.einsum("ds,dsk->dk", population, matrices)
        totals += (population @ costs) * factors[cycle]
    return totals


def python_cohort(matrix: list[list[float]], costs: list[float], factors: list[float]) -> float:
    population = [1.0] + [0.0] * (STATES - 1)
    total = 0.0
    for cycle in range(CYCLES):
        population = [
            sum(population[s] * matrix[s][k] for s in range(STATES)) for k in range(STATES)
        ]
        total += sum(p * c for p, c in zip(population, costs, strict=True)) * factors[cycle]
    return total


def numpy_people(matrix: np.ndarray, costs: np.ndarray, factors: np.ndarray, people: int) -> float:
    """Straightforward: one vectorised step per cycle over everyone."""
    rng = np.random.default_rng(2)
    steps = np.cumsum(matrix, axis=1)
    current = np.zeros(people, dtype=np.int64)
    total = 0.0
    for cycle in range(CYCLES):
        draws = rng.random(people)
        current = np.minimum((draws[:, None] > steps[current]).sum(axis=1), STATES - 1)
        total += float(costs[current].sum()) * factors[cycle]
    return total / people


def python_people(
    matrix: list[list[float]], costs: list[float], factors: list[float], people: int
) -> float:
    rng = random.Random(3)
    total = 0.0
    for _ in range(people):
        state = 0
        for cycle in range(CYCLES):
            draw, cumulative = rng.random(), 0.0
            for k in range(STATES):
                cumulative += matrix[state][k]
                if draw < cumulative:
                    state = k
                    break
            total += costs[state] * factors[cycle]
    return total / people


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="1,000 draws, 50,000 people")
    parser.add_argument("--json-out", help="also write the rows here (JSON), for bench/all.py")
    args = parser.parse_args()
    if args.quick:
        args.draws, args.people = 1_000, 50_000
    console = Console()
    model, distributions = build_model()
    rng = np.random.default_rng(1)
    drawn = {name: d.draw(rng, args.draws) for name, d in distributions.items()}
    base = {name: float(values.mean()) for name, values in drawn.items()}
    matrices = transition_matrix(
        model.strategies[0].phases[0], model.states, drawn, args.draws, "bench"
    )
    costs = np.array(
        [
            model.costs.get(s, {}).get("nhs", 0.0) + model.costs.get(s, {}).get("council", 0.0)
            for s in model.states
        ]
    )
    factors = np.array([(1.035) ** -(c * model.cycle_years) for c in range(1, CYCLES + 1)])
    rows = []
    with console.status(f"Cohort, {args.draws:,} draws (ours)"):
        ours, ours_mb, result = measured(lambda: run_cohort(model, drawn, args.draws))
    with console.status("Cohort, straightforward NumPy"):
        numpy_s, numpy_mb, totals = measured(lambda: numpy_cohort(matrices, costs, factors))
    assert np.allclose(result.total_cost(0), totals, rtol=1e-9)
    with console.status("Cohort, batched NumPy"):
        batched_s, batched_mb, batched = measured(
            lambda: batched_numpy_cohort(matrices, costs, factors)
        )
    assert np.allclose(result.total_cost(0), batched, rtol=1e-9)
    console.print(
        f"Cohort, {args.draws:,} draws: ours {ours:.3f} s ({ours_mb:,.0f} MB), batched "
        f"NumPy {batched_s:.3f} s ({batched_mb:,.0f} MB): ours {batched_s / ours:.1f}x faster "
        "than the fair peer"
    )
    few = 5
    with console.status(f"Cohort, pure Python ({few} draws, scaled)"):
        plain = measured(
            lambda: [
                python_cohort(matrices[d].tolist(), costs.tolist(), factors.tolist())
                for d in range(few)
            ]
        )[0]
    rows.append(
        (
            f"Cohort, {args.draws:,} draws",
            ours,
            ours_mb,
            numpy_s,
            numpy_mb,
            plain * args.draws / few,
        )
    )
    with console.status(f"People, {args.people:,} (ours)"):
        ours_p, ours_p_mb, micro = measured(
            lambda: run_individuals(model, base, 0, args.people, seed=4)
        )
    base_matrix = transition_matrix(model.strategies[0].phases[0], model.states, base, 1, "bench")[
        0
    ]
    with console.status("People, straightforward NumPy"):
        numpy_p, numpy_p_mb, mean_cost = measured(
            lambda: numpy_people(base_matrix, costs, factors, args.people)
        )
    sample = 2_000
    with console.status(f"People, pure Python ({sample:,}, scaled)"):
        plain_p = measured(
            lambda: python_people(base_matrix.tolist(), costs.tolist(), factors.tolist(), sample)
        )[0]
    rows.append(
        (
            f"People, {args.people:,}",
            ours_p,
            ours_p_mb,
            numpy_p,
            numpy_p_mb,
            plain_p * args.people / sample,
        )
    )
    console.print(
        f"Mean cost per person: ours £{micro.costs.sum():,.0f}, NumPy "
        f"£{mean_cost:,.0f}, cohort £{run_cohort(model, base).total_cost(0)[0]:,.0f}"
    )
    table = Table(
        "Run",
        "Ours s",
        "Ours peak MB",
        "NumPy s",
        "NumPy peak MB",
        "Python s",
        "Ours vs NumPy",
        "Ours vs Python",
        title=f"{STATES} states, {CYCLES} monthly cycles",
    )
    for name, o, o_mb, n, n_mb, p in rows:
        table.add_row(
            name,
            f"{o:.2f}",
            f"{o_mb:,.0f}",
            f"{n:.2f}",
            f"{n_mb:,.0f}",
            f"{p:,.0f} (scaled)",
            f"{n / o:.1f}x",
            f"{p / o:,.0f}x",
        )
    console.print(table)
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps(
                [
                    {"work": name, "ours": o, "ours_mb": o_mb, "numpy": n, "numpy_mb": n_mb}
                    for name, o, o_mb, n, n_mb, _p in rows
                ]
                + [{"work": "batched", "ours": ours, "numpy": batched_s, "numpy_mb": batched_mb}]
            )
        )


if __name__ == "__main__":
    main()
