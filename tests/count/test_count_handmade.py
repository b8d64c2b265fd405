"""The count of a hand-made place with transfers and apportionment, to the penny."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers import HANDMADE
from totalplace.core.store.db import Store
from totalplace.count.service.counting import count_place
from totalplace.places.service.packages import import_package


@pytest.fixture
def counted(store: Store) -> dict[str, object]:
    import_package(HANDMADE, store=store, actor="tester")
    return count_place("testshire", "2009-10", store=store).to_json()


def test_total_and_per_head(counted: dict[str, object]) -> None:
    assert counted["total_gbp"] == Decimal("4300000.52")
    assert counted["population"] == 500000
    assert counted["population_year"] == 2009
    assert counted["per_head_gbp"] == Decimal("8.60")


def test_apportionment_multiplies_each_line_then_rounds_half_even(
    counted: dict[str, object],
) -> None:
    agencies = {r["agency_id"]: r["gbp"] for r in counted["by_agency"]}  # type: ignore[attr-defined]
    # 1,000,000.01 x 0.25 -> 250,000.00; 0.02 x 0.25 -> 0.00; 0.06 x 0.25 -> 0.02
    assert agencies["police"] == Decimal("250000.02")
    assert agencies == {
        "council": Decimal("1660000.50"),
        "pct": Decimal("2090000.00"),
        "police": Decimal("250000.02"),
        "dwp": Decimal("300000.00"),
    }


def test_transfers_are_eliminated_from_the_payer(counted: dict[str, object]) -> None:
    # 100,000 council -> pct, and the police's 40,000 grant apportioned to 10,000.
    assert counted["transfers_eliminated_gbp"] == Decimal("110000.00")


def test_reconciliation_reports_only_disagreements(counted: dict[str, object]) -> None:
    assert counted["reconciliation"] == [
        {
            "payer_agency_id": "council",
            "receiver_agency_id": "pct",
            "paid_gbp": Decimal("100000.00"),
            "received_gbp": Decimal("90000.00"),
            "difference_gbp": Decimal("-10000.00"),
        }
    ]


def test_breakdowns(counted: dict[str, object]) -> None:
    divisions = {r["code"]: r["gbp"] for r in counted["by_cofog_division"]}  # type: ignore[attr-defined]
    assert divisions == {
        "03": Decimal("260000.02"),
        "04": Decimal("400000.00"),
        "07": Decimal("2090000.00"),
        "09": Decimal("250000.50"),
        "10": Decimal("1300000.00"),
    }
    groups = {r["code"]: r["gbp"] for r in counted["by_cofog_group"]}  # type: ignore[attr-defined]
    assert groups["07.3"] == Decimal("2000000.00")
    assert groups["03.6"] == Decimal("10000.00")
    themes = {r["theme"]: r["gbp"] for r in counted["by_theme"]}  # type: ignore[attr-defined]
    assert themes == {
        "older people": Decimal("1000000.00"),
        "early years": Decimal("250000.50"),
        "young people": Decimal("250000.50"),
    }
    kinds = {r["spend_type"]: r["gbp"] for r in counted["by_spend_type"]}  # type: ignore[attr-defined]
    assert kinds == {"capital": Decimal("400000.00"), "revenue": Decimal("3900000.52")}


def test_coverage_and_estimated_share(counted: dict[str, object]) -> None:
    statuses = {c["agency_id"]: c["status"] for c in counted["coverage"]}  # type: ignore[attr-defined]
    assert statuses == {"council": "actual", "pct": "actual", "police": "actual", "dwp": "estimate"}
    assert counted["estimated_gbp"] == Decimal("300000.00")
    assert counted["estimated_share"] == Decimal("0.0698")


def test_other_year_is_counted_on_its_own(store: Store) -> None:
    import_package(HANDMADE, store=store)
    later = count_place("testshire", "2010-11", store=store)
    assert later.total_pence == 90_000_000
    assert later.population == 501000
    assert any(
        "No 2010-11 return yet from: Department for Work and Pensions, Testshire Primary Care"
        " Trust, Four Counties Police" in n
        for n in later.notes
    )


def test_missing_population_year_uses_nearest_and_says_so(store: Store) -> None:
    import_package(HANDMADE, store=store)
    result = count_place("testshire", "2014-15", store=store)
    assert result.population_year == 2010
    assert any("mid-2010, the nearest year held to mid-2014" in n for n in result.notes)
    assert result.total_pence == 0
