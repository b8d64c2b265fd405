"""The estate's use cases on the store (SQLite and PostgreSQL), and its commands."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from tests.helpers import HANDMADE, cli
from totalplace.core.problems import ImportRejected
from totalplace.core.store.db import Store
from totalplace.estate import service
from totalplace.places.service.packages import delete_place, export_package, import_package

COUNCIL_ASSETS = (
    b"asset_id,name,latitude,longitude,tenure,use,gia_m2,vacant,lease_expiry\n"
    b"TMBC0129,Stretford Mall,53.457863,-2.295804,freehold,Shopping centre,,false,\n"
    b"TMBC0003,Claremont Centre,53.426618,-2.3204334,freehold,Offices,1047,true,\n"
    b"TMBC0099,Old depot,,,freehold,Depot,,,\n"
)
DWP_ASSETS = (
    b"asset_id,name,latitude,longitude,tenure,gia_m2,lease_expiry,address\n"
    b"jcp-stretford,Stretford Jobcentre,53.444834,-2.309007,leasehold,400,2027-06-30,"
    b'"Stretford Mall, Chester Road, Stretford, Manchester"\n'
    b"jcp-sale,Sale Jobcentre,53.4275,-2.3204334,leasehold,350,,\n"
)


def cosine_law_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6_371_008.8 * math.acos(min(1.0, c))


@pytest.fixture
def estate_store(store: Store) -> Store:
    import_package(HANDMADE, store=store)
    service.import_estate(store, "testshire", COUNCIL_ASSETS, "council.csv", "council", "t")
    service.import_estate(store, "testshire", DWP_ASSETS, "dwp.csv", "dwp", "t")
    return store


def test_import_and_the_address_that_names_another_agencys_building(estate_store: Store) -> None:
    view = service.estate(estate_store, "testshire")
    assert view.total == 5
    assert [(g.agency_id, g.assets) for g in view.agencies] == [("council", 3), ("dwp", 2)]
    [mismatch] = [f for f in view.findings if f.code == "address-point-mismatch"]
    assert mismatch.asset_ids == ("jcp-stretford", "TMBC0129")
    assert "1.7 km" in mismatch.message
    assert [f.code for f in view.findings if f.code == "no-location"] == ["no-location"]
    # no boundary is shipped for the place: nothing is outside it, every point is drawn
    assert len(view.markers) == 4 and view.off_map == 1


def test_filters(estate_store: Store) -> None:
    vacant = service.estate(estate_store, "testshire", service.Filters(vacancy="vacant"))
    assert [a.name for a in vacant.assets] == ["Claremont Centre"]
    leased = service.estate(estate_store, "testshire", service.Filters(tenure="leasehold"))
    assert {a.agency_id for a in leased.assets} == {"dwp"}
    csv_text = service.assets_csv(
        estate_store, "testshire", service.Filters(agency="council", use="Depot")
    ).decode()
    assert csv_text.splitlines()[1].startswith("TMBC0099,council,Old depot")


def test_reimport_replaces_and_a_clash_imports_nothing(estate_store: Store) -> None:
    again = service.import_estate(
        estate_store, "testshire", COUNCIL_ASSETS, "council.csv", "council", "t"
    )
    assert (again.added, again.replaced) == (0, 3)
    clash = COUNCIL_ASSETS + b"jcp-sale,Not ours,53.4,-2.3,,,,,\n"
    with pytest.raises(ImportRejected) as caught:
        service.import_estate(estate_store, "testshire", clash, "council.csv", "council", "t")
    assert caught.value.problems[0].code == "duplicate-key"
    assert service.estate(estate_store, "testshire").total == 5


def test_unknown_agency_and_place(estate_store: Store) -> None:
    with pytest.raises(ImportRejected) as caught:
        service.import_estate(estate_store, "testshire", DWP_ASSETS, "f.csv", "nhs-x", "t")
    assert caught.value.problems[0].code == "unknown-agency"
    assert "council, dwp, pct, police" in caught.value.problems[0].how_to_fix
    with pytest.raises(ImportRejected) as caught:
        service.import_estate(estate_store, "nowhere", DWP_ASSETS, "f.csv", "dwp", "t")
    assert caught.value.problems[0].code == "unknown-place"


def test_colocation_distances_and_scores(estate_store: Store) -> None:
    pairs = service.colocation(estate_store, "testshire", 400)
    body = service.pairs_json(estate_store, "testshire", pairs)
    [pair] = body["pairs"]
    assert {pair["a"]["asset_id"], pair["b"]["asset_id"]} == {"TMBC0003", "jcp-sale"}
    a, b = pair["a"], pair["b"]
    assert pair["distance_m"] == pytest.approx(
        cosine_law_m(a["latitude"], a["longitude"], b["latitude"], b["longitude"]), abs=0.1
    )
    assert {a["agency_type"], b["agency_type"]} == {"unitary council", "DWP/Jobcentre Plus"}
    assert pair["score"] == 3 + 1 + 2  # vacant with floor area, freehold, leased in
    wider = service.pairs_json(
        estate_store, "testshire", service.colocation(estate_store, "testshire", 5000)
    )
    # every council asset with a point beside every DWP one: 2 x 2
    assert len(wider["pairs"]) == 4


def test_the_place_data_package_carries_the_assets(estate_store: Store, tmp_path: Path) -> None:
    before = service.place_assets(estate_store, "testshire")
    folder = export_package("testshire", tmp_path / "package", store=estate_store)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    [resource] = [r for r in descriptor["resources"] if r["name"] == "assets"]
    assert resource["path"] == "assets.csv"
    # The resource's columns are the contract's: running costs in pounds, not pence.
    header = (folder / "assets.csv").read_text().splitlines()[0].split(",")
    assert "running_cost_gbp" in header and "running_cost_pence" not in header
    delete_place(estate_store, "testshire")
    assert service.place_assets(estate_store, "testshire") == []
    import_package(folder, store=estate_store)
    assert service.place_assets(estate_store, "testshire") == before


def test_a_bad_asset_in_a_package_is_named(estate_store: Store, tmp_path: Path) -> None:
    folder = export_package("testshire", tmp_path / "package", store=estate_store)
    path = folder / "assets.csv"
    path.write_text(path.read_text().replace("53.457863", "north"))
    delete_place(estate_store, "testshire")
    with pytest.raises(ImportRejected) as caught:
        import_package(folder, store=estate_store)
    problem = caught.value.problems[0]
    assert (problem.code, problem.file, problem.column) == (
        "not-a-number",
        "assets.csv",
        "latitude",
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = dict(os.environ)
    environ["TOTALPLACE_HOME"] = str(tmp_path / "home")
    environ.pop("DATABASE_URL", None)
    return environ


def test_commands(env: dict[str, str], tmp_path: Path) -> None:
    cli("import", str(HANDMADE), env=env)
    (tmp_path / "council.csv").write_bytes(COUNCIL_ASSETS)
    (tmp_path / "dwp.csv").write_bytes(DWP_ASSETS)
    done = cli(
        "estate",
        "import",
        "testshire",
        str(tmp_path / "council.csv"),
        "--agency",
        "council",
        env=env,
    )
    assert "Imported 3 assets of council into testshire (3 new, 0 replaced)" in done.stdout
    cli("estate", "import", "testshire", str(tmp_path / "dwp.csv"), "--agency", "dwp", env=env)
    body = json.loads(cli("estate", "colocate", "testshire", "--json", env=env).stdout)
    assert set(body) == {"pairs"}
    [pair] = body["pairs"]
    assert set(pair) == {"a", "b", "distance_m", "score", "why"}
    assert set(pair["a"]) == {
        "asset_id",
        "agency_id",
        "agency_type",
        "name",
        "latitude",
        "longitude",
    }
    far = json.loads(
        cli("estate", "colocate", "testshire", "--within", "2000", "--json", env=env).stdout
    )
    assert len(far["pairs"]) == 2
    for p in far["pairs"]:
        a, b = p["a"], p["b"]
        expected = cosine_law_m(a["latitude"], a["longitude"], b["latitude"], b["longitude"])
        assert p["distance_m"] == pytest.approx(expected, abs=0.1)
        assert p["distance_m"] <= 2000 and a["agency_id"] != b["agency_id"]
    table = cli("estate", "colocate", "testshire", env=env).stdout
    assert "1 pairs within 400 m" in table


def test_command_errors_are_for_people(env: dict[str, str], tmp_path: Path) -> None:
    cli("import", str(HANDMADE), env=env)
    bad = tmp_path / "bad.csv"
    bad.write_text("asset_id,name,latitude\na1,Clinic,north\n")
    result = cli("estate", "import", "testshire", str(bad), "--agency", "pct", env=env, check=False)
    assert result.returncode == 1
    assert "bad.csv, row 2, column 'latitude'" in result.stderr
    assert "Traceback" not in result.stderr
    missing = cli("estate", "colocate", "nowhere", env=env, check=False)
    assert missing.returncode == 1 and "no place 'nowhere'" in missing.stderr
    zero = cli("estate", "colocate", "testshire", "--within", "0", env=env, check=False)
    assert zero.returncode == 1 and "more than 0 metres" in zero.stderr


def test_the_exported_assets_match_their_table_schema(estate_store: Store, tmp_path: Path) -> None:
    from frictionless import Resource, Schema

    folder = export_package("testshire", tmp_path / "package", store=estate_store)
    descriptor = json.loads(
        (Path(__file__).parents[2] / "docs" / "formats" / "assets.schema.json").read_text()
    )
    descriptor.pop("$comment")
    schema = Schema.from_descriptor(descriptor)
    header = (folder / "assets.csv").read_text().splitlines()[0].split(",")
    assert header == [f.name for f in schema.fields]
    report = Resource(path="assets.csv", basepath=str(folder), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
