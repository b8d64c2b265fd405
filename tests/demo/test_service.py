"""The demo place, checked against the published figures it is built from: every
component of Trafford's 2017-18 top-down count recomputed here from the source rows of the
shipped RS, CRA and ONS files (read straight from the workbooks, not through the product's
readers)."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pytest
from python_calamine import CalamineWorkbook

from totalplace.core.store.db import Store
from totalplace.count.service.counting import count_place
from totalplace.demo.service import build_demo
from totalplace.national.files import DATA

TRAFFORD = "E08000009"
GREATER_MANCHESTER = [f"E080000{n:02d}" for n in range(1, 11)]
SERVICE_LINES = [190, 290, 330, 360, 390, 490, 509, 590, 599, 601, 602, 690, 698]
COUNTED = [*SERVICE_LINES, 711, 712, 713, 714, 721]
NDA = "Nuclear Decommissioning Authority BEIS"
# The published figure: the national count's total for Trafford, 2017-18.
PUBLISHED_TOTAL = Decimal("2128267253.99")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from totalplace.core.config import Settings
    from totalplace.core.store.db import open_store

    home = tmp_path_factory.mktemp("demo")
    store = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'demo.db'}"))
    build_demo(store=store)
    return store


def rs() -> dict[str, dict[int, object]]:
    rows = (
        CalamineWorkbook.from_path(str(DATA / "RS_2017-18_data_by_LA.xlsx"))
        .get_sheet_by_name("RS LA Data 2017-18")
        .to_python()
    )
    numbers = rows[5]
    return {
        r[1]: {int(n): r[i] for i, n in enumerate(numbers) if isinstance(n, float)}
        for r in rows[7:]
        if len(r) > 20 and str(r[1]).startswith("E")
    }


def pounds(value: object) -> Decimal:
    assert isinstance(value, int | float)
    return Decimal(repr(value)) * 1000


def mid_2017() -> dict[str, int]:
    with (DATA / "ons_mye4_mid2011-mid2023_population_by_la_ew_2023geog.csv").open() as f:
        return {r["Code"]: int(r["Mid-2017"]) for r in csv.DictReader(f)}


def by_agency(demo: Store) -> dict[str, Decimal]:
    result = count_place("trafford", "2017-18", store=demo).to_json()
    return {r["agency_id"]: r["gbp"] for r in result["by_agency"]}


def test_council_actuals_match_the_published_outturn(demo: Store) -> None:
    """Trafford Council: its own service lines (RS 190-698, total RS 699), housing benefit
    (RS 711) and parish precepts (RS 721); its levies (RS 722, 724) are not its spending."""
    trafford = rs()[TRAFFORD]
    assert sum(pounds(trafford[n]) for n in SERVICE_LINES) == pounds(trafford[699])
    expected = sum(pounds(trafford[n]) for n in COUNTED)
    assert by_agency(demo)["trafford-council"] == expected == Decimal("317552000.00")


def gm_share(body: str, members: list[str], lines: list[int]) -> Decimal:
    """A body's lines times Trafford's share of its members' mid-2017 population."""
    people = mid_2017()
    share = Fraction(people[TRAFFORD], sum(people[m] for m in members))
    total = sum(pounds(rs()[body][n]) for n in lines)
    return Decimal(total) * share.numerator / share.denominator


def test_greater_manchester_bodies_are_their_actual_returns_shared_by_population(
    demo: Store,
) -> None:
    got = by_agency(demo)
    not_fire = [n for n in COUNTED if n != 602]
    not_wigan = [m for m in GREATER_MANCHESTER if m != "E08000010"]
    expected = {
        "gm-police": gm_share("E23000005", GREATER_MANCHESTER, COUNTED),
        "gm-fire": gm_share("E47000001", GREATER_MANCHESTER, [602]),
        "gmca": gm_share("E47000001", GREATER_MANCHESTER, not_fire),
        "gm-waste": gm_share("E50000005", not_wigan, COUNTED),
    }
    for agency, pounds_expected in expected.items():
        # Each RS line is shared exactly among the districts: within a penny a line.
        assert abs(got[agency] - pounds_expected) <= Decimal("0.13"), agency
    # The combined authority's whole return, fire included: the issue's £21.3 m.
    assert abs(got["gmca"] + got["gm-fire"] - Decimal("21343372.97")) < 1
    assert abs(got["gm-waste"] - Decimal("15538156.30")) < 1  # and £15.5 m


def test_estimates_are_the_north_wests_cra_rows_shared_by_population(demo: Store) -> None:
    rows = (
        CalamineWorkbook.from_path(str(DATA / "CRA_2018_Database_for_Publication_rvsd.xlsx"))
        .get_sheet_by_name("CRA 2018 database")
        .to_python()
    )
    central = capital = located = Decimal(0)
    for row in rows[1:]:
        if str(row[12]).casefold() != "england_north west" or not isinstance(row[18], int | float):
            continue
        if row[1] == NDA:
            located += pounds(row[18])
        elif row[10] in ("CG", "PC"):
            central += pounds(row[18])
        elif row[10] == "LG" and row[9] == "CAP":
            capital += pounds(row[18])
    people = mid_2017()
    share = Decimal(people[TRAFFORD]) / Decimal(people["E12000002"])  # the North West
    got = by_agency(demo)
    assert abs(got["local-government-capital"] - capital * share) < 1
    local = {"trafford-council", "gm-police", "gm-fire", "gmca", "gm-waste"}
    estimated = sum(v for k, v in got.items() if k not in local | {"local-government-capital"})
    # Summed department by department and function by function, each shared exactly.
    assert abs(estimated - central * share) < 2
    assert located > 2_000_000_000  # Sellafield's billions are held out, not spread
    result = count_place("trafford", "2017-18", store=demo).to_json()
    assert result["total_gbp"] == PUBLISHED_TOTAL == sum(got.values())


def test_population_is_mid_2017(demo: Store) -> None:
    result = count_place("trafford", "2017-18", store=demo).to_json()
    assert result["population"] == mid_2017()[TRAFFORD] == 234917
    assert result["population_year"] == 2017
    assert not any("nearest year" in note for note in result["notes"])


def test_demo_agrees_with_the_national_count() -> None:
    from totalplace.national.service import district_count

    trafford = district_count(TRAFFORD, "2017-18")
    assert Decimal(trafford.total_pence) / 100 == PUBLISHED_TOTAL
    names: dict[str, int] = defaultdict(int)
    for c in trafford.components:
        names[c.body_kind] += c.pence
    assert names["council"] == 317_552_000_00


def test_nothing_pretends_to_be_actual(demo: Store) -> None:
    result = count_place("trafford", "2017-18", store=demo)
    statuses = {c.agency_id: c.status for c in result.coverage}
    # Actual: the council's own return, and its share of the GM bodies' actual returns.
    for agency in ("trafford-council", "gm-police", "gm-fire", "gmca", "gm-waste"):
        assert statuses.pop(agency) == "actual", agency
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
