"""The nucleolus and core check by constraint generation give what the textbook
programmes over every coalition give (tests/sharing/sequential.py), and game files read
into masks the same whichever way their keys are written."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sharing import sequential
from totalplace.sharing.files.games import game_from_json
from totalplace.sharing.rules.allocation import (
    Game,
    core_is_empty,
    game_from_masks,
    nucleolus,
)


@st.composite
def small_games(draw: st.DrawFn) -> Game:
    n = draw(st.integers(min_value=1, max_value=7))
    # Small integers make ties and degenerate programmes common; floats make them rare.
    number = st.one_of(
        st.integers(min_value=-4, max_value=4).map(float),
        st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False),
    )
    worths = draw(st.lists(number, min_size=(1 << n) - 1, max_size=(1 << n) - 1))
    return game_from_masks([f"p{i}" for i in range(n)], np.arange(1, 1 << n), worths)


@settings(max_examples=150, deadline=None)
@given(small_games())
def test_nucleolus_equals_the_sequential_programmes(g: Game) -> None:
    scale = max(1.0, float(np.abs(g.values()).max()))
    assert nucleolus(g) == pytest.approx(sequential.nucleolus(g), abs=1e-7 * scale)


@settings(max_examples=150, deadline=None)
@given(small_games())
def test_core_check_equals_the_full_programme(g: Game) -> None:
    assert core_is_empty(g) == sequential.core_is_empty(g)


def test_a_convex_game_of_twelve_agencies() -> None:
    # Many coalitions tie near the answer: the case where a working set grows most.
    rng = np.random.default_rng(20)
    weights = rng.uniform(1, 10, 12)
    masks = np.arange(1 << 12)
    worth = sum(((masks >> i) & 1) * weights[i] for i in range(12)) ** 1.1
    g = game_from_masks([f"a{i}" for i in range(12)], masks[1:], worth[1:])
    assert nucleolus(g) == pytest.approx(sequential.nucleolus(g), abs=1e-7)
    assert not core_is_empty(g)


def test_keys_written_loosely_read_as_the_same_coalitions() -> None:
    plain = game_from_json({"players": ["A", "B", "C"], "values": {"A+B": 4, "C": 1, "A+B+C": 9}})
    loose = game_from_json(
        # Spaces, another order and a name twice: the careful reading, same coalitions.
        {"players": ["A", "B", "C"], "values": {"B + A": 4, "C+C": 1, "C+A+B": 9}}
    )
    assert np.array_equal(plain.values(), loose.values())
    assert plain.values().tolist() == [0, 0, 0, 4, 1, 0, 0, 9]


def test_a_split_worth_more_than_the_whole_proves_the_core_empty_without_a_programme(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from totalplace.sharing.rules import allocation

    def no_programme(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a programme was solved")

    # v(A) + v(B+C) = 11 > v(A+B+C) = 10: whatever the split, A or B+C is short.
    worths = [4.0, 0.0, 0.0, 0.0, 0.0, 7.0, 10.0]
    g = game_from_masks(["A", "B", "C"], np.arange(1, 8), worths)
    with monkeypatch.context() as patched:
        patched.setattr(allocation, "_linprog", no_programme)
        assert core_is_empty(g)
    assert sequential.core_is_empty(g)
    # A gap within the programme's own margin is left to the programme, which decides it.
    close = game_from_masks(["A", "B", "C"], np.arange(1, 8), [4.0, 0, 0, 0, 0, 6.0 + 1e-9, 10.0])
    assert core_is_empty(close) == sequential.core_is_empty(close)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=6), st.one_of(st.integers(), st.floats()), max_size=6
    )
)
def test_a_json_file_reads_as_json_reads_it(values: dict[str, object]) -> None:
    import json

    from totalplace.core.jsonfile import parse_json

    text = json.dumps({"players": ["A"], "values": values})
    assert repr(parse_json(text.encode(), "game.json", "bad-game")) == repr(json.loads(text))
    # A lone surrogate, which pydantic's parser refuses: read by json, as before.
    odd = '{"players": ["\\ud800"], "values": {}}'
    assert parse_json(odd, "game.json", "bad-game") == json.loads(odd)
