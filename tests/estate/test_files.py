"""Each estate reader on its real, shipped file, its counts checked independently with the
csv and json modules; and the problems a bad file gets."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from totalplace.core.problems import ImportRejected
from totalplace.estate import service
from totalplace.estate.files import read_assets, write_assets
from totalplace.estate.rules import quality

DATA = service.DATA
TRAFFORD = {"E08000009"}
REGISTER = DATA / "trafford_land_and_building_assets.csv"
METADATA = DATA / "trafford_land_and_building_assets.csv-metadata.json"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read(path: Path, agency: str = "x", **kw: object) -> service.files.EstateFile:
    return service.read_estate_file(path.read_bytes(), path.name, agency, TRAFFORD, **kw)  # type: ignore[arg-type]


def test_the_register_with_its_metadata() -> None:
    expected = rows(REGISTER)
    got = read(REGISTER, "trafford-council", metadata=METADATA.read_bytes())
    assert got.kind == "register"
    assert len(got.assets) == len(expected) == 608
    assert [a.asset_id for a in got.assets] == [r["AssetCode"] for r in expected]
    assert sum(1 for a in got.assets if a.located) == sum(1 for r in expected if r["GeoX"])
    assert sum(1 for a in got.assets if a.vacant) == sum(
        1 for r in expected if r["TenureDetail"] == "Vacant"
    )
    assert sum(1 for a in got.assets if a.tenure == "leased out") == sum(
        1 for r in expected if r["TenureDetail"].lower() == "leasehold out"
    )
    assert sum(1 for a in got.assets if a.gia_m2 is not None) == sum(
        1 for r in expected if r["BuildingSize"]
    )
    # UPRNs are text: none loses a digit
    assert {a.uprn for a in got.assets} == {r["UPRN"] for r in expected}
    # Trafford's published metadata is not valid JSON: the note says so, nothing is hidden
    assert "not valid JSON at line 22" in got.notes[0]
    town_hall = got.assets[0]
    assert (town_hall.latitude, town_hall.longitude) == (53.3879587, -2.3520922)
    assert town_hall.extras["address"] == "Market Street, Altrincham, WA14 1PF"


def test_metadata_naming_a_column_the_file_lacks() -> None:
    content = REGISTER.read_bytes().replace(b"EnergyRating", b"Energy", 1)
    with pytest.raises(ImportRejected) as caught:
        service.read_estate_file(content, REGISTER.name, "c", TRAFFORD, METADATA.read_bytes())
    problem = caught.value.problems[0]
    assert (problem.code, problem.column) == ("missing-column", "EnergyRating")


def features(path: Path) -> list[dict[str, object]]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "name", ["gm_hospitals_os_openmap.geojson", "gm_fire_stations_os_openmap.geojson"]
)
def test_footprints_one_site_per_named_group(name: str) -> None:
    path = DATA / name
    trafford = [
        f["properties"] for f in features(path) if f["properties"]["area_code"] == "E08000009"
    ]  # type: ignore[index]
    names = [p["DISTNAME"] for p in trafford]  # type: ignore[index]
    sites = len({n for n in names if n != "Unknown"}) + names.count("Unknown")
    got = read(path)
    assert len(got.assets) == sites
    assert sum(int(a.extras["buildings"]) for a in got.assets) == len(trafford)
    assert all(a.located for a in got.assets)


def test_hospital_sites_in_trafford() -> None:
    got = {a.name: a for a in read(DATA / "gm_hospitals_os_openmap.geojson").assets}
    assert sorted(got) == [
        "Altrincham Hospital",
        "Priory Hospital Altrincham",
        "Trafford General Hospital",
    ]
    trafford_general = got["Trafford General Hospital"]
    assert trafford_general.extras["buildings"] == "13"
    # the centroid lies among its buildings
    lons = [
        x
        for f in features(DATA / "gm_hospitals_os_openmap.geojson")
        if f["properties"]["DISTNAME"] == "Trafford General Hospital"  # type: ignore[index]
        for x, _ in f["geometry"]["coordinates"][0]  # type: ignore[index]
    ]
    assert trafford_general.longitude is not None
    assert min(lons) < trafford_general.longitude < max(lons)


POINT_FILES = [
    "gm_jobcentreplus_dwp.csv",
    "gm_libraries.csv",
    "gm_probation_offices.csv",
    "trafford_childrens_centres.csv",
    "trafford_general_practices.csv",
    "trafford_leisure_centres.csv",
    "trafford_schools_and_colleges.csv",
]


@pytest.mark.parametrize("name", POINT_FILES)
def test_point_lists_keep_the_place_rows(name: str) -> None:
    expected = [r for r in rows(DATA / name) if r.get("area_code", "E08000009") == "E08000009"]
    got = read(DATA / name)
    assert got.kind == "points"
    assert [a.name for a in got.assets] == [r["name"] for r in expected]
    assert [(a.latitude, a.longitude) for a in got.assets] == [
        (float(r["lat"]), float(r["lon"])) for r in expected
    ]
    assert len({a.asset_id for a in got.assets}) == len(got.assets)
    assert all(a.location_note == "postcode centroid: approximate" for a in got.assets)


def test_point_list_counts() -> None:
    counts = {name: len(read(DATA / name).assets) for name in POINT_FILES}
    assert counts == {
        "gm_jobcentreplus_dwp.csv": 2,
        "gm_libraries.csv": 13,
        "gm_probation_offices.csv": 1,
        "trafford_childrens_centres.csv": 2,
        "trafford_general_practices.csv": 26,
        "trafford_leisure_centres.csv": 9,
        "trafford_schools_and_colleges.csv": 103,
    }


def test_eric_sites() -> None:
    path = DATA / "HospitalEstatesAndFacilitiesStatistics_13944.XLS"
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Site Data").to_python()
    header = sheet[1]
    by_code = {r[header.index("Site Code")]: r for r in sheet[2:]}
    got = read(path, "nhs", sites=["RW3TR", "rxv80"]).assets
    assert [a.asset_id for a in got] == ["eric-rw3tr", "eric-rxv80"]
    for a in got:
        row = by_code[a.extras["eric_site_code"]]
        assert a.gia_m2 == pytest.approx(row[header.index("Gross internal floor area (m²)")])
        assert a.name == row[header.index("Site Name")]
    finance = by_code["RW3TR"][header.index("Estates and facilities finance costs (£)")]
    assert got[0].running_cost_pence is not None
    assert got[0].running_cost_pence > finance * 100


def test_eric_needs_its_sites_named() -> None:
    path = DATA / "HospitalEstatesAndFacilitiesStatistics_13944.XLS"
    with pytest.raises(ImportRejected) as caught:
        read(path, "nhs")
    assert caught.value.problems[0].code == "unknown-site"
    with pytest.raises(ImportRejected) as caught:
        read(path, "nhs", sites=["RW3TR", "NOPE1"])
    problem = caught.value.problems[0]
    assert (problem.code, problem.sheet, problem.column) == (
        "unknown-site",
        "Site Data",
        "Site Code",
    )
    assert "NOPE1" in problem.message


# ---- data quality on the real register ------------------------------------------------


@pytest.fixture(scope="module")
def findings() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    register = read(REGISTER, "trafford-council")
    areas, _ = service.boundary(["E08000009"])
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for f in quality(register.assets, [p for a in areas for p in a.polygons]):
        out.setdefault(f.code, []).append((f.asset_ids, f.message))
    return out


def names(ids: tuple[str, ...]) -> list[str]:
    by_code = {r["AssetCode"]: r["PropertyName"] for r in rows(REGISTER)}
    return [by_code[i] for i in ids]


def test_points_outside_the_boundary(
    findings: dict[str, list[tuple[tuple[str, ...], str]]],
) -> None:
    outside = sorted(n for ids, _ in findings["outside-boundary"] for n in names(ids))
    assert outside == ["Sonova House", "Tatton House", "The Fort"]
    towns = {r["PropertyName"]: r["PostTown"] for r in rows(REGISTER)}
    assert {towns["Sonova House"], towns["The Fort"]} == {"Warrington", "Wigan"}


def test_swapped_latitude_and_longitude(
    findings: dict[str, list[tuple[tuple[str, ...], str]]],
) -> None:
    [(ids, _)] = findings["swapped-coordinates"]
    assert names(ids) == ["Davyhulme Youth Centre"]


def test_the_same_uprn_on_several_assets(
    findings: dict[str, list[tuple[tuple[str, ...], str]]],
) -> None:
    counted = Counter(r["UPRN"] for r in rows(REGISTER) if r["UPRN"])
    repeated = {u for u, n in counted.items() if n > 1}
    assert len(findings["shared-uprn"]) == len(repeated)
    for ids, message in findings["shared-uprn"]:
        uprn = message.split()[1]
        assert uprn in repeated and len(ids) == counted[uprn]


def test_longford_parks_floor_area_repeated(
    findings: dict[str, list[tuple[tuple[str, ...], str]]],
) -> None:
    longford = [
        r["AssetCode"]
        for r in rows(REGISTER)
        if r["PropertyName"].startswith("Longford Park") and r["BuildingSize"] == "3882"
    ]
    groups = [ids for ids, message in findings["repeated-floor-area"] if "3,882 m²" in message]
    assert groups == [tuple(longford)]
    assert len(longford) >= 7


def test_many_assets_stacked_on_one_point(
    findings: dict[str, list[tuple[tuple[str, ...], str]]],
) -> None:
    points = Counter((r["GeoY"], r["GeoX"]) for r in rows(REGISTER) if r["GeoX"])
    stacks = {p: n for p, n in points.items() if n >= 3}
    assert sorted(len(ids) for ids, _ in findings["stacked-points"]) == sorted(stacks.values())
    assert max(stacks.values()) == 8


def test_assets_without_a_point(findings: dict[str, list[tuple[tuple[str, ...], str]]]) -> None:
    [(ids, _)] = findings["no-location"]
    assert len(ids) == sum(1 for r in rows(REGISTER) if not r["GeoX"]) == 235


# ---- the assets file ------------------------------------------------------------------


def test_assets_file_round_trip_keeps_extra_columns() -> None:
    content = (
        b"asset_id,name,latitude,longitude,tenure,gia_m2,vacant,running_cost_gbp,lease_expiry,ward\n"
        b'a1,Clinic,53.4,-2.3,Leasehold,120.5,no,"12,500.10",2028-03-31,Sale\n'
        b"a2,=cmd(),,,freehold,,yes,,,\n"
    )
    got = read_assets(content, "assets.csv", "nhs")
    first = got.assets[0]
    assert (first.tenure, first.vacant, first.running_cost_pence) == ("leasehold", False, 1250010)
    assert first.extras == {"ward": "Sale"}
    written = write_assets(got.assets).decode()
    assert "'=cmd()" in written  # a formula is escaped for spreadsheets
    again = read_assets(written.replace("'=cmd()", "cmd").encode(), "again.csv", "nhs")
    assert again.assets[0] == first


def test_assets_file_problems_name_row_and_column() -> None:
    content = (
        b"asset_id,name,latitude,tenure,vacant,gia_m2,lease_expiry\n"
        b"a1,Clinic,91,owned,perhaps,big,31/03/2028\n"
        b"a1,,53.4,,,,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        read_assets(content, "assets.csv", "nhs")
    found = {(p.code, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("out-of-range", 2, "latitude"),
        ("bad-tenure", 2, "tenure"),
        ("bad-boolean", 2, "vacant"),
        ("not-a-number", 2, "gia_m2"),
        ("bad-date", 2, "lease_expiry"),
        ("blank-value", 3, "name"),
    }
    assert all(p.file == "assets.csv" for p in caught.value.problems)


def test_a_file_that_is_not_an_estate_file() -> None:
    with pytest.raises(ImportRejected) as caught:
        service.read_estate_file(b"a,b\n1,2\n", "spend.csv", "x")
    assert caught.value.problems[0].code == "not-an-estate-file"
    with pytest.raises(ImportRejected) as caught:
        service.read_estate_file(b'{"type": "Feature"}', "one.geojson", "x")
    assert caught.value.problems[0].code == "not-an-estate-file"


def test_the_jobcentres_address_is_a_council_mall_far_from_its_point() -> None:
    register = read(REGISTER, "trafford-council").assets
    jobcentres = read(DATA / "gm_jobcentreplus_dwp.csv", "dwp").assets
    found = [f for f in quality([*register, *jobcentres], []) if f.code == "address-point-mismatch"]
    [mismatch] = found
    stretford = next(r for r in rows(DATA / "gm_jobcentreplus_dwp.csv") if r["name"] == "Stretford")
    assert stretford["address"].startswith("Stretford Mall")
    mall = next(r for r in rows(REGISTER) if r["PropertyName"] == "Stretford Mall")
    assert mismatch.asset_ids == ("gm-jobcentreplus-dwp-stretford", mall["AssetCode"])
    assert "1.7 km" in mismatch.message
