"""Green Book appraisal, checked against figures worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.cases.rules.appraisal import (
    Adjustments,
    Case,
    Flow,
    appraise,
    discount_factors,
)
from totalplace.cases.rules.uncertainty import Distribution, simulate
from totalplace.core.reference import discount_schedule

GREEN_BOOK = discount_schedule()  # shipped reference data, src/totalplace/data


def test_green_book_discount_factors() -> None:
    # HM Treasury, The Green Book (2022): 3.5% a year to year 30, then 3.0%.
    # Published factors: year 1 0.9662, year 10 0.7089, year 30 0.3563.
    factors = discount_factors(60, schedule=GREEN_BOOK)
    assert round(factors[1], 4) == 0.9662
    assert round(factors[10], 4) == 0.7089
    assert round(factors[30], 4) == 0.3563
    # Year 31 is discounted at 3%: 0.35628 / 1.03.
    assert factors[31] == pytest.approx(factors[30] / 1.03)
    assert factors[60] == pytest.approx(1.035**-30 * 1.03**-30)


def family_support(adjustments: Adjustments = Adjustments()) -> Case:
    return Case(
        "Intensive family support",
        costs=[Flow("council", 0, 100_000)],
        benefits=[Flow("nhs", t, 30_000) for t in range(1, 6)],
        adjustments=adjustments,
        schedule=GREEN_BOOK,
    )


def test_worked_example_without_adjustments() -> None:
    # By hand: 30,000 x (0.966184 + 0.933511 + 0.901943 + 0.871442 + 0.841973)
    #        = 30,000 x 4.515052 = 135,451.57; NPV 35,451.57; BCR 1.3545.
    # Discounted net by year: -100,000, -71,014.49, -43,009.17, -15,950.89, +10,192.38:
    # it pays back in year 4. The council pays; the NHS saves: the wrong pocket.
    result = appraise(family_support())
    assert result.pv_benefits == pytest.approx(135_451.57, abs=0.01)
    assert result.npv == pytest.approx(35_451.57, abs=0.01)
    assert result.bcr == pytest.approx(1.3545, abs=1e-4)
    assert result.payback_year == 4
    by_agency = {r.agency: r.npv for r in result.agencies}
    assert by_agency["council"] == -100_000
    assert by_agency["nhs"] == pytest.approx(135_451.57, abs=0.01)
    assert result.pays_and_saves == {
        "council": [-100_000, 0, 0, 0, 0, 0],
        "nhs": [0, 30_000, 30_000, 30_000, 30_000, 30_000],
    }


def test_worked_example_with_adjustments() -> None:
    # Optimism bias 20% on costs: 120,000. Benefits less 10% deadweight and 5%
    # displacement (x 0.855), falling 10% a year after the first:
    # 25,650.00; 23,085.00; 20,776.50; 18,698.85; 16,828.97 (years 1 to 5).
    # Discounted (x 0.966184, 0.933511, 0.901943, 0.871442, 0.841973):
    # 24,782.61 + 21,550.10 + 18,739.21 + 16,294.97 + 14,169.54 = 95,536.43.
    adjustments = Adjustments(optimism_bias=0.2, deadweight=0.1, displacement=0.05, drop_off=0.1)
    result = appraise(family_support(adjustments))
    assert result.pv_costs == pytest.approx(120_000)
    assert result.pv_benefits == pytest.approx(95_536.43, abs=0.02)
    assert result.npv == pytest.approx(-24_463.57, abs=0.02)
    assert result.payback_year is None


def test_fixed_rate_and_cashable_split() -> None:
    case = Case(
        "c",
        [Flow("a", 0, 100)],
        [Flow("b", 1, 110, cashable=False), Flow("b", 1, 110)],
        discount_rate=0.1,
    )
    result = appraise(case)
    assert result.pv_benefits == pytest.approx(200)
    assert result.pv_cashable == pytest.approx(100)


def test_uncertainty_with_fixed_inputs_is_the_point_estimate() -> None:
    case = family_support(Adjustments(optimism_bias=0.2, deadweight=0.1))
    point = appraise(case)
    fixed = simulate(case, {"deadweight": Distribution("fixed", {"value": 0.1})}, draws=200)
    assert fixed.npv.mean == pytest.approx(point.npv)
    assert fixed.npv.low == pytest.approx(point.npv)
    assert fixed.agencies["council"][1] == 0.0  # the payer is never better off
    assert fixed.agencies["nhs"][1] == 1.0


def test_uncertainty_intervals_and_chances() -> None:
    case = family_support()
    result = simulate(
        case,
        {
            "deadweight": Distribution("uniform", {"low": 0.0, "high": 0.4}),
            "benefits:nhs": Distribution("normal", {"mean": 1.0, "sd": 0.1}),
            "optimism_bias": Distribution("triangular", {"low": 0.0, "mode": 0.2, "high": 0.5}),
        },
        draws=20_000,
        seed=5,
    )
    # NPV is linear in the inputs, so its mean is the NPV at the inputs' means:
    # 135,451.57 x (1 - 0.2) x 1.0 - 100,000 x (1 + 0.2333) = -15,694.6
    assert result.npv.mean == pytest.approx(135_451.57 * 0.8 - 100_000 * (1 + 0.7 / 3), abs=600)
    assert result.npv.low < result.npv.mean < result.npv.high
    assert 0.0 < result.probability_positive < 0.5


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 40), st.floats(0, 1e6)),
        min_size=1,
        max_size=12,
    ),
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 40), st.floats(0, 1e6)),
        max_size=12,
    ),
)
def test_agencies_add_up_to_the_whole(
    costs: list[tuple[str, int, float]], benefits: list[tuple[str, int, float]]
) -> None:
    case = Case(
        "p",
        [Flow(*c) for c in costs],
        [Flow(*b) for b in benefits],
        Adjustments(optimism_bias=0.15, deadweight=0.2, drop_off=0.05),
        schedule=GREEN_BOOK,
    )
    result = appraise(case)
    assert sum(r.npv for r in result.agencies) == pytest.approx(result.npv, rel=1e-9, abs=1e-6)
    flows = np.array([sum(v) for v in zip(*result.pays_and_saves.values(), strict=True)])
    assert float(np.dot(flows, result.discount)) == pytest.approx(result.npv, rel=1e-9, abs=1e-6)


def test_one_entry_can_vary_on_its_own() -> None:
    case = Case(
        "two",
        [Flow("a", 0, 100, line=0)],
        [Flow("b", 1, 50, line=0), Flow("c", 1, 80, line=1)],
        schedule=GREEN_BOOK,
    )
    result = simulate(case, {"benefits[1]": Distribution("fixed", {"value": 0.0})}, draws=100)
    assert result.npv.mean == pytest.approx(50 / 1.035 - 100)
    assert result.agencies["c"][0].mean == 0
