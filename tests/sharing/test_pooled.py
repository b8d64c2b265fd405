"""The pooled game of business cases: only the cases the pool runs count for anyone, and
each agency's costs, benefits, contribution and net position add up."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from totalplace.sharing.rules.pooled import (
    PooledCase,
    costs_and_benefits,
    pooled_game,
    positions,
    run_by_pool,
    unknown_agencies,
)
from totalplace.sharing.service import allocate

# The council pays 100 and the NHS saves 150: worth running. The police pay 100 for the
# DWP to save 60: not worth running even to everyone together.
WORTH = PooledCase("Family support", {"council": 100.0}, {"nhs": 150.0})
NOT_WORTH = PooledCase("Custody advice", {"police": 100.0}, {"dwp": 60.0})


def test_a_case_the_pool_does_not_run_counts_for_no_one() -> None:
    assert run_by_pool([WORTH, NOT_WORTH]) == [WORTH]
    game = pooled_game([WORTH, NOT_WORTH])
    costs, benefits = costs_and_benefits([WORTH, NOT_WORTH], game.players)
    assert benefits == {"council": 0, "dwp": 0, "nhs": 150, "police": 0}
    assert costs == {"council": 100, "dwp": 0, "nhs": 0, "police": 0}
    # The DWP's 60 from a case nobody runs no longer buys it a proportional share.
    weights = [benefits[p] for p in game.players]
    shares = dict(zip(game.players, allocate(game, "proportional", weights).shares, strict=True))
    assert shares == pytest.approx({"council": 0, "dwp": 0, "nhs": 50, "police": 0})


def test_where_each_agency_stands_under_shapley() -> None:
    game = pooled_game([WORTH, NOT_WORTH])
    result = allocate(game, "shapley")
    where = {p.agency: p for p in positions([WORTH, NOT_WORTH], game.players, result.shares)}
    council, nhs = where["council"], where["nhs"]
    assert (council.costs, council.benefits, council.own_net) == (100, 0, -100)
    assert council.share == pytest.approx(25)
    assert council.contribution == pytest.approx(-125)  # the pool pays it back and more
    assert nhs.own_net == 150 and nhs.share == pytest.approx(25)
    assert nhs.contribution == pytest.approx(125)
    assert where["police"].costs == 0 and where["police"].share == pytest.approx(0)


def test_a_group_without_the_payer_cannot_run_the_case() -> None:
    assert WORTH.worth_to(frozenset({"nhs"})) == 0
    assert WORTH.worth_to(frozenset({"council", "nhs"})) == 50
    assert WORTH.worth_to(frozenset({"council"})) == 0  # it would pay and not gain


def test_unknown_agencies_are_named_with_their_case() -> None:
    typo = PooledCase("Falls prevention", {"trafford-council": 10.0}, {"lancs-county": 20.0})
    assert unknown_agencies([WORTH, typo], ["council", "nhs", "trafford-council"]) == [
        ("Falls prevention", "lancs-county")
    ]


AGENCIES = ["a", "b", "c", "d"]
amounts = st.dictionaries(st.sampled_from(AGENCIES), st.integers(0, 1000).map(float), max_size=3)
cases = st.lists(
    st.builds(PooledCase, st.just("case"), amounts, amounts).filter(lambda c: c.agencies),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(cases, st.sampled_from(["shapley", "nucleolus", "proportional", "equal"]))
def test_what_is_put_in_is_paid_out(pool: list[PooledCase], method: str) -> None:
    game = pooled_game(pool)
    _, benefits = costs_and_benefits(pool, game.players)
    weights = [benefits[p] for p in game.players] if method == "proportional" else None
    assume(weights is None or sum(weights) > 0)  # nothing to be proportional to: refused
    result = allocate(game, method, weights)
    where = positions(pool, game.players, result.shares)
    total = game.value(game.grand)
    tolerance = 1e-6 * max(1.0, total)
    # The pool's net saving is the agencies' own nets from the cases it runs...
    assert sum(p.own_net for p in where) == pytest.approx(total, abs=tolerance)
    # ... every agency ends with its share, and the contributions cancel out.
    assert sum(p.contribution for p in where) == pytest.approx(0, abs=tolerance)
    for p in where:
        assert p.own_net - p.contribution == pytest.approx(p.share, abs=tolerance)
    # Nothing counts from a case the pool leaves alone.
    run = run_by_pool(pool)
    for p in where:
        assert p.benefits == sum(c.benefits.get(p.agency, 0.0) for c in run)
