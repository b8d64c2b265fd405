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
from typing import Any, ClassVar

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
    listed: Mapping[int, float] | None = None  # a sparse game's coalitions, by mask

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
    return game_from_masks(names, list(by_mask), list(by_mask.values()))


def game_from_masks(
    players: Sequence[str],
    masks: Sequence[int] | NDArray[np.int64],
    worths: Sequence[float] | Floats,
) -> Game:
    """A game from coalition masks (bit i for player i) and their values, the form a
    game file is read into: a dense game is one array indexed by mask, with no set of
    names built per coalition (a million of them for 20 agencies)."""
    names = tuple(players)
    if len(set(names)) != len(names):
        raise GameError("each agency may be listed once only")
    n = len(names)
    if n <= MAX_DENSE_PLAYERS:
        where = np.asarray(masks, dtype=np.int64)
        if len(where) and (where.min() < 0 or where.max() >= 1 << n):
            raise GameError(f"a coalition names players beyond the {n} agencies")
        if len(where) and np.bincount(where, minlength=1 << n).max() > 1:
            raise GameError("each coalition may be given once only")
        dense = np.zeros(1 << n)
        dense[where] = np.asarray(worths, dtype=np.float64)
        dense[0] = 0.0
        table = dense

        def value(mask: int) -> float:
            return float(table[mask])

        return Game(names, value, dense, None)
    by_mask = {int(m): float(w) for m, w in zip(masks, worths, strict=True)}
    by_mask.pop(0, None)

    def sparse_value(mask: int) -> float:
        return by_mask.get(mask, 0.0)

    return Game(names, sparse_value, None, by_mask)


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
    """Bondareva-Shapley by linear programming: no allocation gives every coalition at
    least its worth, so the least core's excess, the largest least excess
    x(S) - v(S) any allocation reaches, is below zero.

    The programme has a constraint per coalition (a million for 20 agencies) but only a
    few bind, so it is solved over a working set of coalitions, adding those its answer
    leaves short, until none is (constraint generation). The least excess over the
    working set can only fall as coalitions join: once it is below zero the core is
    empty; once an answer leaves no coalition short, that answer is in the core."""
    values = game.values()
    n = game.size
    if n == 1:
        return False
    scale = max(1.0, float(np.abs(values).max()))
    if _split_beats_the_whole(values, n, scale):
        return True
    working = np.zeros(1 << n, dtype=bool)
    working[_seed_masks(n)] = True
    while True:
        masks = np.flatnonzero(working)
        x, epsilon = _prenucleolus_over(values, masks, n, rounds=1)
        if epsilon < -TOLERANCE * scale:
            return True
        shortfall = coalition_sums(x) - values
        shortfall[working] = np.inf  # these hold, within HiGHS's own tolerance
        shortfall[0] = np.inf
        if not _add_most_violated(working, shortfall, -TOLERANCE * scale, n):
            return False


def _split_beats_the_whole(values: Floats, n: int, scale: float) -> bool:
    """Whether two groups, a coalition and the rest, or every agency on its own, are worth
    clearly more than the whole: then any split of the whole leaves one of them short, so
    the core is empty, with no programme solved and no SciPy imported. "Clearly": by more
    than the programme's own margin allows for (its least excess is at most minus half
    the gap, or minus the gap over n), so the answer is the programme's."""
    whole = float(values[-1])
    # The complement of mask m is grand ^ m = (2^n - 1) - m: the array reversed.
    pairs = float(np.max(values[1:-1] + values[-2:0:-1])) if n > 1 else -np.inf
    singles = float(values[np.int64(1) << np.arange(n, dtype=np.int64)].sum())
    margin = 4 * TOLERANCE * scale
    return pairs - whole > margin or singles - whole > n * margin


def nucleolus(game: Game) -> Floats:
    """The nucleolus: the allocation that makes the unhappiest coalition as happy as it can
    be, then the next unhappiest, and so on (sequential linear programmes, Maschler,
    Peleg and Shapley 1979). It lies in the core whenever the core is not empty.

    Found by constraint generation: the nucleolus of a working set of coalitions, then
    every coalition's excess at that answer (all at once, from the allocation, with no
    coalition-by-player matrix); coalitions less well off than the working set's last
    level join it, until none is. A coalition at or above the last level cannot change
    the answer: the fixed coalitions below it already form a balanced collection that
    spans every allocation (Kohlberg 1971)."""
    values = game.values()
    n = game.size
    if n == 1:
        return np.array([float(values[game.grand])])
    scale = max(1.0, float(np.abs(values).max()))
    working = np.zeros(1 << n, dtype=bool)
    working[_seed_masks(n)] = True
    while True:
        x, last = _prenucleolus_over(values, np.flatnonzero(working), n)
        excess = coalition_sums(x) - values
        excess[working] = np.inf
        excess[0] = np.inf
        if not _add_most_violated(working, excess, last - _GENERATION_TOLERANCE * scale, n):
            return x


def _prenucleolus_over(
    values: Floats, masks: NDArray[np.int64], n: int, rounds: int | None = None
) -> tuple[Floats, float]:
    """The sequential programmes over the coalitions given (the grand coalition among
    them): the allocation and the last least excess. Each round maximises the least
    excess of the coalitions not yet fixed, then fixes those whose constraint binds in
    every optimum (a non-zero dual) and drops those whose sum the fixed ones determine."""
    grand = (1 << n) - 1
    membership = _membership(masks, n)
    worth = values[masks]
    free = masks != grand
    fixed_rows: list[Floats] = [np.ones(n)]
    fixed_values: list[float] = [float(values[grand])]
    x = np.full(n, values[grand] / n)
    epsilon = -np.inf
    done = 0
    while free.any() and (rounds is None or done < rounds):
        done += 1
        x, epsilon, duals = _least_excess(
            membership[free], worth[free], np.array(fixed_rows), fixed_values
        )
        tight = np.flatnonzero(free)[np.abs(duals) > 1e-9]
        if len(tight) == 0:
            break
        free[tight] = False
        fixed_rows.extend(membership[tight])
        fixed_values.extend(worth[tight] + epsilon)
        basis = _row_space(np.array(fixed_rows))
        if basis.shape[0] >= n:
            break
        candidates = np.flatnonzero(free)
        residual = membership[candidates] - membership[candidates] @ basis.T @ basis
        free[candidates[np.abs(residual).max(axis=1) < 1e-9]] = False
    return x, epsilon


# A coalition counts as short when it is short by more than this share of the game's
# largest value: far below a penny, far above HiGHS's rounding.
_GENERATION_TOLERANCE = 1e-9
# How many of the most violated coalitions join the working set at each step.
_BATCH = 64


def _seed_masks(n: int) -> NDArray[np.int64]:
    """Each agency alone, everyone but each agency, and the whole partnership: with each
    coalition's complement in the set, every programme over it is bounded."""
    singles = np.int64(1) << np.arange(n, dtype=np.int64)
    grand = (1 << n) - 1
    return np.unique(np.concatenate([singles, grand ^ singles, [grand]]))


def _add_most_violated(working: NDArray[np.bool_], score: Floats, below: float, n: int) -> bool:
    """Add to the working set the coalitions scoring lowest, if below `below`, each with
    its complement; say whether any were added."""
    candidates = np.flatnonzero(score < below)
    if len(candidates) == 0:
        return False
    if len(candidates) > _BATCH:
        candidates = candidates[np.argpartition(score[candidates], _BATCH)[:_BATCH]]
    working[candidates] = True
    working[((1 << n) - 1) ^ candidates] = True
    working[0] = False
    return True


def _membership(masks: NDArray[np.int64], n: int) -> Floats:
    """The 0/1 rows of the coalitions given, one column per player."""
    return ((masks[:, None] >> np.arange(n)) & 1).astype(np.float64)


def _least_excess(
    rows: Floats, worths: Floats, fixed_rows: Floats, fixed_values: list[float]
) -> tuple[Floats, float, Floats]:
    """Maximise epsilon subject to x(S) - v(S) >= epsilon over the rows given, with the
    fixed coalitions' sums held: the allocation, epsilon and the rows' duals."""
    n = rows.shape[1]
    c = np.zeros(n + 1)
    c[-1] = -1.0
    found = _linprog(
        c,
        a_ub=np.hstack([-rows, np.ones((len(rows), 1))]),
        b_ub=-worths,
        a_eq=np.hstack([fixed_rows, np.zeros((len(fixed_rows), 1))]),
        b_eq=np.array(fixed_values),
        what="the nucleolus could not be found",
    )
    return found.x[:n], float(found.x[-1]), np.asarray(found.ineqlin.marginals)


def _linprog(
    c: Floats,
    *,
    a_ub: Floats,
    b_ub: Floats,
    a_eq: Floats | None = None,
    b_eq: Floats | None = None,
    what: str,
) -> Any:
    from scipy.optimize import linprog

    found = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=[(None, None)] * len(c),
        method="highs",
    )
    if not found.success:
        raise GameError(f"{what}: {found.message}")
    return found


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
