"""Share the savings of a pooled budget by a rule everyone can check."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from totalplace.core.jsonfile import read_json
from totalplace.core.problems import ImportRejected, Problem
from totalplace.sharing.files.games import game_from_json
from totalplace.sharing.rules import allocation as rules
from totalplace.sharing.rules.allocation import Game, GameError
from totalplace.sharing.rules.pooled import (
    PooledCase,
    Position,
    costs_and_benefits,
    pooled_game,
    positions,
    run_by_pool,
    unknown_agencies,
)

if TYPE_CHECKING:
    from totalplace.cases.rules.appraisal import Appraisal
    from totalplace.core.store.db import Store

METHODS = ("shapley", "nucleolus", "proportional", "equal", "cost-follows-benefit")


@dataclass
class Allocated:
    method: str
    players: list[str]
    shares: list[float]
    total: float
    in_core: bool
    core_empty: bool | None
    explanation: str
    notes: list[str] = field(default_factory=list)
    error_bound: list[float] | None = None
    # For games from cases: each agency's benefit and cost from the cases the pool runs.
    benefits: list[float] | None = None
    costs: list[float] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "allocation": {p: _tidy(x) for p, x in zip(self.players, self.shares, strict=True)},
            "in_core": self.in_core,
            "core_empty": self.core_empty,
            "total": _tidy(self.total),
            "explanation": self.explanation,
            "notes": self.notes,
        }
        if self.benefits is not None:
            # From cases: what each agency puts in (its benefits less its costs less its
            # share) so that it ends with its share.
            costs = self.costs or [0.0] * len(self.players)
            out["contributions"] = {
                p: _tidy(b - c - x)
                for p, b, c, x in zip(self.players, self.benefits, costs, self.shares, strict=True)
            }
            out["benefits"] = {
                p: _tidy(b) for p, b in zip(self.players, self.benefits, strict=True)
            }
            out["costs"] = {p: _tidy(c) for p, c in zip(self.players, costs, strict=True)}
        if self.error_bound is not None:
            out["error_bound"] = {
                p: _tidy(e) for p, e in zip(self.players, self.error_bound, strict=True)
            }
        return out


def _tidy(value: float) -> float:
    """Round away floating-point dust (1e-9 of a pound) without hiding real pennies."""
    return round(float(value), 9) + 0.0


def allocate_file(path: Path | str, method: str, tolerance_share: float = 0.01) -> Allocated:
    source = Path(path)
    data = read_json(source, "bad-game")
    if isinstance(data, dict) and ("cases" in data or "costs" in data):
        from totalplace.cases.rules.appraisal import appraise
        from totalplace.cases.service.appraising import read_cases

        pooled = [_pooled(appraise(case)) for case, _ in read_cases(source)]
        derived = pooled_game(pooled)
        costs, benefit_of = costs_and_benefits(pooled, derived.players)
        weights_from_cases = [benefit_of[p] for p in derived.players]
        result = allocate(derived, method, weights_from_cases, tolerance_share)
        result.benefits = weights_from_cases
        result.costs = [costs[p] for p in derived.players]
        return result
    game = game_from_json(data, source.name)
    benefits = data.get("benefits") if isinstance(data, dict) else None
    weights = None
    if benefits is not None:
        if (
            not isinstance(benefits, dict)
            or set(benefits) != set(game.players)
            or not all(isinstance(v, int | float) for v in benefits.values())
        ):
            raise ImportRejected(
                [
                    Problem(
                        "bad-game",
                        '"benefits" must give a number for every player',
                        file=source.name,
                        column="benefits",
                    )
                ]
            )
        weights = [float(benefits[p]) for p in game.players]
    return allocate(game, method, weights, tolerance_share)


def allocate(
    game: Game, method: str, weights: list[float] | None = None, tolerance_share: float = 0.01
) -> Allocated:
    if method not in METHODS:
        raise GameError(f"{method!r} is not a rule; choose one of {', '.join(METHODS)}")
    total = game.value(game.grand)
    notes: list[str] = []
    bound = None
    dense = game.dense is not None
    if method == "shapley" and dense:
        shares = rules.shapley(game)
    elif method == "shapley":
        tolerance = abs(total) * tolerance_share or tolerance_share
        sampled = rules.sampled_shapley(game, tolerance)
        shares, bound = sampled.allocation, [float(b) for b in sampled.error_bound]
        notes.append(
            f"Sampled from {sampled.permutations:,} random orders: each share is "
            f"within ±{max(bound):,.2f} of the exact Shapley value with 95% "
            "confidence."
        )
    elif method == "nucleolus":
        if not dense:
            raise GameError(
                f"the nucleolus is found exactly for up to "
                f"{rules.MAX_DENSE_PLAYERS} agencies; this game has {game.size}"
            )
        shares = rules.nucleolus(game)
    elif method in ("proportional", "cost-follows-benefit"):
        if method == "cost-follows-benefit" and weights is None:
            raise GameError(
                "cost follows benefit needs each agency's benefit: give "
                '"benefits" in the game file, or a file of cases'
            )
        shares = rules.proportional(game, weights)
    else:
        shares = rules.equal(game)
    if dense:
        inside = rules.in_core(game, shares)
        # A split in the core shows the core is not empty: no programme to solve.
        empty = not inside and rules.core_is_empty(game)
        if empty:
            notes.append(
                "The core is empty: whatever the split, some group of agencies would "
                "do better on its own."
            )
        elif not inside:
            notes.append(
                "This split is not in the core: some group of agencies would do better on its own."
            )
    else:
        inside = _sparse_in_core(game, shares)
        empty = None
        notes.append(
            "With more than 20 agencies the core is checked against every coalition "
            "listed and, where every share is at least zero, every coalition not "
            "listed (worth 0)."
        )
    return Allocated(
        method,
        list(game.players),
        [float(x) for x in shares],
        float(total),
        inside,
        empty,
        rules.RULES[method],
        notes,
        bound,
    )


def _sparse_in_core(game: Game, shares: np.ndarray) -> bool:
    tolerance = 1e-7 * max(1.0, abs(game.value(game.grand)))
    for mask, worth in (game.listed or {}).items():
        members = [i for i in range(game.size) if mask >> i & 1]
        if float(shares[members].sum()) < worth - tolerance:
            return False
    return bool(np.all(shares >= -tolerance))


def impact_of_file(path: Path | str) -> tuple[Any, Any]:
    """A budget impact file read and worked out: (its spec, the costs it shifts, by agency
    and year, with their present values)."""
    from totalplace.core.reference import discount_schedule
    from totalplace.sharing.files.impacts import read_impact
    from totalplace.sharing.rules.impact import budget_impact

    spec, change, links = read_impact(Path(path))
    return spec, budget_impact(change, links, spec.discount_rate, discount_schedule())


def _pooled(appraisal: Appraisal) -> PooledCase:
    return PooledCase(
        appraisal.name,
        {r.agency: r.pv_costs for r in appraisal.agencies},
        {r.agency: r.pv_benefits for r in appraisal.agencies},
    )


@dataclass
class PlaceShares:
    """The place's cases pooled: the cases the pool runs and those it does not, and
    under each rule where every agency stands."""

    players: list[str]
    names: dict[str, str]  # agency id -> its name in the place
    run: list[str]  # the cases the pool runs
    not_run: list[str]  # the cases not worth running even to everyone together
    total: float
    descriptions: dict[str, str]  # case -> what it says of itself (e.g. that it is illustrative)
    rules: dict[str, Allocated]
    positions: dict[str, list[Position]]
    errors: dict[str, str]


def place_shares(store: Store, place_id: str) -> PlaceShares:
    """Every rule, side by side, for the place's cases pooled together. A case naming an
    agency that is not the place's is refused, naming the case and the agency, rather
    than given a share."""
    from totalplace.cases.service import cases as case_service
    from totalplace.places.service.queries import agencies

    rows = case_service.cases(store, place_id)
    with store.sessions() as session:
        names = {a.agency_id: a.name for a in agencies(session, place_id)}
    pooled = [_pooled(case_service.appraisal_of(r)) for r in rows]
    unknown = unknown_agencies(pooled, list(names))
    if unknown:
        raise ImportRejected(
            [
                Problem(
                    "unknown-agency",
                    f"the case {case!r} names {agency!r}, which is not an agency of this place",
                    column="agency",
                    fix=f"Correct {agency!r} in the case to one of the place's agencies, "
                    "or add it to the place's agencies first.",
                )
                for case, agency in unknown
            ]
        )
    if not pooled:
        return PlaceShares([], names, [], [], 0.0, {}, {}, {}, {})
    game = pooled_game(pooled)
    costs, benefits = costs_and_benefits(pooled, game.players)
    weights = [benefits[p] for p in game.players]
    out: dict[str, Allocated] = {}
    where: dict[str, list[Position]] = {}
    errors: dict[str, str] = {}
    for method in METHODS:
        try:
            result = allocate(game, method, weights)
        except GameError as exc:
            errors[method] = str(exc)
            continue
        result.benefits = weights
        result.costs = [costs[p] for p in game.players]
        out[method] = result
        where[method] = positions(pooled, game.players, result.shares)
    run = {c.name for c in run_by_pool(pooled)}
    return PlaceShares(
        list(game.players),
        names,
        [c.name for c in pooled if c.name in run],
        [c.name for c in pooled if c.name not in run],
        game.value(game.grand),
        {r.name: str(r.spec.get("description") or "") for r in rows},
        out,
        where,
        errors,
    )


def require_agencies(store: Store, place_id: str, wanted: list[str], what: str) -> dict[str, str]:
    """The names of agencies something is about to name (a demo's cases, journeys,
    models): each must be an agency of the place, or nothing is added."""
    from totalplace.places.service.queries import agencies

    with store.sessions() as session:
        names = {a.agency_id: a.name for a in agencies(session, place_id)}
    missing = [a for a in wanted if a not in names]
    if missing:
        raise ImportRejected(
            [
                Problem(
                    "unknown-agency",
                    f"{what} names {a!r}, which is not an agency of the place {place_id!r}",
                    column="agency",
                )
                for a in missing
            ]
        )
    return {a: names[a] for a in wanted}


# The rules' own explanations, for the pages that show every rule side by side.
RULES = rules.RULES
