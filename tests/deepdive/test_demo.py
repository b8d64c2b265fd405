"""The demo's older-people deep dive, each component checked against its own source:
the CRA's old-age spending (CRA rows) by Trafford's share of over-65s in place of its
share of all people (the ONS files, read here without the code under test), the council's
adult social care (its RS line) by the over-65 share of its ledger's age-banded care (the
ledger zip), and the ledger's cost centres for people over 65; and the grants."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from totalplace.core.store.db import Store
from totalplace.deepdive import service
from totalplace.demo import service as demo
from totalplace.demo.service import build_demo
from totalplace.national import files

ONS = Path(files.DATA)
BANDED = re.compile(r"^(.+?)\s+(18-64|65-74|75-84|85\s?\+)(\s+LT)?$", re.I)


def csv_rows(name: str) -> list[dict[str, str]]:
    with (ONS / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def ons() -> tuple[Fraction, Fraction, int]:
    """From the ONS files alone: (Trafford's share of all the North West's people in
    mid-2017, its share of the region's people aged 65+, Trafford's people aged 65+).
    Mid-2017 people are ONS's rebased figures (2023 boundaries); Cumbria's districts,
    merged in 2023, take their new unitary's figure by the earlier series' mid-2017 split;
    each district's people are spread by its mid-2020 single-year-of-age profile."""
    codes = {r["LADCD"]: r for r in csv_rows("la_all_codes.csv")}
    rebased = {r["Code"]: int(r["Mid-2017"]) for r in csv_rows(files.POPULATION_REBASED)}
    earlier = {
        r["Code"].strip(): int(r["Mid-2017"])  # some codes end in a no-break space
        for r in csv_rows(files.POPULATION_2021_GEOGRAPHY)
        if r["Code"][:3] in ("E06", "E07", "E08", "E09")
    }
    north_west = [c for c in earlier if codes[c]["RGNNM"] == "North West"]
    people: dict[str, Fraction] = {}
    for code in north_west:
        if code in rebased:
            people[code] = Fraction(rebased[code])
        else:
            parent = codes[code]["LADCD_ACTIVE"]
            siblings = [c for c in north_west if codes[c]["LADCD_ACTIVE"] == parent]
            share = Fraction(earlier[code], sum(earlier[c] for c in siblings))
            people[code] = rebased[parent] * share
    older: dict[str, Fraction] = {}
    for row in csv_rows(files.SINGLE_YEAR_OF_AGE):
        if row["ltla21_code"] in people:
            ages = [int(row[str(a)]) for a in range(90)] + [int(row["90+"])]
            older[row["ltla21_code"]] = people[row["ltla21_code"]] * sum(ages[65:]) / sum(ages)
    assert len(older) == len(people) == 39  # the North West's districts, April 2021
    everyone = people[demo.GSS] / sum(people.values())
    return everyone, older[demo.GSS] / sum(older.values()), round(older[demo.GSS])


def ledger_by_cost_centre() -> dict[str, Decimal]:
    with zipfile.ZipFile(demo.DEMO_SOURCES / "trafford-supplier-spend-2026-27.zip") as archive:
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
    share, older_share, older_people = ons()
    factor = Decimal((older_share / share).numerator) / (older_share / share).denominator
    # Trafford has a smaller share of the region's over-65s than of all its people.
    assert Decimal("0.85") < factor < Decimal("1")
    rules = {(r.field, r.value): r for r in service.rules_of(built, "trafford")}
    old_age = rules[("cofog", "10.2")]
    # Equal to the ONS arithmetic but for the whole people the count allocates.
    assert abs(old_age.share - factor) < Decimal("1e-6")
    assert f"({older_people:,} of " in old_age.basis and "ONS mid-2017" in old_age.basis
    # No rule is left that matches no line of the demo (the CRA lines are by function).
    assert ("description", "attendance allowance") not in rules
    located = files.read_located()
    cra = [
        r
        for r in files.read_cra("2017-18")
        if r.region == "england_north west"
        and r.cofog_level1.startswith("10.2 ")
        and (r.sector in ("CG", "PC") or (r.sector == "LG" and r.capital))
        and r.organisation not in located
    ]
    groups = {(r.department, r.sector, r.capital) for r in cra}
    expected = sum(r.pence for r in cra) * share * Fraction(old_age.share)
    got = only(built, f"older-people,cofog,10.2,{old_age.share},x\n", "2017-18")
    # Each demo line is rounded to the penny twice (shared, then its theme share).
    assert abs(got - expected) <= 2 * len(groups)
    assert got > 300_000_000_00  # pensions: hundreds of millions of pounds for Trafford
    # The council's adult social care by the ledger's over-65 share of age-banded care.
    ledger = ledger_by_cost_centre()
    banded = {k: v for k, v in ledger.items() if BANDED.match(k)}
    older = {k: v for k, v in banded.items() if BANDED.match(k).group(2) != "18-64"}  # type: ignore[union-attr]
    care_share = (sum(older.values()) / sum(banded.values())).quantize(
        Decimal("1e-6"), rounding=ROUND_HALF_EVEN
    )
    assert rules[("sercop", "ASC")].share == care_share
    assert rules[("sercop", "ASC")].basis.startswith("Illustrative:")
    [council] = [a for a in files.read_rs() if a.gss_code == demo.GSS]
    asc = council.lines[360]
    assert asc == 51_192_000_00  # £51,192 thousand, RS line 360
    got = only(built, f"older-people,sercop,ASC,{care_share},x\n", "2017-18")
    assert abs(got - asc * care_share) <= 1
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
    # Only that: the register's awards to the combined authority are for all of Greater
    # Manchester, while the demo holds Trafford's share of its spending.
    assert not [f for f in flows if "gmca" in (f.from_id, f.to_id)]
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
