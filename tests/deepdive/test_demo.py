"""The demo's older-people deep dive, each component checked against its own source:
the CRA's old-age spending and Attendance Allowance by Trafford's share of over-65s
(ONS), the council's adult social care (RS) by the over-65 share of its ledger's
age-banded care, and the ledger's cost centres for people over 65; and the grants."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from totalplace.core.store.db import Store
from totalplace.count.service.sources import read_country_regional_analysis, read_revenue_outturn
from totalplace.deepdive import service
from totalplace.demo import service as demo
from totalplace.demo.service import build_demo

SOURCES = demo.DEMO_SOURCES
BANDED = re.compile(r"^(.+?)\s+(18-64|65-74|75-84|85\s?\+)(\s+LT)?$", re.I)


def ons() -> tuple[Decimal, Decimal]:
    """(Trafford's share of all the North West's people, the over-65 factor)."""
    people = {}
    with (SOURCES / "ons_mye_mid-2020_ltla2021_england_wales_single_year_of_age.csv").open() as f:
        for row in csv.DictReader(f):
            older = sum(int(row[str(a)]) for a in range(65, 90)) + int(row["90+"])
            people[row["ltla21_code"]] = (int(row["total_population"]), older)
    everyone = Decimal(people["E08000009"][0]) / sum(people[c][0] for c in demo.NORTH_WEST)
    older = Decimal(people["E08000009"][1]) / sum(people[c][1] for c in demo.NORTH_WEST)
    return everyone, (older / everyone).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)


def ledger_by_cost_centre() -> dict[str, Decimal]:
    with zipfile.ZipFile(SOURCES / "trafford-supplier-spend-2026-27.zip") as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in csv.DictReader(io.StringIO(text)):
        totals[row["OrganisationalUnit"]] += Decimal(row["Amount"])
    return totals


def only(store: Store, rule: str, year: str) -> int:
    """The older-people total with one rule alone."""
    header = "theme_id,field,value,share,basis\n"
    service.set_theme_rules(store, "trafford", (header + rule).encode(), "one.csv", "test")
    view = service.theme_count(store, "trafford", year)
    return next(t.total_pence for t in view.count.themes if t.theme_id == "older-people")


@pytest.fixture
def built(sqlite_store: Store) -> Store:
    build_demo(store=sqlite_store)
    return sqlite_store


def test_the_older_people_deep_dive_from_its_sources(built: Store) -> None:
    share, factor = ons()
    # Trafford has a smaller share of the region's over-65s than of all its people.
    assert Decimal("0.85") < factor < Decimal("1")
    rules = {(r.field, r.value): r for r in service.rules_of(built, "trafford")}
    assert rules[("cofog", "10.2")].share == factor
    assert rules[("description", "attendance allowance")].share == factor
    cra = read_country_regional_analysis(
        SOURCES / "CRA_2018_Database_for_Publication_rvsd.xlsx", demo.REGION, "2017-18"
    )
    old_age = [r for r in cra if r.sector in ("CG", "PC") and r.cofog_level1 == "10.2 Old age"]
    expected = sum(r.thousands for r in old_age) * 1000 * share * factor * 100
    got = only(built, f"older-people,cofog,10.2,{factor},x\n", "2017-18")
    # Each line is rounded to the penny twice (apportioned, then its theme share).
    assert abs(got - expected) <= len(old_age)
    assert got > 300_000_000_00  # pensions: hundreds of millions of pounds for Trafford
    [allowance] = [r for r in cra if "ATTENDANCE ALLOWANCE" in r.segment]
    expected = allowance.thousands * 1000 * share * factor * 100
    got = only(built, f"older-people,description,attendance allowance,{factor},x\n", "2017-18")
    assert abs(got - expected) <= 1
    # The council's adult social care by the ledger's over-65 share of age-banded care.
    ledger = ledger_by_cost_centre()
    banded = {k: v for k, v in ledger.items() if BANDED.match(k)}
    older = {k: v for k, v in banded.items() if BANDED.match(k).group(2) != "18-64"}  # type: ignore[union-attr]
    care_share = (sum(older.values()) / sum(banded.values())).quantize(Decimal("1e-6"))
    assert rules[("sercop", "ASC")].share == care_share
    assert rules[("sercop", "ASC")].basis.startswith("Illustrative:")
    [asc] = [
        line.thousands
        for line in read_revenue_outturn(SOURCES / "RS_2017-18_data_by_LA.xlsx", demo.GSS)
        if line.rs_line == "360"
    ]
    assert asc == Decimal("51192")  # £ thousand, as the source note says
    got = only(built, f"older-people,sercop,ASC,{care_share},x\n", "2017-18")
    assert abs(got - asc * 1000 * care_share * 100) <= 1
    # The ledger's cost centres for people over 65, whole.
    centres = sorted(v for (f, v) in rules if f == "service")
    assert set(older) | {"Older People MH"} == set(centres)
    rows = "".join(f"older-people,service,{c},1,x\n" for c in centres)
    got = only(built, rows, "2026-27")
    assert got == int((sum(older.values()) + ledger["Older People MH"]) * 100)


def test_the_demo_holds_the_grants_and_says_what_is_illustrative(built: Store) -> None:
    flows = service.flows_of(built, "trafford")
    grants = [f for f in flows if f.from_id == "trafford-council"]
    assert len(grants) == 555
    assert sum(f.amount_pence for f in grants) == 129_143_654
    # And the grants register's award to the Youth Offending Team, hosted by the council.
    [register] = [f for f in flows if f.from_id != "trafford-council"]
    assert (register.from_name, register.to_id, register.amount_pence) == (
        "Ministry of Justice",
        "trafford-council",
        40_276_500,
    )
    year = service.flow_summary(built, "trafford", "2016-17")
    assert year.entering_pence == 40_276_500
    assert year.leaving_pence == 7_445_551  # the council's 2016-17 grants
    notes = service.illustrative(built, "trafford")
    assert len(notes) == 1 and "2026-27 ledger" in notes[0]
    view = service.deep_dive(built, "trafford", "2017-18")
    older = next(t for t in view.themes.count.themes if t.theme_id == "older-people")
    assert older.total_pence == view.themes.count.total_pence > 0
    assert older.estimated_pence < older.total_pence  # the council's own figures too
    assert view.flows.leaving_pence == 5_938_505  # the 2017-18 grants
    assert "<svg" in view.sankey_svg
