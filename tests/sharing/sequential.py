"""The nucleolus and core check as they were first written: one linear programme over
every coalition at once. Slow (a coalition-by-player matrix), but plainly the textbook
method, so the constraint-generation versions are tested against them."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from totalplace.sharing.rules.allocation import Game, GameError, equal

Floats = np.ndarray


def core_is_empty(game: Game) -> bool:
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
    return bool(found.fun > values[-1] + 1e-7 * scale)


def nucleolus(game: Game) -> Floats:
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
        candidates = np.flatnonzero(free)
        residual = membership[candidates] - membership[candidates] @ basis.T @ basis
        free[candidates[np.abs(residual).max(axis=1) < 1e-9]] = False
    return np.asarray(x, dtype=float)


def _row_space(rows: Floats) -> Floats:
    _u, singular, vt = np.linalg.svd(rows, full_matrices=False)
    rank = int((singular > 1e-9 * max(1.0, float(singular.max()))).sum())
    return np.asarray(vt[:rank])
