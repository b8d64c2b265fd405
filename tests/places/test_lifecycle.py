"""A place's whole life cycle across every capability: export, import, replace, delete.

Every capability registers its part (core/registry.py); these tests fail when one is
forgotten: its data would be missing from the package, left behind, or lost on replace.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import DATA
from totalplace.cases.service import cases as case_service
from totalplace.core.config import Settings
from totalplace.core.problems import ImportRejected, NotFound
from totalplace.core.registry import capabilities, place_data
from totalplace.core.store.db import Store, open_store
from totalplace.count.service import returns as return_service
from totalplace.demo.service import build_demo
from totalplace.history import service as history_service
from totalplace.journeys import service as journey_service
from totalplace.models.service import models as model_service
from totalplace.people import service as people
from totalplace.places.service.packages import delete_place, export_package, import_package

PLACE = "trafford"


def _fill(store: Store, tmp_path: Path) -> None:
    """The demo place plus one record of every capability that keeps place data."""
    build_demo(store=store)
    case = _trafford_case()
    case_service.add_case(store, PLACE, case, "family_support.json", "lead@test")
    # A deleted case, kept for 30 days, travels with the place too.
    gone = case_service.add_case(store, PLACE, case, "deleted.json", "lead@test")
    case_service.delete_case(store, PLACE, gone, "lead@test")
    journey = (DATA / "journeys" / "prison_leaver.csv").read_bytes()
    journey_service.add_from_file(store, PLACE, journey, "prison_leaver.csv", "lead@test")
    model = (DATA / "models" / "hiv_chancellor_1997.json").read_bytes()
    model_service.add_model(store, PLACE, model, "hiv.json", "lead@test")
    history_service.import_text(
        store, "trafford-voices", DATA / "history" / "report_extract.txt", "lead@test", PLACE
    )
    rules = tmp_path / "rules.csv"
    rules.write_text("service,cofog,sercop\nLibraries,08.2,CUL\n")
    return_service.classify("trafford-council", rules, store=store, place_id=PLACE)


def _trafford_case() -> bytes:
    """A case naming Trafford's own agencies (a case may name only the place's)."""
    text = (DATA / "cases" / "family_support.json").read_text()
    return text.replace('"council"', '"trafford-council"').replace('"nhs"', '"nhs-dhsc"').encode()


@pytest.fixture
def filled(tmp_path: Path) -> Store:
    home = tmp_path / "source"
    store = open_store(Settings(home=home, database_url=f"sqlite:///{home / 'source.db'}"))
    _fill(store, tmp_path)
    return store


def test_every_capability_with_place_data_is_registered() -> None:
    names = {c.name for c in capabilities()}
    assert {"places", "people", "count", "journeys", "models", "cases", "history"} <= names
    assert len(place_data()) == len([c for c in capabilities() if c.place_data])


def test_demo_export_import_export_is_the_same_byte_for_byte(
    filled: Store, store: Store, tmp_path: Path
) -> None:
    first = export_package(PLACE, tmp_path / "first", store=filled)
    listed = {r["path"] for r in json.loads((first / "datapackage.json").read_text())["resources"]}
    for path in (
        "business_cases.json",
        "journeys.json",
        "models.json",
        "histories.json",
        "classification_rules.csv",
        "column_mappings.json",
        "deleted_records.json",
        "funding_flows.csv",
        "theme_rules.csv",
        "barriers.json",
        "reports.json",
    ):
        assert (first / path).is_file(), path
        assert path in listed, path
    # Into a fresh store (SQLite and PostgreSQL), and out again.
    history_service_row = history_service.projects_of_place(filled, PLACE)
    assert history_service_row, "the history belongs to the place"
    imported = import_package(first, store=store)
    assert "business_cases.json" in imported.resources
    second = export_package(PLACE, tmp_path / "second", store=store)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # Everything the demo and the test added comes back (the demo adds its own story).
    assert len(case_service.cases(store, PLACE)) == len(case_service.cases(filled, PLACE)) >= 1
    assert len(journey_service.records(store, PLACE)) == len(journey_service.records(filled, PLACE))
    assert len(model_service.records(store, PLACE)) == len(model_service.records(filled, PLACE))


def test_replace_replaces_everything_and_keeps_the_people(filled: Store, tmp_path: Path) -> None:
    package = export_package(PLACE, tmp_path / "package", store=filled)
    with filled.transaction() as session:
        user = people.create_user(session, "lead@trafford.test", "Lead", "a long passphrase here")
        people.grant(session, user.id, PLACE, "lead", None)
        user_id = user.id
    cases = len(case_service.cases(filled, PLACE))
    journeys = len(journey_service.records(filled, PLACE))
    histories = len(history_service.projects_of_place(filled, PLACE))
    # A case is added after the export: the replace must take it away again.
    case_service.add_case(filled, PLACE, _trafford_case(), "again.json", "lead@test")
    assert len(case_service.cases(filled, PLACE)) == cases + 1
    result = import_package(package, store=filled, replace=True)
    assert result.replaced
    assert len(case_service.cases(filled, PLACE)) == cases
    assert len(journey_service.records(filled, PLACE)) == journeys
    assert len(history_service.projects_of_place(filled, PLACE)) == histories
    with filled.sessions() as session:
        assert people.membership(session, user_id, PLACE) is not None


def test_delete_takes_everything_of_the_place(filled: Store) -> None:
    from totalplace.barriers.tables import BarrierRow
    from totalplace.cases.tables import BusinessCase
    from totalplace.count.tables import ClassificationRule, Submission
    from totalplace.history.tables import HistoryProject
    from totalplace.journeys.tables import JourneyRecord
    from totalplace.models.tables import ModelRecord
    from totalplace.reports.tables import ReportRow

    with filled.sessions() as session:
        files = list(session.scalars(select(Submission.lines_file)))
    assert files and all(filled.lines.path(f).exists() for f in files)
    delete_place(filled, PLACE, actor="test")
    with filled.sessions() as session:
        for model in (BusinessCase, JourneyRecord, ModelRecord, Submission, ClassificationRule):
            assert session.scalars(select(model)).first() is None, model.__name__
        assert session.scalars(select(HistoryProject)).first() is None
        for model in (BarrierRow, ReportRow):
            assert session.scalars(select(model)).first() is None, model.__name__
    assert not any(filled.lines.path(f).exists() for f in files)
    with pytest.raises(NotFound):
        delete_place(filled, PLACE)


def test_a_resource_nothing_reads_stops_the_import(filled: Store, tmp_path: Path) -> None:
    package = export_package(PLACE, tmp_path / "package", store=filled)
    descriptor = json.loads((package / "datapackage.json").read_text())
    # The estate reads assets.csv now: a resource no capability has, then.
    descriptor["resources"].append({"name": "parking", "path": "parking.csv"})
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    (package / "parking.csv").write_text("space_id\nA1\n")
    with pytest.raises(ImportRejected) as caught:
        import_package(package, store=filled, replace=True)
    assert [p.code for p in caught.value.problems] == ["unknown-resource"]
    assert "parking.csv" in caught.value.problems[0].message


def test_a_bad_record_stops_the_whole_import(filled: Store, store: Store, tmp_path: Path) -> None:
    package = export_package(PLACE, tmp_path / "package", store=filled)
    cases = json.loads((package / "business_cases.json").read_text())
    cases[0]["spec"]["costs"] = "lots"
    (package / "business_cases.json").write_text(json.dumps(cases))
    with pytest.raises(ImportRejected) as caught:
        import_package(package, store=store)
    assert caught.value.problems[0].code == "bad-case"
    with store.sessions() as session:
        from totalplace.places.tables import Place

        assert session.get(Place, PLACE) is None
