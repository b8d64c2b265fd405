"""Benchmarking's use cases: spend per head beside the peers, the charts and their tables,
and the national roll-up of the places' published counts."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import HANDMADE
from totalplace.core.money import pounds_to_pence
from totalplace.core.problems import TotalplaceError
from totalplace.core.store.db import Store
from totalplace.count.service.publishing import publication, publish
from totalplace.peers import files, service
from totalplace.places.service.packages import import_package

TRAFFORD = "E08000009"


@dataclass
class Figures:
    """A district's top-down count in the national count's shape, made up for the test."""

    gss_code: str
    name: str
    population: int
    per_head_pence: int
    by_cofog_division: dict[str, int]
    population_year: int = 2017
    estimated_share: float = 0.5
    warnings: list[str] = field(default_factory=list)

    @property
    def total_pence(self) -> int:
        return self.per_head_pence * self.population

    @property
    def local_government_actual_pence(self) -> int:
        return self.by_cofog_division.get("09", 0)


def made_up() -> dict[str, Figures]:
    """Every district: £100 a head on health times its position, £50 on education."""
    found = {}
    for i, d in enumerate(files.districts(), 1):
        population = 100_000
        found[d.gss_code] = Figures(
            d.gss_code,
            d.name,
            population,
            15_000 * i,
            {"07": 10_000 * i * population, "09": 5_000 * population},
        )
    return found


def test_spend_per_head_beside_the_peers_is_their_median_and_range() -> None:
    counted = made_up()
    group = service.peer_group(TRAFFORD, k=5)
    result = service.benchmark(TRAFFORD, "2017-18", group, counted=counted)
    assert result.available and result.peers_with_figures == 5
    health = next(r for r in result.rows if r.code == "07")
    peers = sorted(counted[c].by_cofog_division["07"] // 100_000 for c in group.codes)
    assert health.place_pence == counted[TRAFFORD].by_cofog_division["07"] // 100_000
    assert (health.peer_low_pence, health.peer_median_pence, health.peer_high_pence) == (
        peers[0],
        peers[2],
        peers[-1],
    )
    education = next(r for r in result.rows if r.code == "09")
    assert education.ratio == pytest.approx(1.0)
    assert result.total is not None and result.total.place_pence == counted[TRAFFORD].per_head_pence
    assert [r.code for r in result.rows] == [f"{n:02d}" for n in range(1, 11)]


def test_without_the_national_count_the_comparison_says_so() -> None:
    group = service.peer_group(TRAFFORD, k=3)
    result = service.benchmark(TRAFFORD, "2017-18", group, counted={})
    assert not result.available and result.rows == []


def test_each_chart_s_table_is_its_points() -> None:
    counted = made_up()
    group = service.peer_group(TRAFFORD, k=5)
    charts = service.charts(TRAFFORD, "2017-18", group, counted=counted)
    assert {c.outcome.key for c in charts} == {"imd", "health-index", "looked-after", "asc5", "gdp"}
    for chart in charts:
        points = chart.scatter.points
        assert len(chart.scatter.marks) == len(points)
        assert {p.gss_code for _, _, p in chart.scatter.marks} == {p.gss_code for p in points}
        for p in points:
            assert p.x == counted[p.gss_code].per_head_pence / 100
            assert p.y == chart.outcome.values[p.gss_code]
        roles = {p.gss_code: p.role for p in points}
        assert roles[TRAFFORD] == "place"
        assert {c for c, r in roles.items() if r == "peer"} <= set(group.codes)
        assert chart.outcome.year in chart.scatter.title


def test_social_care_charts_leave_out_districts_of_counties() -> None:
    counted = made_up()
    lancaster = "E07000121"
    group = service.peer_group(lancaster, k=5)
    charts = {
        c.outcome.key: c for c in service.charts(lancaster, "2017-18", group, counted=counted)
    }
    cla = charts["looked-after"]
    assert lancaster not in {p.gss_code for p in cla.scatter.points}
    assert cla.note and "its county does" in cla.note
    assert lancaster in {p.gss_code for p in charts["imd"].scatter.points}


def test_bad_options_are_refused_with_their_field() -> None:
    with pytest.raises(service.UnknownDistrict) as unknown:
        service.peer_group("E10000017")
    assert unknown.value.problems[0].code == "unknown-district"
    with pytest.raises(service.BadPeerOptions) as k:
        service.peer_group(TRAFFORD, k=0)
    assert k.value.problems[0].column == "k"
    with pytest.raises(service.BadPeerOptions) as weights:
        service.parse_weights({"income": "lots", "health": "2"})
    assert weights.value.problems[0].column == "w-income"
    assert weights.value.problems[0].code == "bad-peer-options"
    with pytest.raises(service.BadPeerOptions) as negative:
        service.parse_weights({"crime": "-1"})
    assert negative.value.problems[0].column == "w-crime"
    with pytest.raises(TotalplaceError):
        service.peer_group(TRAFFORD, "cipfa")


def test_a_published_set_has_no_group_for_a_shire_district() -> None:
    group = service.peer_group("E07000121", "dfe-2021")
    assert group.peers == [] and group.note is not None and "Lancashire" in group.note
    trafford = service.peer_group(TRAFFORD, "dfe-2021")
    assert trafford.peers[0].name == "Hertfordshire" and trafford.peers[0].band == "Very Close"


def _second_place(tmp_path: Path, store: Store) -> None:
    copy = tmp_path / "otherton"
    shutil.copytree(HANDMADE, copy)
    for path in copy.glob("*.csv"):
        text = path.read_text().replace("testshire,Testshire", "otherton,Otherton")
        path.write_text(text.replace("testshire", "otherton"))
    import_package(copy, store=store)


def test_the_roll_up_sums_the_places_published_counts(store: Store, tmp_path: Path) -> None:
    import_package(HANDMADE, store=store)
    _second_place(tmp_path, store)
    publish(store, "testshire", "2009-10", "lead@testshire.test")
    publish(store, "testshire", "2009-10", "lead@testshire.test")  # version 2 counts once
    publish(store, "otherton", "2009-10", "lead@otherton.test")
    rolled = service.rollup(store, "2009-10")
    one = publication(store, "testshire", "2009-10", 2)
    two = publication(store, "otherton", "2009-10", 1)
    assert one is not None and two is not None
    each = [pounds_to_pence(Decimal(str(p.figures["total_gbp"]))) for p in (one, two)]
    assert rolled.total_pence == sum(each)
    assert [c.place_id for c in rolled.places] == ["otherton", "testshire"]
    assert {c.version for c in rolled.places} == {1, 2}
    assert rolled.population_covered == sum(int(p.figures["population"]) for p in (one, two))
    assert sum(rolled.by_function_pence.values()) <= rolled.total_pence
    assert service.rollup_years(store) == ["2009-10"]
    # a year nobody published is empty, not estimated
    nothing = service.rollup(store, "2010-11")
    assert nothing.places == [] and nothing.total_pence == 0
    with pytest.raises(service.BadPeerOptions):
        service.rollup(store, "2009")


def test_the_place_s_own_published_count_per_head(store: Store) -> None:
    import_package(HANDMADE, store=store)
    assert service.own_count(store, "testshire", "2009-10") is None
    publish(store, "testshire", "2009-10", "lead@testshire.test")
    own = service.own_count(store, "testshire", "2009-10")
    found = publication(store, "testshire", "2009-10", 1)
    assert own is not None and found is not None
    assert own.version == 1 and own.place_name == "Testshire"
    assert own.per_head_pence == pounds_to_pence(Decimal(str(found.figures["per_head_gbp"])))
    assert service.place_districts(store, "testshire") == ["E06000047"]


def test_trafford_s_trend_is_its_own_returns_per_head() -> None:
    # RS 2017-18 line 699: £261,939k; RSX 2024-25 total service expenditure (C7): £446,685k;
    # ONS rebased mid-2017 234,917 and mid-2023 237,480 (SOURCE.md of each)
    trend = service.trends(service.peer_group(TRAFFORD, k=3))[0]
    assert trend.gss_code == TRAFFORD and trend.note is None
    assert trend.first_pence == round(261_939 * 100_000 / 234_917)
    assert trend.last_pence == round(446_685 * 100_000 / 237_480)
    assert trend.change == pytest.approx(trend.last_pence / trend.first_pence - 1)


def test_a_two_tier_district_adds_its_county_per_head_of_the_county() -> None:
    lancaster, lancashire = "E07000121", "E10000017"
    spending = files.council_spending("2017-18")
    people = files.populations_2023_geography()
    expected = round(spending.pence[lancaster] / people[lancaster]["2017"]) + round(
        spending.pence[lancashire] / people[lancashire]["2017"]
    )
    assert service.council_per_head(lancaster, "2017-18") == pytest.approx(expected, abs=1)


def test_a_missing_return_is_said_never_zero() -> None:
    copeland = "E07000029"  # its 2017-18 return is all "…"; abolished in 2023
    assert copeland in files.council_spending("2017-18").missing
    trend = service.trends(service.peer_group(copeland, k=1))[0]
    assert trend.first_pence is None and trend.last_pence is None and trend.change is None
    assert trend.note is not None and "no figures in the 2017-18 return" in trend.note
    assert "not a council in 2024-25" in trend.note


def test_tiny_districts_are_left_out_of_the_charts() -> None:
    counted = made_up()
    counted["E09000001"].population = 8_000  # the City of London
    group = service.peer_group(TRAFFORD, k=5)
    for chart in service.charts(TRAFFORD, "2017-18", group, counted=counted):
        assert "E09000001" not in {p.gss_code for p in chart.scatter.points}
