"""Appraise business cases, and derive the game of who could run which cases together."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from totalplace.cases.files import distributions
from totalplace.cases.files import read_cases as read_cases
from totalplace.cases.rules.appraisal import Appraisal, Case, appraise
from totalplace.cases.rules.uncertainty import Simulation, simulate
from totalplace.sharing.rules.allocation import MAX_DENSE_PLAYERS, Game, GameError, game_from_values


@dataclass
class Appraised:
    case: Case
    appraisal: Appraisal
    simulation: Simulation | None

    def as_json(self) -> dict[str, Any]:
        a = self.appraisal
        out: dict[str, Any] = {
            "name": a.name,
            "years": a.years + 1,
            "npv_gbp": round(a.npv, 2),
            "pv_costs_gbp": round(a.pv_costs, 2),
            "pv_benefits_gbp": round(a.pv_benefits, 2),
            "pv_cashable_gbp": round(a.pv_cashable, 2),
            "bcr": None if a.bcr is None else round(a.bcr, 4),
            "payback_year": a.payback_year,
            "agencies": [
                {
                    "agency": r.agency,
                    "pv_costs_gbp": round(r.pv_costs, 2),
                    "pv_benefits_gbp": round(r.pv_benefits, 2),
                    "pv_cashable_gbp": round(r.pv_cashable, 2),
                    "npv_gbp": round(r.npv, 2),
                }
                for r in a.agencies
            ],
            "who_pays_who_saves": {
                agency: [round(v, 2) for v in yearly] for agency, yearly in a.pays_and_saves.items()
            },
            "discount_factors": [round(float(f), 6) for f in a.discount],
        }
        if self.simulation is not None:
            s = self.simulation
            out["uncertainty"] = {
                "draws": s.draws,
                "npv_gbp": {
                    "mean": round(s.npv.mean, 2),
                    "p05": round(s.npv.low, 2),
                    "p95": round(s.npv.high, 2),
                },
                "probability_npv_positive": round(s.probability_positive, 4),
                "agencies": {
                    agency: {
                        "mean": round(i.mean, 2),
                        "p05": round(i.low, 2),
                        "p95": round(i.high, 2),
                        "probability_better_off": round(p, 4),
                    }
                    for agency, (i, p) in s.agencies.items()
                },
            }
        return out


def appraise_file(path: Path | str) -> list[Appraised]:
    out = []
    for case, spec in read_cases(Path(path)):
        uncertain = distributions(spec)
        simulation = None
        if spec.uncertainty is not None:
            simulation = simulate(case, uncertain, spec.uncertainty.draws, spec.uncertainty.seed)
        out.append(Appraised(case, appraise(case), simulation))
    return out


def game_from_cases(cases: list[Case]) -> tuple[Game, dict[str, float]]:
    """A coalition can run only the cases whose paying agencies are all in it, and runs
    those worth running to it: v(S) = sum over runnable cases of max(0, what the case
    saves S's members less what it costs). Also each agency's benefit from all cases."""
    appraisals = [appraise(c) for c in cases]
    players = sorted({a for c in cases for a in c.agencies})
    if len(players) > MAX_DENSE_PLAYERS:
        raise GameError(
            f"a game derived from cases lists every coalition: at most "
            f"{MAX_DENSE_PLAYERS} agencies, not {len(players)}"
        )
    values: dict[frozenset[str], float] = {}
    for size in range(1, len(players) + 1):
        for members in combinations(players, size):
            coalition = frozenset(members)
            worth = 0.0
            for case, appraisal in zip(cases, appraisals, strict=True):
                if set(case.payers) <= coalition:
                    gained = sum(r.pv_benefits for r in appraisal.agencies if r.agency in coalition)
                    worth += max(0.0, gained - appraisal.pv_costs)
            values[coalition] = worth
    benefits = {
        p: sum(r.pv_benefits for a in appraisals for r in a.agencies if r.agency == p)
        for p in players
    }
    return game_from_values(players, values), benefits
