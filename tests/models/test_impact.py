"""Budget impact in the page: what a change moving people between two strategies of a
model shifts onto every agency, year by year."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.models.test_forms import SHAPE, TABLES, post
from tests.workspace import Workspace
from totalplace.models.rules.shift import shifted_costs

P = "/places/testshire"


def test_cohorts_add_up_year_by_year_as_worked_by_hand() -> None:
    now = np.array([[0.0, 10.0], [0.0, 20.0]])  # two cycles, two agencies
    after = np.array([[5.0, 10.0], [5.0, 30.0]])
    shift = shifted_costs(["council", "police"], now, after, people=2, years=2, discount_rate=0.1)
    # Cohort 1 starts in year 0, cohort 2 in year 1; each differs by [10, 0] then [10, 20].
    assert shift.by_agency == {"council": [10, 20, 10], "police": [0, 20, 20]}
    assert shift.present_value["council"] == pytest.approx(10 + 20 / 1.1 + 10 / 1.21)
    assert shift.place_present_value == pytest.approx(
        shift.present_value["council"] + 20 / 1.1 + 20 / 1.21
    )


@settings(max_examples=40, deadline=None)
@given(
    cycles=st.integers(1, 6),
    years=st.integers(1, 6),
    people=st.floats(0, 1e4),
    seed=st.integers(0, 1000),
)
def test_every_pound_of_every_cohort_is_counted_once(
    cycles: int, years: int, people: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    now, after = rng.uniform(0, 1000, (cycles, 3)), rng.uniform(0, 1000, (cycles, 3))
    shift = shifted_costs(["a", "b", "c"], now, after, people, years, discount_rate=0.0)
    assert shift.years == years + cycles - 1
    for i, agency in enumerate("abc"):
        expected = years * people * float((after - now)[:, i].sum())
        assert sum(shift.by_agency[agency]) == pytest.approx(expected, rel=1e-9, abs=1e-6)
        assert shift.present_value[agency] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_the_impact_page_shows_every_agency_year_by_year(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    made = post(analyst, {**SHAPE, **TABLES})
    number = made.headers["location"].rsplit("/", 1)[1]
    empty = analyst.get(f"{P}/models/impact")
    assert empty.status_code == 200 and "Show the impact" in empty.text
    page = analyst.get(
        f"{P}/models/impact",
        params={
            "model": number,
            "now": "with support",
            "after": "today",
            "people": "100",
            "years": "2",
            "first_year": "2026-27",
        },
    )
    assert page.status_code == 200, page.text
    assert 'id="impact"' in page.text
    for year in ("2026-27", "2027-28", "2031-32"):  # 2 cohorts, 5 cycles each: 6 years
        assert year in page.text
    assert "2032-33" not in page.text
    # Cutting the support leaves more people out of work: more cost for the DWP.
    row = page.text.split('<th scope="row" class="govuk-table__header">dwp</th>')[1].split("</tr>")[
        0
    ]
    assert "+" in row and "\u2212" not in row  # a minus sign: less cost
    assert "Estimate, not actual" in page.text and "the Green Book" in page.text


def test_a_wrong_field_is_named(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    number = post(analyst, {**SHAPE, **TABLES}).headers["location"].rsplit("/", 1)[1]
    base = {"model": number, "now": "today", "after": "today", "years": "0", "first_year": "x"}
    page = analyst.get(f"{P}/models/impact", params={**base, "people": "-5"})
    assert page.status_code == 400
    for field in ("after", "people", "years", "first_year"):
        assert f'href="#{field}"' in page.text and f'id="{field}-error"' in page.text
    missing = analyst.get(f"{P}/models/impact", params={"model": "999"})
    assert missing.status_code == 400 and "choose one of the place&#39;s models" in missing.text
    assert workspace.client("viewer").get(f"{P}/models/impact").status_code == 403
