"""Fair shares of a pooled budget: cooperative games between agencies and the rules a
partnership argues about (Shapley value, nucleolus, proportional, equal), with a check
of the core: would any group of agencies do better on its own?

A game gives the value (the net saving) of every coalition of agencies. Coalitions are
bit masks over the players: bit i set means player i is in. Dense games (every coalition
known, up to 20 players) are arrays of 2^n values; larger games are sparse (coalitions
not listed are worth 0) and support the sampled Shapley value and the equal and
proportional rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from totalplace.core.problems import TotalplaceError

MAX_DENSE_PLAYERS = 20
TOLERANCE = 1e-7

Floats = NDArray[np.float64]


class GameError(TotalplaceError, ValueError):
    """A game that cannot be used as given; the message says what to change."""

    code: ClassVar[str] = "bad-game"


@dataclass(frozen=True)
class Game:
    players: tuple[str, ...]
    value: Callable[[int], float]
    dense: Floats | None = None  # all 2^n values, when n <= MAX_DENSE_PLAYERS
    listed: Mapping[int, float] | None = None  # the coalitions given, by mask

    @property
    def size(self) -> int:
        return len(self.players)

    @property
    def grand(self) -> int:
        return (1 << self.size) - 1

    def worth(self, members: Sequence[str]) -> float:
        return self.value(self.mask(members))

    def mask(self, members: Sequence[str]) -> int:
        index = {p: i for i, p in enumerate(self.players)}
        return sum(1 << index[m] for m in members)

    def members(self, mask: int) -> list[str]:
        return [p for i, p in enumerate(self.players) if mask >> i & 1]

    def values(self) -> Floats:
        if self.dense is None:
            raise GameError(
                f"{self.size} agencies are too many to list every coalition "
                f"(at most {MAX_DENSE_PLAYERS}); use the sampled Shapley value"
            )
        return self.dense


def game_from_values(players: Sequence[str], values: Mapping[frozenset[str], float]) -> Game:
    """A game from the coalitions' values; coalitions not given are worth 0."""
    names = tuple(players)
    if len(set(names)) != len(names):
        raise GameError("each agency may be listed once only")
    index = {p: i for i, p in enumerate(names)}
    by_mask: dict[int, float] = {}
    for coalition, worth in values.items():
        unknown = sorted(set(coalition) - set(index))
        if unknown:
            raise GameError(
                f"coalition {'+'.join(sorted(coalition))} names agencies that are "
                f"not players: {', '.join(unknown)}"
            )
        by_mask[sum(1 << index[p] for p in coalition)] = float(worth)
    dense = None
    if len(names) <= MAX_DENSE_PLAYERS:
        dense = np.zeros(1 << len(names))
        for mask, worth in by_mask.items():
            dense[mask] = worth
        dense[0] = 0.0
        table = dense

        def value(mask: int) -> float:
            return float(table[mask])
    else:

        def value(mask: int) -> float:
            return by_mask.get(mask, 0.0)

    return Game(names, value, dense, by_mask)


def _popcounts(size: int) -> NDArray[np.int64]:
    masks = np.arange(1 << size, dtype=np.int64)
    counts = np.zeros(1 << size, dtype=np.int64)
    for bit in range(size):
        counts += (masks >> bit) & 1
    return counts


def shapley(game: Game) -> Floats:
    """The exact Shapley value: each agency's average marginal contribution over every
    order in which the partnership could have formed."""
    values = game.values()
    n = game.size
    sizes = _popcounts(n)
    # Weight of a coalition S not containing i: |S|! (n - |S| - 1)! / n!
    factorial = [math.factorial(k) for k in range(n + 1)]
    weights = np.array(
        [factorial[s] * factorial[n - s - 1] / factorial[n] if s < n else 0.0 for s in range(n + 1)]
    )
    masks = np.arange(1 << n, dtype=np.int64)
    result = np.zeros(n)
    for i in range(n):
        without = masks[(masks >> i & 1) == 0]
        gains = values[without | (1 << i)] - values[without]
        result[i] = float(np.dot(weights[sizes[without]], gains))
    return result


@dataclass(frozen=True)
class SampledShapley:
    allocation: Floats
    error_bound: Floats  # half-width of a 95% interval, per agency
    permutations: int


def sampled_shapley(
    game: Game, tolerance: float, seed: int = 0, batch: int = 200, max_permutations: int = 200_000
) -> SampledShapley:
    """The Shapley value estimated from random orders, until every agency's 95% interval
    is within `tolerance` (or `max_permutations` is reached: the bound says how close)."""
    rng = np.random.default_rng(seed)
    n = game.size
    total = np.zeros(n)
    squares = np.zeros(n)
    count = 0
    while count < max_permutations:
        for _ in range(batch):
            order = rng.permutation(n)
            mask, before = 0, 0.0
            for player in order:
                mask |= 1 << int(player)
                after = game.value(mask)
                gain = after - before
                total[player] += gain
                squares[player] += gain * gain
                before = after
        count += batch
        mean = total / count
        variance = np.maximum(squares / count - mean * mean, 0.0)
        bound = 1.96 * np.sqrt(variance / count)
        if float(bound.max()) <= tolerance:
            break
    mean = total / count
    variance = np.maximum(squares / count - mean * mean, 0.0)
    return SampledShapley(mean, 1.96 * np.sqrt(variance / count), count)


def equal(game: Game) -> Floats:
    return np.full(game.size, game.value(game.grand) / game.size)


def proportional(game: Game, weights: Sequence[float] | None = None) -> Floats:
    """Shares of the whole in proportion to `weights` (each agency's benefit received);
    without weights, in proportion to what each agency could achieve on its own."""
    basis = np.array(
        weights if weights is not None else [game.value(1 << i) for i in range(game.size)],
        dtype=float,
    )
    if np.any(basis < 0) or basis.sum() <= 0:
        raise GameError(
            "proportional shares need benefits that are not negative and not all "
            "zero; choose another rule"
        )
    return np.asarray(game.value(game.grand) * basis / basis.sum(), dtype=float)


def coalition_sums(allocation: Floats) -> Floats:
    """x(S) for every coalition S, built up one player at a time."""
    n = len(allocation)
    sums = np.zeros(1 << n)
    for i in range(n):
        step = 1 << i
        sums[step : 2 * step] = sums[:step] + allocation[i]
    return sums


def in_core(game: Game, allocation: Floats) -> bool:
    """No coalition gets less than it could on its own, and the whole is shared out."""
    values = game.values()
    sums = coalition_sums(allocation)
    scale = max(1.0, float(np.abs(values).max()))
    efficient = abs(sums[-1] - values[-1]) <= TOLERANCE * scale
    return bool(efficient and np.all(sums - values >= -TOLERANCE * scale))


def core_is_empty(game: Game) -> bool:
    """Bondareva-Shapley by linear programming: the cheapest allocation that satisfies
    every coalition costs more than the whole partnership can share."""
    from scipy.optimize import linprog

    values = game.values()
    n = game.size
    masks = np.arange(1, 1 << n)
    membership = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    found = linprog(
        np.ones(n), A_ub=-membership, b_ub=-values[masks], bounds=[(None, None)] * n, method="highs"
    )
    if not found.success:
        raise GameError(f"the core could not be checked: {found.message}")
    scale = max(1.0, float(np.abs(values).max()))
    return bool(found.fun > values[-1] + TOLERANCE * scale)


def nucleolus(game: Game) -> Floats:
    """The nucleolus: the allocation that makes the unhappiest coalition as happy as it can
    be, then the next unhappiest, and so on (sequential linear programmes, Maschler,
    Peleg and Shapley 1979). It lies in the core whenever the core is not empty."""
    from scipy.optimize import linprog

    values = game.values()
    n = game.size
    masks = np.arange(1, (1 << n) - 1)
    membership = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    free = np.ones(len(masks), dtype=bool)
    fixed_rows: list[Floats] = [np.ones(n)]
    fixed_values: list[float] = [float(values[-1])]
    x = equal(game)
    for _round in range(len(masks) + 1):
        if not free.any():
            break
        rows = membership[free]
        # Variables: x (n) and epsilon; maximise epsilon subject to x(S) - v(S) >= epsilon.
        a_ub = np.hstack([-rows, np.ones((len(rows), 1))])
        b_ub = -values[masks[free]]
        a_eq = np.hstack([np.array(fixed_rows), np.zeros((len(fixed_rows), 1))])
        c = np.zeros(n + 1)
        c[-1] = -1.0
        found = linprog(
            c,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=np.array(fixed_values),
            bounds=[(None, None)] * (n + 1),
            method="highs",
        )
        if not found.success:
            raise GameError(f"the nucleolus could not be found: {found.message}")
        x, epsilon = found.x[:n], found.x[-1]
        duals = np.asarray(found.ineqlin.marginals)
        # Coalitions whose constraint binds in every optimum carry a non-zero dual.
        tight = np.flatnonzero(free)[np.abs(duals) > 1e-9]
        if len(tight) == 0:
            break
        for row in tight:
            fixed_rows.append(membership[row])
            fixed_values.append(float(values[masks[row]] + epsilon))
            free[row] = False
        basis = _row_space(np.array(fixed_rows))
        if basis.shape[0] >= n:
            break
        # Coalitions whose sum is now fixed by the others need no further round.
        candidates = np.flatnonzero(free)
        residual = membership[candidates] - membership[candidates] @ basis.T @ basis
        free[candidates[np.abs(residual).max(axis=1) < 1e-9]] = False
    return np.asarray(x, dtype=float)


def _row_space(rows: Floats) -> Floats:
    """An orthonormal basis of the rows' span."""
    _u, singular, vt = np.linalg.svd(rows, full_matrices=False)
    rank = int((singular > 1e-9 * max(1.0, float(singular.max()))).sum())
    return np.asarray(vt[:rank])


RULES: dict[str, str] = {
    "shapley": "Each agency gets its average extra saving over every order in which the "
    "partnership could have come together: what it adds, on average.",
    "nucleolus": "The share-out that leaves the worst-off group of agencies as well off as "
    "possible, then the next worst-off, and so on: the most stable split.",
    "proportional": "Each agency gets a share in proportion to the benefit it receives (or, "
    "for a plain game, to what it could save on its own).",
    "equal": "Every agency gets the same share.",
    "cost-follows-benefit": "Each agency pays towards the costs in proportion to the benefit "
    "it receives, and keeps the rest of its benefit.",
}
