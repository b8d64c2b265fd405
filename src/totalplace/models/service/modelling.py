"""Run a cost-of-failure model file: each strategy's costs by agency and outcomes, the
increments between strategies, and optionally uncertainty and a person-level run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from totalplace.models.files import base_values, drawn_values, read_model
from totalplace.models.rules.statemodel import ModelResult, run_cohort, run_individuals


def _summary(values: np.ndarray) -> dict[str, float]:
    return {
        "mean": round(float(values.mean()), 4),
        "p025": round(float(np.percentile(values, 2.5)), 4),
        "p975": round(float(np.percentile(values, 97.5)), 4),
    }


def run_model_file(
    path: Path | str, draws: int | None = None, individuals: int = 0, seed: int | None = None
) -> dict[str, Any]:
    spec, model = read_model(Path(path))
    base = run_cohort(model, base_values(spec))
    out: dict[str, Any] = {
        "name": spec.name,
        "strategies": _strategies(base),
        "increments": _increments(base),
    }
    n = spec.draws if draws is None else draws
    chosen_seed = spec.seed if seed is None else seed
    if n:
        psa = run_cohort(model, drawn_values(spec, n, chosen_seed), n)
        out["uncertainty"] = {
            "draws": n,
            "strategies": [
                {
                    "name": s.name,
                    "total_cost": _summary(s.costs.sum(axis=1)),
                    "costs": {a: _summary(s.costs[:, i]) for i, a in enumerate(psa.agencies)},
                    "outcomes": {o: _summary(s.outcomes[:, i]) for i, o in enumerate(psa.outcomes)},
                }
                for s in psa.strategies
            ],
        }
    if individuals:
        out["individuals"] = {"people": individuals, "strategies": []}
        for index, strategy in enumerate(model.strategies):
            micro = run_individuals(model, base_values(spec), index, individuals, chosen_seed)
            out["individuals"]["strategies"].append(
                {
                    "name": strategy.name,
                    "total_cost": round(float(micro.costs.sum()), 2),
                    "costs": {
                        a: round(float(c), 2)
                        for a, c in zip(model.agencies, micro.costs, strict=True)
                    },
                    "outcomes": {
                        o: round(float(v), 4)
                        for o, v in zip(model.outcomes, micro.outcomes, strict=True)
                    },
                    "times_entered": {
                        s: [round(float(x), 4) for x in shares]
                        for s, shares in micro.entries.items()
                    },
                }
            )
    return out


def _strategies(result: ModelResult) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "total_cost": round(float(s.costs[0].sum()), 2),
            "costs": {a: round(float(s.costs[0, i]), 2) for i, a in enumerate(result.agencies)},
            "outcomes": {
                o: round(float(s.outcomes[0, i]), 4) for i, o in enumerate(result.outcomes)
            },
        }
        for s in result.strategies
    ]


def _increments(result: ModelResult) -> list[dict[str, Any]]:
    """Each strategy against the first: who pays more, who saves, and the cost per unit
    of each outcome gained."""
    reference = result.strategies[0]
    out = []
    for s in result.strategies[1:]:
        cost = float(s.costs[0].sum() - reference.costs[0].sum())
        by_agency = {
            a: round(float(s.costs[0, i] - reference.costs[0, i]), 2)
            for i, a in enumerate(result.agencies)
        }
        gained = {
            o: float(s.outcomes[0, i] - reference.outcomes[0, i])
            for i, o in enumerate(result.outcomes)
        }
        out.append(
            {
                "strategy": s.name,
                "compared_with": reference.name,
                "cost": round(cost, 2),
                "costs": by_agency,
                "outcomes": {o: round(g, 4) for o, g in gained.items()},
                "cost_per_unit": {
                    o: (round(cost / g, 2) if abs(g) > 1e-12 else None) for o, g in gained.items()
                },
            }
        )
    return out


def case_from_model(
    path: Path | str, strategy: str, first_year: str, name: str | None = None
) -> dict[str, Any]:
    """A business case file (docs/formats/case.md) from a model's strategy difference:
    each agency's extra costs under `strategy`, against the model's first strategy, are
    the case's costs, and its avoided costs are the case's benefits, year by year."""
    from totalplace.models.rules.statemodel import ModelError

    spec, model = read_model(Path(path))
    result = run_cohort(model, base_values(spec))
    names = [s.name for s in result.strategies]
    if strategy not in names[1:]:
        raise ModelError(
            "strategy",
            f"choose one of the model's strategies after the first "
            f"({', '.join(names[1:]) or 'there are none'})",
        )
    reference, chosen = result.strategies[0], result.strategies[names.index(strategy)]
    assert reference.yearly is not None and chosen.yearly is not None
    difference = chosen.yearly - reference.yearly  # (cycles, agencies)
    cycle_year = [int((k + model.discount_from) * model.cycle_years) for k in range(model.cycles)]
    years = max(cycle_year) + 1
    by_year = np.zeros((years, len(result.agencies)))
    for k, year in enumerate(cycle_year):
        by_year[year] += difference[k]
    costs, benefits = [], []
    for t in range(years):
        for a, agency in enumerate(result.agencies):
            amount = round(float(by_year[t, a]), 2)
            if amount > 0:
                costs.append({"agency": agency, "year": t, "amount": amount})
            elif amount < 0:
                benefits.append({"agency": agency, "year": t, "amount": -amount})
    return {
        "name": name or f"{strategy} against {reference.name} ({spec.name})",
        "description": f"From the model {spec.name!r}: each agency's cost difference, "
        "year by year, undiscounted.",
        "first_year": first_year,
        "discount_rate": model.discount_costs,
        "costs": costs,
        "benefits": benefits,
    }


def yearly_costs(path: Path | str) -> tuple[list[str], dict[str, np.ndarray]]:
    """Each strategy's undiscounted cost per person by cycle and agency, (cycles, agencies)."""
    spec, model = read_model(Path(path))
    base = run_cohort(model, base_values(spec))
    return base.agencies, {s.name: np.asarray(s.yearly) for s in base.strategies}
