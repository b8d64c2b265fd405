"""Benchmarking's shipped data read as published: every district's metrics, the published
sets, the outcomes, and Trafford's computed neighbours beside the published ones."""

from __future__ import annotations

import math

import pytest

from totalplace.peers import files, rules, service

TRAFFORD = "E08000009"


def test_every_english_district_has_every_metric() -> None:
    districts = files.districts()
    assert len(districts) == 309
    for d in districts:
        assert set(d.values) == set(rules.METRIC_KEYS), d.gss_code
        assert all(math.isfinite(v) for v in d.values.values()), d.gss_code


def test_trafford_is_read_as_published() -> None:
    trafford = next(d for d in files.districts() if d.gss_code == TRAFFORD)
    people = files.populations()[TRAFFORD]
    assert trafford.name == "Trafford"
    assert trafford.values["population"] == pytest.approx(math.log(people["total"]))
    assert files.deprivation()[TRAFFORD]["imd"] == pytest.approx(16.088)  # File 10
    assert trafford.values["rural"] < 0.05  # urban with major conurbation
    assert 0.15 < trafford.values["older"] < 0.2


def test_merged_districts_take_their_predecessors_scores_weighted_by_population() -> None:
    # Buckinghamshire (2020) from its four districts' IMD 2019 scores and 2011 populations
    old = {"E07000004": None, "E07000005": None, "E07000006": None, "E07000007": None}
    rows = {
        r["ltla19_code"]: float(r["Score"])
        for r in files._rows("imd2019_england_ltla19.csv")
        if r["ltla19_code"] in old
    }
    weights = files.population_2011()
    expected = sum(rows[c] * weights[c] for c in rows) / sum(weights[c] for c in rows)
    assert files.deprivation()["E06000060"]["imd"] == pytest.approx(expected)
    assert "E07000004" not in files.deprivation()


def test_the_dfe_sets_are_keyed_by_gss_code() -> None:
    sets = files.published_sets()
    trafford_2021 = [code for code, _ in sets["dfe-2021"].neighbours[TRAFFORD]]
    # SOURCE.md: 919 Hertfordshire, 305 Bromley, 334 Solihull, 356 Stockport ...
    assert trafford_2021[:4] == ["E10000015", "E09000006", "E08000029", "E08000007"]
    assert len(trafford_2021) == 10
    assert sets["dfe-2025"].neighbours[TRAFFORD][0] == ("E10000015", "Very close")
    assert len(sets["dfe-2021"].neighbours) >= 150


def test_trafford_computed_neighbours_are_plausible() -> None:
    group = service.peer_group(TRAFFORD, k=15)
    computed = set(group.codes)
    # Neighbours published by others: the DfE's (children's services) and Oflog's list
    # (its codes as SOURCE.md quotes them; the list itself is not shipped).
    dfe = {
        c
        for s in ("dfe-2021", "dfe-2025")
        for c, _ in files.published_sets()[s].neighbours[TRAFFORD]
    }
    oflog = {
        "E06000004",
        "E06000006",
        "E06000007",
        "E06000015",
        "E06000020",
        "E06000025",
        "E06000030",
        "E06000031",
        "E06000042",
        "E06000050",
        "E06000055",
        "E06000061",
        "E08000002",
        "E08000007",
        "E08000029",
    }
    assert {"E08000007", "E08000029"} <= computed  # Stockport and Solihull: in all three
    assert len(computed & oflog) >= 4
    assert len(computed & dfe) >= 2
    # no inner-city or rural district comes close
    assert not computed & {"E08000003", "E09000030", "E07000026", "E06000057"}


def test_the_weights_change_trafford_s_peers() -> None:
    default = service.peer_group(TRAFFORD, k=10).codes
    rural_only = dict.fromkeys(rules.METRIC_KEYS, 0.0) | {"rural": 1.0, "density": 1.0}
    changed = service.peer_group(TRAFFORD, weights=rural_only, k=10).codes
    assert changed != default
    deprivation = dict.fromkeys(rules.METRIC_KEYS, 0.0) | {"income": 1.0}
    by_income = service.peer_group(TRAFFORD, weights=deprivation, k=5)
    mine = files.deprivation()[TRAFFORD]["income"]
    for code in by_income.codes:
        assert abs(files.deprivation()[code]["income"] - mine) < 0.02


def test_outcomes_are_labelled_with_year_and_source() -> None:
    for outcome in files.outcomes():
        assert outcome.year and outcome.source and outcome.unit
        assert len(outcome.values) > 100, outcome.key
    assert files.health_index("2017").values[TRAFFORD] == pytest.approx(111.5)
    assert files.gdp_per_head().values[TRAFFORD] == pytest.approx(40349)
    assert files.looked_after("2025").values[TRAFFORD] == pytest.approx(62)


def test_missing_social_care_values_recorded_as_zero_are_missing() -> None:
    # SOURCE.md: Trafford ASC2 2019-20 is recorded as 0
    assert TRAFFORD not in files.adult_social_care("ASC2", "2019-20").values


def test_districts_map_to_the_authority_that_runs_social_care() -> None:
    upper = files.upper_tier()
    assert upper[TRAFFORD] == TRAFFORD
    assert upper["E07000121"] == "E10000017"  # Lancaster, in Lancashire
    assert upper["E07000029"] == "E10000006"  # Copeland, in Cumbria until 2023
