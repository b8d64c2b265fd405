"""Every English district's top-down count, checked against the source rows it comes from:
the RS and CRA rows are read here straight from the shipped workbooks, not through the
product's readers."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from functools import cache

import pytest
from python_calamine import CalamineWorkbook

from totalplace.core.problems import TotalplaceError
from totalplace.national import service
from totalplace.national.files import DATA
from totalplace.national.rules import IMPUTED, allocate
from totalplace.national.service import EnglandCount, count_england, district_count

TRAFFORD = "E08000009"
GREATER_MANCHESTER = [f"E080000{n:02d}" for n in range(1, 11)]
WIGAN = "E08000010"
COUNTED_LINES = [190, 290, 330, 360, 390, 490, 509, 590, 599, 601, 602, 690, 698]
COUNTED_LINES += [711, 712, 713, 714, 721]


@pytest.fixture(scope="module")
def england() -> EnglandCount:
    return count_england("2017-18")


@cache
def rs_rows() -> dict[str, dict[int, object]]:
    rows = (
        CalamineWorkbook.from_path(str(DATA / "RS_2017-18_data_by_LA.xlsx"))
        .get_sheet_by_name("RS LA Data 2017-18")
        .to_python()
    )
    numbers = rows[5]
    out = {}
    for row in rows[7:]:
        # Keyed by ONS code, or by MHCLG's E-code where there is none (Lee Valley).
        if len(row) > 20 and str(row[4]).strip() and str(row[0]).startswith("E"):
            out[str(row[1]).strip() or row[0]] = {
                int(n): row[i] for i, n in enumerate(numbers) if isinstance(n, float)
            }
    return out


def rs_pence(gss: str, line: int) -> int:
    value = rs_rows()[gss][line]
    assert isinstance(value, float)
    return int((Decimal(repr(value)) * 100_000).to_integral_value())


@cache
def mid_2017() -> dict[str, int]:
    with (DATA / "ons_mye4_mid2011-mid2023_population_by_la_ew_2023geog.csv").open() as f:
        return {r["Code"]: int(r["Mid-2017"]) for r in csv.DictReader(f)}


def components(england: EnglandCount, gss: str, body: str) -> dict[str, int]:
    got: dict[str, int] = defaultdict(int)
    for c in england.place(gss).components:
        if c.body_gss == body:
            got[c.line] += c.pence
    return dict(got)


def shared_by_population(body: str, members: list[str], gss: str) -> dict[str, int]:
    """Each of a body's RS lines shared among its members by mid-2017 population."""
    people = [Fraction(mid_2017()[m]) for m in members]
    out = {}
    for line in COUNTED_LINES:
        pence = rs_pence(body, line)
        if pence:
            out[f"RS {line}"] = allocate(pence, people)[members.index(gss)]
    return out


def test_trafford_council_is_counted_line_by_line_from_its_return(
    england: EnglandCount,
) -> None:
    want = {f"RS {n}": rs_pence(TRAFFORD, n) for n in COUNTED_LINES if rs_pence(TRAFFORD, n)}
    assert components(england, TRAFFORD, TRAFFORD) == want
    # Housing benefit (RS 711) is in, £55.5 m; levies (RS 722, 724) are not.
    assert want["RS 711"] == 55_529_000_00
    assert "RS 724" not in want and rs_pence(TRAFFORD, 724) == 23_682_000_00
    assert sum(want.values()) == 261_939_000_00 + 55_529_000_00 + 84_000_00


def test_trafford_takes_its_population_share_of_the_greater_manchester_bodies(
    england: EnglandCount,
) -> None:
    gm_police, gmca, waste = "E23000005", "E47000001", "E50000005"
    assert components(england, TRAFFORD, gm_police) == shared_by_population(
        gm_police, GREATER_MANCHESTER, TRAFFORD
    )
    # GM Fire's spending is in the combined authority's return (RS 602) in 2017-18.
    assert rs_pence(gmca, 602) > 0
    assert components(england, TRAFFORD, gmca) == shared_by_population(
        gmca, GREATER_MANCHESTER, TRAFFORD
    )
    not_wigan = [m for m in GREATER_MANCHESTER if m != WIGAN]
    assert components(england, TRAFFORD, waste) == shared_by_population(waste, not_wigan, TRAFFORD)
    assert components(england, WIGAN, waste) == {}


def test_trafford_uses_mid_2017_population(england: EnglandCount) -> None:
    trafford = england.place(TRAFFORD)
    assert trafford.population == mid_2017()[TRAFFORD] == 234_917
    assert trafford.population_year == 2017 and trafford.population_matches_year
    assert trafford.per_head_pence == round(Fraction(trafford.total_pence, 234_917))


def cra_rows(region: str) -> list[list[object]]:
    rows = (
        CalamineWorkbook.from_path(str(DATA / "CRA_2018_Database_for_Publication_rvsd.xlsx"))
        .get_sheet_by_name("CRA 2018 database")
        .to_python()
    )
    return [r for r in rows[1:] if str(r[12]).casefold() == region.casefold()]


def pence_of(value: object) -> int:
    assert isinstance(value, int | float)
    return int(Decimal(repr(value)) * 100_000)


def test_the_nuclear_decommissioning_authority_is_a_memo_not_a_share(
    england: EnglandCount,
) -> None:
    nda = sum(
        pence_of(r[18])
        for r in cra_rows("ENGLAND_North West")
        if r[1] == "Nuclear Decommissioning Authority BEIS"
    )
    north_west = [p for p in england.places if p.region == "North West"]
    assert sum(p.memo_located_pence for p in north_west) == nda
    trafford = england.place(TRAFFORD)
    assert trafford.memo_located_pence > 50_000_000_00
    people = sum(p.population for p in north_west)
    assert abs(trafford.memo_located_pence - nda * 234_917 / people) < 100  # within £1
    # Nothing from the memo is in the count.
    assert sum(p.total_pence for p in north_west) == sum(
        pence_of(r[18])
        for r in cra_rows("ENGLAND_North West")
        if (r[10] in ("CG", "PC") and r[1] != "Nuclear Decommissioning Authority BEIS")
        or (r[10] == "LG" and r[9] == "CAP")
    ) + sum(p.local_government_actual_pence + p.local_government_imputed_pence for p in north_west)


def test_regional_reconciliation_sets_rs_beside_cra(england: EnglandCount) -> None:
    checks = {c.region: c for c in england.checks}
    assert len(checks) == 9
    nw = checks["North West"]
    cra = sum(
        pence_of(r[18])
        for r in cra_rows("ENGLAND_North West")
        if r[10] == "LG" and r[9] == "CUR" and isinstance(r[18], int | float)
    )
    assert nw.cra_local_current_pence == cra
    counted = sum(
        p.local_government_actual_pence + p.local_government_imputed_pence
        for p in england.places
        if p.region == "North West"
    )
    assert nw.rs_local_current_pence == counted
    assert nw.gap_pence == counted - cra
    assert abs(nw.gap_percent) < 1
    # Every region within 5%: a larger gap would mean a body left out.
    assert all(abs(c.gap_percent) < 5 for c in checks.values())


def test_copeland_missing_return_is_imputed_and_warned(england: EnglandCount) -> None:
    assert all(v == "…" for n, v in rs_rows()["E07000029"].items() if 190 <= n <= 749)
    copeland = england.place("E07000029")
    assert copeland.local_government_imputed_pence > 0
    assert not [c for c in copeland.components if c.body_gss == "E07000029" and c.kind != IMPUTED]
    assert any("no figures" in w and "imputed" in w for w in copeland.warnings)
    assert copeland.estimated_share > 0


def test_every_english_district_is_counted_and_every_body_conserved(
    england: EnglandCount,
) -> None:
    assert len(england.places) == 309
    assert len({p.gss_code for p in england.places}) == 309
    assert england.not_counted == []
    assert all(p.total_pence > 0 and p.population > 0 for p in england.places)
    # Every RS pound counted lands in exactly one district: England's actuals equal the
    # sum of every authority's counted lines (Copeland has none; it is imputed instead).
    rs_total = 0
    for lines in rs_rows().values():
        rs_total += sum(
            int((Decimal(repr(v)) * 100_000).to_integral_value())
            for n, v in lines.items()
            if n in COUNTED_LINES and isinstance(v, float)
        )
    assert sum(p.local_government_actual_pence for p in england.places) == rs_total
    for p in england.places:
        assert sum(p.by_cofog_division.values()) == p.total_pence


def test_lancaster_carries_its_share_of_lancashire_county_council(
    england: EnglandCount,
) -> None:
    lancaster = england.place("E07000121")
    county = components(england, "E07000121", "E10000017")
    assert county["RS 190"] > 0 and county["RS 360"] > 0
    own = sum(components(england, "E07000121", "E07000121").values())
    # The county's share is several times the district's own spending.
    assert sum(county.values()) > 3 * own
    assert lancaster.per_head_pence > 8_000_00


def test_age_basis_moves_pensions_to_older_places_and_keeps_regions_whole() -> None:
    by_people = count_england("2017-18")
    by_age = count_england("2017-18", basis="age")
    for region in {p.region for p in by_people.places}:
        assert sum(p.total_pence for p in by_people.places if p.region == region) == sum(
            p.total_pence for p in by_age.places if p.region == region
        )
    # Rother (East Sussex) is among England's oldest districts; Tower Hamlets its youngest.
    assert by_age.place("E07000064").total_pence > by_people.place("E07000064").total_pence
    assert by_age.place("E09000030").total_pence < by_people.place("E09000030").total_pence


def test_a_year_not_held_is_a_problem_not_a_guess() -> None:
    with pytest.raises(TotalplaceError) as caught:
        count_england("2019-20")
    assert caught.value.problems[0].code == "national-year-not-held"
    with pytest.raises(TotalplaceError) as bad_basis:
        count_england("2017-18", basis="wealth")
    assert bad_basis.value.problems[0].code == "out-of-range"
    with pytest.raises(TotalplaceError):
        district_count("E99999999", "2017-18")


def test_a_place_of_districts_adds_them_up(england: EnglandCount) -> None:
    place = service.place_count(GREATER_MANCHESTER, "2017-18", name="Greater Manchester")
    parts = [england.place(c) for c in GREATER_MANCHESTER]
    assert place.total_pence == sum(p.total_pence for p in parts)
    assert place.population == sum(p.population for p in parts)
    assert place.name == "Greater Manchester"
    assert service.place_count([TRAFFORD], "2017-18") == england.place(TRAFFORD)


def test_the_metropolitan_police_line_skips_the_city_of_london(england: EnglandCount) -> None:
    gla = "E12000007"
    city = components(england, "E09000001", gla)
    assert "RS 601" not in city and city  # the GLA's other lines reach the City
    boroughs = [f"E090000{n:02d}" for n in range(2, 34)]
    police = sum(components(england, b, gla).get("RS 601", 0) for b in boroughs)
    assert police == rs_pence(gla, 601)
    # The City's own force is in the City's own return.
    assert components(england, "E09000001", "E09000001")["RS 601"] == rs_pence("E09000001", 601)


@cache
def over_65_in_2020() -> dict[str, Fraction]:
    """Each district's share of its people aged 65+ in the ONS mid-2020 single-year file."""
    out = {}
    with (DATA / "ons_mye_mid-2020_ltla2021_england_wales_single_year_of_age.csv").open() as f:
        for r in csv.DictReader(f):
            ages = [int(r[str(a)]) for a in range(90)] + [int(r["90+"])]
            out[r["ltla21_code"]] = Fraction(sum(ages[65:]), sum(ages))
    return out


def test_the_age_share_factor_is_the_district_s_share_of_older_people_over_all_people() -> None:
    # The North East's twelve districts, none merged since: mid-2017 people by the
    # mid-2020 age profile, read from the files here.
    with (DATA / "la_all_codes.csv").open(encoding="utf-8-sig") as f:
        north_east = sorted(
            r["LADCD"]
            for r in csv.DictReader(f)
            if r["RGNNM"] == "North East" and r["Current"] == "TRUE"
        )
    assert len(north_east) == 12
    people = {c: mid_2017()[c] for c in north_east}
    older = {c: people[c] * over_65_in_2020()[c] for c in north_east}
    newcastle = "E08000021"
    exact = (older[newcastle] / sum(older.values())) / Fraction(
        people[newcastle], sum(people.values())
    )
    factor, basis = service.age_share_factor(newcastle, "2017-18", "age_65_plus")
    assert factor == (Decimal(exact.numerator) / exact.denominator).quantize(Decimal("1e-9"))
    assert factor < 1  # a young city: students
    assert basis.startswith("Newcastle upon Tyne's share of the North East's people aged 65")
    assert f"({people[newcastle]:,} of {sum(people.values()):,})" in basis
    assert "ONS mid-2017" in basis and "mid-2020 age profile" in basis
    # Weighted by people, a region's factors average to one.
    mean = sum(
        service.age_share_factor(c, "2017-18", "age_65_plus")[0] * people[c] for c in north_east
    ) / sum(people.values())
    assert abs(mean - 1) < Decimal("1e-8")
    assert service.age_share_factor(TRAFFORD, "2017-18", "population")[0] == 1
    assert "aged 0 to 15" in service.age_share_factor(TRAFFORD, "2017-18", "age_0_15")[1]


def test_the_age_share_factor_refuses_what_it_does_not_hold() -> None:
    with pytest.raises(TotalplaceError) as year:
        service.age_share_factor(TRAFFORD, "2019-20", "age_65_plus")
    assert year.value.problems[0].code == "national-year-not-held"
    with pytest.raises(TotalplaceError) as key:
        service.age_share_factor(TRAFFORD, "2017-18", "age_100_plus")
    assert key.value.problems[0].code == "out-of-range"
    with pytest.raises(TotalplaceError):
        service.age_share_factor("E99999999", "2017-18", "age_65_plus")
