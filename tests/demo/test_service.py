"""The demo place, checked against the published figures it is built from."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from python_calamine import CalamineWorkbook

from totalplace.core.store.db import Store
from totalplace.count.service.counting import count_place
from totalplace.demo.service import DEMO_SOURCES, NORTH_WEST, build_demo

DEMO = DEMO_SOURCES
PENNY = Decimal("0.01")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from totalplace.core.config import Settings
    from totalplace.core.store.db import open_store

    home = tmp_path_factory.mktemp("demo")
    store = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'demo.db'}"))
    build_demo(store=store)
    return store


def published_council_total() -> Decimal:
    """RS line 699, 'TOTAL SERVICE EXPENDITURE', for Trafford, in pounds."""
    rows = (
        CalamineWorkbook.from_path(str(DEMO / "RS_2017-18_data_by_LA.xlsx"))
        .get_sheet_by_name("RS LA Data 2017-18")
        .to_python()
    )
    column = rows[5].index(699.0)
    (trafford,) = [r for r in rows if r[1] == "E08000009"]
    return Decimal(repr(trafford[column])) * 1000


def expected_estimates() -> Decimal:
    """Recomputed here from the Treasury's rows: each line in pounds, times Trafford's
    share of the North West's population, rounded half to even at the penny."""
    import csv

    with (DEMO / "ons_mye_mid-2020_ltla2021_england_wales_single_year_of_age.csv").open() as f:
        people = {r["ltla21_code"]: int(r["total_population"]) for r in csv.DictReader(f)}
    share = (Decimal(people["E08000009"]) / sum(people[c] for c in NORTH_WEST)).quantize(
        Decimal("1e-12"), rounding=ROUND_HALF_EVEN
    )
    rows = (
        CalamineWorkbook.from_path(str(DEMO / "CRA_2018_Database_for_Publication_rvsd.xlsx"))
        .get_sheet_by_name("CRA 2018 database")
        .to_python()
    )
    total = Decimal(0)
    for row in rows[1:]:
        in_region = str(row[12]).casefold() == "england_north west"
        sector, function = row[10], str(row[6])
        wanted = sector in ("CG", "PC") or (
            sector == "LG" and function.split(" ")[0] in ("3.1", "3.2")
        )
        if in_region and wanted and isinstance(row[18], int | float):
            pounds = (Decimal(repr(row[18])) * 1000).quantize(PENNY, ROUND_HALF_EVEN)
            total += (pounds * share).quantize(PENNY, ROUND_HALF_EVEN)
    return total


def test_council_actuals_match_the_published_outturn(demo: Store) -> None:
    result = count_place("trafford", "2017-18", store=demo).to_json()
    council = {r["agency_id"]: r["gbp"] for r in result["by_agency"]}["trafford-council"]
    assert council == published_council_total() == Decimal("261939000.00")


def test_total_is_council_plus_apportioned_estimates(demo: Store) -> None:
    result = count_place("trafford", "2017-18", store=demo).to_json()
    assert result["total_gbp"] == published_council_total() + expected_estimates()
    assert result["estimated_gbp"] == expected_estimates()
    assert result["population"] == 237579
    assert result["population_year"] == 2020
    assert any("mid-2020" in note for note in result["notes"])


def test_nothing_pretends_to_be_actual(demo: Store) -> None:
    result = count_place("trafford", "2017-18", store=demo)
    statuses = {c.agency_id: c.status for c in result.coverage}
    assert statuses.pop("trafford-council") == "actual"
    assert set(statuses.values()) == {"estimate"}
    assert len(statuses) >= 10


def test_ledger_year_matches_the_published_net_total(demo: Store) -> None:
    result = count_place("trafford", "2026-27", store=demo)
    # Trafford's source note: net total of Amount £95,896,941.89 over 38,055 lines.
    assert result.total_pence == 9_589_694_189
    assert result.line_count == 38055
    assert result.population == 241025 and result.population_year == 2024


def test_part_year_ledger_is_said_to_be_a_part_year(demo: Store) -> None:
    notes = count_place("trafford", "2026-27", store=demo).notes
    assert (
        "Trafford Council's dated lines run from 2026-04-01 to 2026-05-29 only: a part year."
        in notes
    )
