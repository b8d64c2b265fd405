"""Benchmarking's arithmetic: the distance, the neighbours, the medians, the scatter and
the roll-up that never scales."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.peers import rules


def _districts() -> list[rules.District]:
    keys = ("a", "b")
    rows = {"E1": (0.0, 0.0), "E2": (1.0, 0.0), "E3": (0.0, 3.0), "E4": (5.0, 5.0)}
    return [rules.District(c, c, dict(zip(keys, v, strict=True))) for c, v in rows.items()]


def test_standardised_metrics_have_mean_0_and_spread_1() -> None:
    table = rules.standardise(_districts(), ("a", "b"))
    assert table.z.mean(axis=0) == pytest.approx([0, 0])
    assert table.z.std(axis=0) == pytest.approx([1, 1])


def test_a_metric_with_no_spread_cannot_tell_districts_apart() -> None:
    flat = [rules.District(f"E{i}", "x", {"a": 2.0, "b": float(i)}) for i in range(4)]
    table = rules.standardise(flat, ("a", "b"))
    assert (table.z[:, 0] == 0).all()


def test_the_weights_change_who_is_nearest() -> None:
    table = rules.standardise(_districts(), ("a", "b"))
    on_a = rules.nearest(table, "E1", {"a": 1, "b": 0}, 1)
    on_b = rules.nearest(table, "E1", {"a": 0, "b": 1}, 1)
    assert on_a[0].gss_code == "E3"  # same a, far in b: b does not count
    assert on_b[0].gss_code == "E2"
    assert on_a[0].distance == pytest.approx(0.0)


def test_the_distance_is_the_square_root_of_the_weighted_mean_square() -> None:
    table = rules.standardise(_districts(), ("a", "b"))
    found = {n.gss_code: n for n in rules.nearest(table, "E1", {"a": 1, "b": 3}, 3)}
    za, zb = table.z[:, 0], table.z[:, 1]
    expected = math.sqrt((1 * (za[3] - za[0]) ** 2 + 3 * (zb[3] - zb[0]) ** 2) / 4)
    assert found["E4"].distance == pytest.approx(expected)
    assert sum(found["E4"].parts.values()) == pytest.approx(expected**2)


def test_the_district_is_never_its_own_neighbour_and_k_is_kept() -> None:
    table = rules.standardise(_districts(), ("a", "b"))
    found = rules.nearest(table, "E2", {"a": 1, "b": 1}, 10)
    assert [n.gss_code for n in found].count("E2") == 0
    assert len(found) == 3
    assert [n.distance for n in found] == sorted(n.distance for n in found)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"income": -1}, "the weight of income must be a number from 0 to 100"),
        ({"income": float("nan")}, "the weight of income must be a number from 0 to 100"),
        ({"colour": 1}, "there is no metric 'colour'"),
        (dict.fromkeys(rules.METRIC_KEYS, 0.0), "at least one weight must be more than 0"),
    ],
)
def test_bad_weights_are_named(weights: dict[str, float], message: str) -> None:
    assert message in rules.check_weights(weights)


def test_the_median_and_range_beside_the_place() -> None:
    rows = rules.per_head_rows(
        {"07": 300, "09": 100},
        [{"07": 100}, {"07": 200, "09": 50}, {"07": 400}],
        {"07": "Health", "09": "Education", "10": "Social protection"},
    )
    health, schools, social = rows
    assert (health.peer_median_pence, health.peer_low_pence, health.peer_high_pence) == (
        200,
        100,
        400,
    )
    assert health.ratio == pytest.approx(1.5)
    assert schools.peer_median_pence == 50 and schools.ratio == pytest.approx(2.0)
    assert social.place_pence is None and social.ratio is None and social.peer_median_pence is None


def test_a_scatter_puts_every_point_inside_its_box_and_the_place_on_top() -> None:
    points = [
        rules.Point("E1", "One", 1000.0, 90.0, "place"),
        rules.Point("E2", "Two", 2500.0, 110.0, "peer"),
        rules.Point("E3", "Three", 4000.0, 100.0, "other"),
    ]
    chart = rules.scatter("t", "x", "y", points)
    assert len(chart.marks) == 3
    assert chart.marks[-1][2].role == "place"
    for x, y, _ in chart.marks:
        assert chart.margin <= x <= chart.width - 16
        assert 16 <= y <= chart.height - chart.margin
    # a larger value is further right; a larger outcome is higher up (smaller y)
    by_code = {p.gss_code: (x, y) for x, y, p in chart.marks}
    assert by_code["E1"][0] < by_code["E2"][0] < by_code["E3"][0]
    assert by_code["E2"][1] < by_code["E3"][1] < by_code["E1"][1]
    assert chart.correlation is not None and -1 <= chart.correlation <= 1


def test_an_empty_scatter_draws_nothing() -> None:
    assert rules.scatter("t", "x", "y", []).marks == []


counted = st.builds(
    rules.Counted,
    place_id=st.text("abc", min_size=1, max_size=5),
    place_name=st.text("abc", min_size=1, max_size=5),
    version=st.integers(1, 5),
    total_pence=st.integers(0, 10**14),
    population=st.one_of(st.none(), st.integers(1, 10**7)),
    agencies_counted=st.integers(0, 30),
    agencies_missing=st.integers(0, 5),
    estimated_pence=st.integers(0, 10**12),
    by_function_pence=st.dictionaries(
        st.sampled_from(["01", "07", "09", "10"]), st.integers(0, 10**13)
    ),
)


@given(st.lists(counted, max_size=6), st.one_of(st.none(), st.integers(1, 10**8)))
def test_the_roll_up_sums_what_was_counted_and_never_scales(
    places: list[rules.Counted], england: int | None
) -> None:
    rolled = rules.roll_up("2017-18", places, england)
    assert rolled.total_pence == sum(p.total_pence for p in places)
    assert rolled.population_covered == sum(p.population or 0 for p in places)
    for code, pence in rolled.by_function_pence.items():
        assert pence == sum(p.by_function_pence.get(code, 0) for p in places)
    # England's population changes only the coverage share, never the money
    assert rules.roll_up("2017-18", places, None).total_pence == rolled.total_pence
    if england and rolled.population_share is not None:
        assert rolled.population_share == rolled.population_covered / england


def test_a_place_without_population_adds_money_but_no_people() -> None:
    a = rules.Counted("a", "A", 1, 1000, 10, 2, 0, 0, {"07": 1000})
    b = rules.Counted("b", "B", 2, 500, None, 1, 1, 100, {"07": 500})
    rolled = rules.roll_up("2017-18", [a, b], 100)
    assert (rolled.total_pence, rolled.population_covered) == (1500, 10)
    assert rolled.places_without_population == ["B"]
    assert rolled.population_share == pytest.approx(0.1)
    assert (rolled.agencies_counted, rolled.agencies_missing) == (3, 1)
    assert rolled.without_function_pence == 0
    c = rules.Counted("c", "C", 1, 700, 5, 1, 0, 0, {"07": 600})
    assert rules.roll_up("2017-18", [a, c], None).without_function_pence == 100


def test_a_trend_is_the_cash_change() -> None:
    assert rules.Trend("E1", "x", "2017-18", 1000, "2024-25", 1250).change == pytest.approx(0.25)
    assert rules.Trend("E1", "x", "2017-18", None, "2024-25", 1250).change is None


def test_tick_labels_are_plain_numbers() -> None:
    big = rules.scatter(
        "t",
        "x",
        "y",
        [
            rules.Point("E1", "a", 8000.0, 20000.0, "other"),
            rules.Point("E2", "b", 11000.0, 270000.0, "other"),
        ],
    )
    labels = [label for _, label in big.y_ticks + big.x_ticks]
    assert "100,000" in labels and not any("e+" in label for label in labels)
    small = rules.scatter(
        "t",
        "x",
        "y",
        [rules.Point("E1", "a", 1.0, 0.1, "other"), rules.Point("E2", "b", 2.0, 0.45, "other")],
    )
    assert [label for _, label in small.y_ticks][:3] == ["0.1", "0.2", "0.3"]
