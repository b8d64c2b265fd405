"""The sharing rules against games whose answers are published, and the axioms they obey."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.sharing.rules.allocation import (
    Game,
    core_is_empty,
    equal,
    game_from_values,
    in_core,
    nucleolus,
    proportional,
    sampled_shapley,
    shapley,
)


def game(players: list[str], worth: object) -> Game:
    """A dense game from a function of the coalition (a frozenset of names)."""
    values = {}
    for size in range(1, len(players) + 1):
        for members in itertools.combinations(players, size):
            values[frozenset(members)] = float(worth(frozenset(members)))  # type: ignore[operator]
    return game_from_values(players, values)


def bankruptcy(estate: float, claims: list[float]) -> Game:
    names = [f"c{i}" for i in range(len(claims))]
    claim = dict(zip(names, claims, strict=True))
    return game(names, lambda s: max(0.0, estate - sum(c for n, c in claim.items() if n not in s)))


@pytest.mark.parametrize(
    ("estate", "talmud"),
    [(100, [100 / 3, 100 / 3, 100 / 3]), (200, [50, 75, 75]), (300, [50, 100, 150])],
)
def test_nucleolus_is_the_talmud_division(estate: float, talmud: list[float]) -> None:
    # Aumann, R. J. and Maschler, M. (1985), "Game theoretic analysis of a bankruptcy
    # problem from the Talmud", Journal of Economic Theory 36, 195-213: the Talmud's
    # divisions of estates of 100, 200 and 300 among debts of 100, 200 and 300 are the
    # nucleoli of the bankruptcy games.
    assert nucleolus(bankruptcy(estate, [100, 200, 300])) == pytest.approx(talmud, abs=1e-7)


def test_glove_game() -> None:
    # One left glove, two right gloves; a pair is worth 1. Shapley value (2/3, 1/6, 1/6)
    # (Maschler, Solan and Zamir, Game Theory, 2013, chapter 18); the core and nucleolus
    # give everything to the scarce left glove.
    gloves = game(["L", "R1", "R2"], lambda s: 1.0 if "L" in s and len(s) >= 2 else 0.0)
    assert shapley(gloves) == pytest.approx([2 / 3, 1 / 6, 1 / 6])
    assert nucleolus(gloves) == pytest.approx([1, 0, 0], abs=1e-9)
    assert in_core(gloves, nucleolus(gloves))
    assert not in_core(gloves, shapley(gloves))


def test_airport_game_shapley_is_sequential_equal_sharing() -> None:
    # Littlechild, S. C. and Owen, G. (1973), "A simple expression for the Shapley value in
    # a special case", Management Science 20: each runway segment is shared equally by the
    # planes that need it. Costs 1, 2, 3: shares 1/3, 1/3 + 1/2, 1/3 + 1/2 + 1.
    runway = {"a": 1.0, "b": 2.0, "c": 3.0}
    costs = game(list(runway), lambda s: -max(runway[p] for p in s))
    assert -shapley(costs) == pytest.approx([1 / 3, 5 / 6, 11 / 6])


def test_majority_game_has_an_empty_core() -> None:
    majority = game(["A", "B", "C"], lambda s: 1.0 if len(s) >= 2 else 0.0)
    assert core_is_empty(majority)
    assert shapley(majority) == pytest.approx([1 / 3] * 3)
    assert not in_core(majority, shapley(majority))


def test_equal_and_proportional() -> None:
    g = game(["A", "B"], lambda s: {frozenset("A"): 10, frozenset("B"): 30}.get(s, 100))
    assert equal(g) == pytest.approx([50, 50])
    assert proportional(g) == pytest.approx([25, 75])
    assert proportional(g, [1, 3]) == pytest.approx([25, 75])


def test_sampled_shapley_is_within_its_stated_bound() -> None:
    rng = np.random.default_rng(7)
    weights = rng.uniform(0, 10, 8)
    names = [f"p{i}" for i in range(8)]
    exact_game = game(names, lambda s: sum(weights[int(n[1:])] for n in s) ** 1.2)
    exact = shapley(exact_game)
    sampled = sampled_shapley(exact_game, tolerance=0.5, seed=3)
    assert np.all(np.abs(sampled.allocation - exact) <= sampled.error_bound * 1.5 + 1e-9)
    assert sampled.error_bound.max() <= 0.5


def test_sampled_shapley_for_42_agencies() -> None:
    names = [f"agency{i:02d}" for i in range(42)]
    big = game_from_values(names, {frozenset(names): 100.0})
    assert big.dense is None
    result = sampled_shapley(big, tolerance=1.0, seed=1)
    assert result.error_bound.max() <= 1.0
    assert np.all(np.abs(result.allocation - 100 / 42) <= 1.0 * 1.5)
    assert result.allocation.sum() == pytest.approx(100)  # every order shares out the whole


values = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False)


@st.composite
def games(draw: st.DrawFn, size: int | None = None) -> Game:
    n = size or draw(st.integers(min_value=1, max_value=6))
    names = [f"p{i}" for i in range(n)]
    worth = {
        frozenset(names[i] for i in range(n) if mask >> i & 1): draw(values)
        for mask in range(1, 1 << n)
    }
    return game_from_values(names, worth)


@settings(max_examples=50, deadline=None)
@given(games())
def test_shapley_is_efficient(g: Game) -> None:
    assert shapley(g).sum() == pytest.approx(g.value(g.grand), abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(games(), games())
def test_shapley_is_additive(v: Game, w: Game) -> None:
    if v.size != w.size:
        return
    both = game_from_values(
        list(v.players),
        {
            frozenset(v.members(mask)): v.value(mask) + w.value(mask)
            for mask in range(1, v.grand + 1)
        },
    )
    assert shapley(both) == pytest.approx(shapley(v) + shapley(w), abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(games(size=4), st.integers(min_value=0, max_value=3))
def test_null_player_gets_nothing(g: Game, null: int) -> None:
    # Make `null` add nothing to any coalition: v(S + null) = v(S).
    worth = {}
    for mask in range(1, g.grand + 1):
        base = mask & ~(1 << null)
        worth[frozenset(g.members(mask))] = g.value(base) if base else 0.0
    nulled = game_from_values(list(g.players), worth)
    assert shapley(nulled)[null] == pytest.approx(0, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(games(size=4))
def test_symmetric_players_get_the_same(g: Game) -> None:
    # Make players 0 and 1 interchangeable: a coalition's worth depends on how many of them.
    worth = {}
    for mask in range(1, g.grand + 1):
        swapped = (mask & ~3) | ((mask & 1) << 1) | ((mask & 2) >> 1)
        pick = min(mask, swapped)
        worth[frozenset(g.members(mask))] = g.value(pick)
    symmetric = game_from_values(list(g.players), worth)
    shares = shapley(symmetric)
    assert shares[0] == pytest.approx(shares[1], abs=1e-7)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=50), min_size=2, max_size=5))
def test_nucleolus_of_a_convex_game_is_in_its_core(weights: list[float]) -> None:
    # v(S) = (sum of weights)^2 is supermodular, so its core is not empty (Shapley 1971).
    names = [f"p{i}" for i in range(len(weights))]
    convex = game(names, lambda s: sum(weights[int(p[1:])] for p in s) ** 2)
    x = nucleolus(convex)
    assert x.sum() == pytest.approx(convex.value(convex.grand), rel=1e-7, abs=1e-6)
    assert in_core(convex, x)
    assert in_core(convex, shapley(convex))  # convex games hold the Shapley value too
