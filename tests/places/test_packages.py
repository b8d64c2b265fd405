"""The place data package: round trips, Frictionless validity, and every kind of bad input."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tests.helpers import HANDMADE
from totalplace.core.problems import ImportRejected
from totalplace.core.store.db import Store
from totalplace.count.service.counting import count_place
from totalplace.places import tables as place_tables
from totalplace.places.service.packages import export_package, import_package


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_round_trip_loses_nothing(store: Store, tmp_path: Path) -> None:
    import_package(HANDMADE, store=store)
    first = export_package("testshire", tmp_path / "first", store=store)
    import_package(first, store=store, replace=True)
    second = export_package("testshire", tmp_path / "second", store=store)
    for name in (
        "datapackage.json",
        "place.csv",
        "agencies.csv",
        "populations.csv",
        "apportionment.csv",
        "returns.csv",
    ):
        assert (first / name).read_text() == (second / name).read_text(), name

    def key(row: dict[str, str]) -> tuple[str, str, str]:
        return row["agency_id"], row["financial_year"], row["description"]

    original = sorted(read_rows(HANDMADE / "returns.csv"), key=key)
    exported = sorted(read_rows(first / "returns.csv"), key=key)
    assert len(exported) == len(original)
    for before, after in zip(original, exported, strict=True):
        assert after["local_ref"] == before["local_ref"]  # extra columns are kept
        assert float(after["amount_gbp"]) == float(before["amount_gbp"])
        for column in (
            "cofog",
            "sercop",
            "themes",
            "funding_source",
            "counterparty_agency_id",
            "spend_type",
            "estimate",
        ):
            assert after[column] == before[column], column
    assert read_rows(first / "place.csv")[0]["lead_body"] == "Testshire Council"


def test_exported_package_is_valid_frictionless(sqlite_store: Store, tmp_path: Path) -> None:
    from frictionless import validate

    import_package(HANDMADE, store=sqlite_store)
    folder = export_package("testshire", tmp_path / "out", store=sqlite_store)
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_zip_round_trip(sqlite_store: Store, tmp_path: Path) -> None:
    import_package(HANDMADE, store=sqlite_store)
    archive = export_package("testshire", tmp_path / "testshire.zip", store=sqlite_store)
    assert archive.suffix == ".zip"
    import_package(archive, store=sqlite_store, replace=True)
    assert count_place("testshire", "2009-10", store=sqlite_store).total_pence == 430000052


def test_importing_a_stored_place_again_needs_replace(sqlite_store: Store) -> None:
    import_package(HANDMADE, store=sqlite_store)
    with pytest.raises(ImportRejected) as caught:
        import_package(HANDMADE, store=sqlite_store)
    assert caught.value.problems[0].code == "place-exists"
    assert "--replace" in str(caught.value)


def test_replace_removes_the_old_line_files(sqlite_store: Store) -> None:
    import_package(HANDMADE, store=sqlite_store)
    before = sorted(sqlite_store.lines.root.rglob("*.parquet"))
    import_package(HANDMADE, store=sqlite_store, replace=True)
    after = sorted(sqlite_store.lines.root.rglob("*.parquet"))
    assert len(after) == len(before) and not set(before) & set(after)


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "package"
    shutil.copytree(HANDMADE, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(store: Store, package: Path) -> list[tuple[str, str | None, int | None, str | None]]:
    with pytest.raises(ImportRejected) as caught:
        import_package(package, store=store)
    with store.sessions() as session:
        assert place_tables.get_place(session, "testshire") is None  # all or nothing
    assert not list(store.lines.root.rglob("*.parquet")) if store.lines.root.exists() else True
    return [(p.code, p.file, p.row, p.column) for p in caught.value.problems]


def test_bad_amount_is_located(store: Store, package: Path) -> None:
    edit(package / "returns.csv", "250000.50", '"250,000.5O"')
    assert problems(store, package) == [("not-a-number", "returns.csv", 3, "amount_gbp")]


def test_too_many_decimals(store: Store, package: Path) -> None:
    edit(package / "returns.csv", "250000.50", "250000.505")
    assert problems(store, package) == [("too-many-decimals", "returns.csv", 3, "amount_gbp")]


def test_unknown_agency_and_counterparty(sqlite_store: Store, package: Path) -> None:
    edit(package / "returns.csv", "pct,2009-10,Acute", "pcx,2009-10,Acute")
    edit(package / "returns.csv", ",,council,revenue", ",,counsil,revenue")
    assert problems(sqlite_store, package) == [
        ("unknown-agency", "returns.csv", 7, "agency_id"),
        ("unknown-agency", "returns.csv", 12, "counterparty_agency_id"),
    ]


def test_bad_codes_years_and_flags(sqlite_store: Store, package: Path) -> None:
    returns = package / "returns.csv"
    edit(returns, "10.1,ASC,older people", "10.12,ASC,older people")
    edit(returns, "09.1,EDU", "09.1,XYZ")
    edit(returns, "council,2009-10,Road", "council,2009-11,Road")
    edit(returns, "capital,false", "capitol,false")
    edit(returns, "revenue,true", "revenue,maybe")
    found = problems(sqlite_store, package)
    assert ("bad-cofog", "returns.csv", 2, "cofog") in found
    assert ("bad-sercop", "returns.csv", 3, "sercop") in found
    assert ("bad-financial-year", "returns.csv", 4, "financial_year") in found
    assert ("bad-spend-type", "returns.csv", 4, "spend_type") in found
    assert ("bad-boolean", "returns.csv", 13, "estimate") in found


def test_self_payment(sqlite_store: Store, package: Path) -> None:
    edit(package / "returns.csv", ",,pct,revenue", ",,council,revenue")
    assert problems(sqlite_store, package) == [
        ("self-payment", "returns.csv", 5, "counterparty_agency_id")
    ]


def test_missing_resource_and_column(sqlite_store: Store, package: Path) -> None:
    (package / "agencies.csv").unlink()
    assert problems(sqlite_store, package) == [("missing-resource", "agencies.csv", None, None)]


def test_missing_required_column(sqlite_store: Store, package: Path) -> None:
    text = (package / "returns.csv").read_text().replace("amount_gbp", "amount")
    (package / "returns.csv").write_text(text)
    assert problems(sqlite_store, package) == [("missing-column", "returns.csv", 1, "amount_gbp")]


def test_duplicate_agency_and_share_out_of_range(sqlite_store: Store, package: Path) -> None:
    with (package / "agencies.csv").open("a") as handle:
        handle.write("pct,Another PCT,NHS commissioner\n")
    edit(package / "apportionment.csv", "0.25", "1.25")
    assert problems(sqlite_store, package) == [
        ("duplicate-key", "agencies.csv", 6, "agency_id"),
        ("out-of-range", "apportionment.csv", 2, "share"),
    ]


def test_two_places_in_one_package(sqlite_store: Store, package: Path) -> None:
    with (package / "place.csv").open("a") as handle:
        handle.write("other,Other,E06000001,\n")
    assert problems(sqlite_store, package) == [("one-place-only", "place.csv", None, None)]


def test_not_utf8(sqlite_store: Store, package: Path) -> None:
    (package / "agencies.csv").write_bytes(
        "agency_id,name,agency_type\ncouncil,Caf\xe9 Council,unitary council\n".encode("cp1252")
    )
    assert problems(sqlite_store, package)[0][:2] == ("file-unreadable", "agencies.csv")


def test_blank_required_value(sqlite_store: Store, package: Path) -> None:
    edit(
        package / "returns.csv",
        "dwp,2009-10,Jobseeker's Allowance (top-down),300000.00",
        "dwp,2009-10,Jobseeker's Allowance (top-down),",
    )
    assert problems(sqlite_store, package) == [("blank-value", "returns.csv", 13, "amount_gbp")]


def test_a_path_that_is_not_a_package(sqlite_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "nothing.txt"
    path.write_text("hello")
    with pytest.raises(ImportRejected) as caught:
        import_package(path, store=sqlite_store)
    assert caught.value.problems[0].code == "unsupported-format"
    with pytest.raises(ImportRejected) as missing:
        import_package(tmp_path / "absent", store=sqlite_store)
    assert missing.value.problems[0].code == "file-not-found"
