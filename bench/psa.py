"""Benchmark: probabilistic sensitivity analysis of the HIV example
(tests/data/models/hiv_chancellor_1997.json: four states, 20 yearly cycles, two
strategies), 10,000 draws, ours beside heormodel's Markov cohort engine.

    .venv/bin/pip install heormodel          # the peer (optional; PyPI)
    .venv/bin/python bench/psa.py [--draws 10000] [--repeats 3]

Both sides draw the same distributions (gamma costs, a lognormal relative risk given by
its mean and standard deviation) and run the same model: costs counted at the end of
each cycle and discounted at 6% from the first, life-years not discounted (heormodel has
one rate for both, so its life-year rewards carry the inverse of the discount), lamivudine
and its relative risk for the first two cycles. heormodel runs sequentially
(`sequential=True`): ours uses one core, and the machine's two are shared. Each side's
base case is printed beside the other's, to show it is the same model. Timings cover
drawing and running, not imports; each step runs in its own process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, python

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "tests" / "data" / "models" / "hiv_chancellor_1997.json"
CYCLES = 20
DISCOUNT = 0.06


def step_ours(draws: int) -> dict[str, Any]:
    from totalplace.models.service.modelling import run_model_file

    run_model_file(MODEL, 10, seed=1)  # warm: every module and NumPy's first calls
    started, cpu = time.perf_counter(), time.process_time()
    result = run_model_file(MODEL, draws, seed=1)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "work_seconds": seconds,
        "cpu_seconds": cpu,
        "base": {
            s["name"]: [s["total_cost"], s["outcomes"]["life_years"]] for s in result["strategies"]
        },
        "mean": {
            s["name"]: [s["total_cost"]["mean"], s["outcomes"]["life_years"]["mean"]]
            for s in result["uncertainty"]["strategies"]
        },
    }


def _heormodel_engine() -> Any:
    import numpy as np
    from heormodel.models.markov import CohortSpec, MarkovModel

    spec = json.loads(MODEL.read_text())["parameters"]
    n = {k: float(v) for k, v in spec.items() if k.startswith("n_")}
    times = np.arange(CYCLES + 1, dtype=np.float64)
    # heormodel discounts effects at the costs' rate: life-years are not discounted here.
    undiscount = (1 + DISCOUNT) ** times

    def matrix(rr: float) -> Any:
        a = n["n_aa"] + n["n_ab"] + n["n_ac"] + n["n_ad"]
        b = n["n_bb"] + n["n_bc"] + n["n_bd"]
        c = n["n_cc"] + n["n_cd"]
        m = np.array(
            [
                [0.0, rr * n["n_ab"] / a, rr * n["n_ac"] / a, rr * n["n_ad"] / a],
                [0.0, 0.0, rr * n["n_bc"] / b, rr * n["n_bd"] / b],
                [0.0, 0.0, 0.0, rr * n["n_cd"] / c],
                [0.0, 0.0, 0.0, 1.0],
            ]
        )
        for i in range(3):
            m[i, i] = 1 - m[i].sum()
        return m

    def transitions_and_rewards(params: Any, strategy: str) -> Any:
        azt = float(spec["azt"])
        lam = float(spec["lamivudine"])
        per_state = np.array(
            [
                params["dmc_a"] + params["ccc_a"] + azt,
                params["dmc_b"] + params["ccc_b"] + azt,
                params["dmc_c"] + params["ccc_c"] + azt,
                0.0,
            ]
        )
        cost = np.tile(per_state, (CYCLES + 1, 1))
        cost[0] = 0.0  # counted at the end of each cycle: nothing at the start
        effect = np.tile(np.array([1.0, 1.0, 1.0, 0.0]), (CYCLES + 1, 1)) * undiscount[:, None]
        effect[0] = 0.0
        plain = matrix(1.0)
        if strategy == "monotherapy":
            return CohortSpec(plain, cost, effect)
        transition = np.repeat(plain[None], CYCLES, axis=0)
        transition[:2] = matrix(float(params["rr"]))
        cost[1:3, :3] += lam
        return CohortSpec(transition, cost, effect)

    return MarkovModel(
        states=("A", "B", "C", "D"),
        interventions=("monotherapy", "combination"),
        transitions_and_rewards=transitions_and_rewards,
        n_cycles=CYCLES,
        initial_state="A",
        discount_rate=DISCOUNT,
        cycle_correction="none",
        effect="life_years",
    )


def step_heormodel(draws: int) -> dict[str, Any]:
    import heormodel
    import pandas as pd
    from heormodel.params import Gamma, LogNormal, ParameterSet

    spec = json.loads(MODEL.read_text())["parameters"]
    engine = _heormodel_engine()
    distributions: dict[str, Any] = {
        name: Gamma(shape=spec[name]["shape"], scale=spec[name]["scale"])
        for name in ("dmc_a", "dmc_b", "dmc_c", "ccc_a", "ccc_b", "ccc_c")
    }
    distributions["rr"] = LogNormal.from_mean_se(spec["rr"]["mean"], spec["rr"]["sd"])
    parameters = ParameterSet(distributions)
    base = pd.DataFrame(
        [{name: float(spec[name]["value"]) for name in distributions}],
        index=pd.RangeIndex(1, name="iteration"),
    )
    base_out = heormodel.run_psa(engine, base, sequential=True, progress=False).outcomes
    heormodel.run_psa(engine, parameters.sample(10, seed=1), sequential=True, progress=False)
    started, cpu = time.perf_counter(), time.process_time()
    sampled = parameters.sample(draws, seed=1)
    found = heormodel.run_psa(engine, sampled, sequential=True, progress=False).outcomes
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "work_seconds": seconds,
        "cpu_seconds": cpu,
        "base": _by_strategy(base_out),
        "mean": _by_strategy(found),
    }


def _by_strategy(outcomes: Any) -> dict[str, list[float]]:
    costs, effects = outcomes.costs_wide(), outcomes.effects_wide()
    return {
        name: [round(float(costs[name].mean()), 2), round(float(effects[name].mean()), 4)]
        for name in costs.columns
    }


def heormodel_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("heormodel") is not None


def rows(draws: int, repeats: int) -> list[dict[str, Any]]:
    ours = [python(Path(__file__), "--step", "ours", str(draws)) for _ in range(repeats)]
    row: dict[str, Any] = {
        "work": f"PSA, {draws:,} draws, HIV model",
        "ours": ours,
        "peer": [],
        "note": "",
    }
    if heormodel_installed():
        row["peer"] = [
            python(Path(__file__), "--step", "heormodel", str(draws)) for _ in range(repeats)
        ]
    else:
        row["note"] = (
            "heormodel is not installed (pip install heormodel): no peer measured in this run"
        )
    return [row]


def describe(row: dict[str, Any]) -> str:
    ours: list[Measured] = row["ours"]
    times = sorted(m.result()["work_seconds"] for m in ours)
    text = (
        f"{row['work']}: ours {times[0] * 1000:.0f} ms min, "
        f"{statistics.median(times) * 1000:.0f} ms median, {max(m.peak_mb for m in ours):,.0f} MB"
    )
    if not row["peer"]:
        return f"{text}; {row['note']}"
    peer: list[Measured] = row["peer"]
    theirs = sorted(m.result()["work_seconds"] for m in peer)
    return (
        f"{text}; heormodel {theirs[0]:.2f} s min, {statistics.median(theirs):.2f} s median, "
        f"{max(m.peak_mb for m in peer):,.0f} MB; ours ÷ peer {times[0] / theirs[0]:.3f} (min); "
        f"base case ours {ours[0].result()['base']}, heormodel {peer[0].result()['base']}; "
        f"PSA means ours {ours[0].result()['mean']}, heormodel {peer[0].result()['mean']}"
    )


def plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON: min and median seconds and the peak of each side."""

    def side(measured: list[Measured]) -> dict[str, Any] | None:
        if not measured:
            return None
        times = sorted(m.result()["work_seconds"] for m in measured)
        return {
            "min": times[0],
            "median": statistics.median(times),
            "peak_mb": max(m.peak_mb for m in measured),
            "base": measured[0].result()["base"],
        }

    return {
        "work": row["work"],
        "ours": side(row["ours"]),
        "peer": side(row["peer"]),
        "note": row["note"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1,000 draws, one run each")
    parser.add_argument("--step", nargs=2, metavar=("WHO", "DRAWS"))
    parser.add_argument("--json-out", help="also write the rows here (JSON), for bench/all.py")
    args = parser.parse_args()
    if args.step:
        work = step_ours if args.step[0] == "ours" else step_heormodel
        print(json.dumps(work(int(args.step[1]))))
        return
    draws, repeats = (1_000, 1) if args.quick else (args.draws, args.repeats)
    found = rows(draws, repeats)
    for row in found:
        print(describe(row))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps([plain(row) for row in found]))


if __name__ == "__main__":
    main()
