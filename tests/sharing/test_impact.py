"""Budget impact: what one agency's cut shifts onto the others, worked by hand."""

from __future__ import annotations

import pytest

from tests.helpers import DATA, cli, exact_json
from totalplace.core.reference import discount_schedule
from totalplace.sharing.rules.impact import Change, Link, budget_impact


def test_a_cut_and_the_costs_it_shifts() -> None:
    # The council saves 400,000 a year in years 0-2. Each pound saved costs the NHS 50p
    # in each of the next two years, and the police 5p at once.
    impact = budget_impact(
        Change("council", 0, 2, 400_000),
        [Link("council", "nhs", 0.5, lag=1, duration=2), Link("council", "police", 0.05)],
        discount_rate=0.0,
    )
    assert impact.by_agency["council"] == [-400_000, -400_000, -400_000, 0, 0]
    # Year 1: 200,000 (from year 0); year 2: 400,000 (years 0 and 1); year 3: 400,000
    # (years 1 and 2); year 4: 200,000 (year 2).
    assert impact.by_agency["nhs"] == [0, 200_000, 400_000, 400_000, 200_000]
    assert impact.by_agency["police"] == [20_000, 20_000, 20_000, 0, 0]
    # Undiscounted, the place saves 1,200,000 and spends 1,260,000: the cut costs 60,000.
    assert impact.place_present_value == pytest.approx(60_000)


def test_discounted_with_the_green_book() -> None:
    impact = budget_impact(
        Change("council", 0, 0, 100.0),
        [Link("council", "nhs", 1.0, 1)],
        schedule=discount_schedule(),
    )
    assert impact.present_value["nhs"] == pytest.approx(100 / 1.035)
    assert impact.place_present_value == pytest.approx(-100 + 100 / 1.035)


def test_cli() -> None:
    body = exact_json(
        cli("case", "impact", str(DATA / "cases" / "day_centres_cut.json"), "--json").stdout
    )
    assert [float(v) for v in body["by_agency"]["nhs"]] == [0, 200_000, 400_000, 400_000, 200_000]
    # Discounted: council -400,000 x 2.899695 = -1,159,878.0; NHS 193,236.8 + 373,404.4 +
    # 360,777.2 + 174,288.4 = 1,101,706.8; police 20,000 x 2.899695 = 57,993.9. Once
    # the later NHS costs are discounted, the cut barely saves the place anything.
    assert float(body["place_present_value_gbp"]) == pytest.approx(-177.3, abs=0.1)
