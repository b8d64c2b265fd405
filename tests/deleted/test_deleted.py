"""Recently deleted: a record set aside is restored as it was, through its table's
checks; only within 30 days, only in its own place, only once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.helpers import DATA, HANDMADE
from tests.workspace import Workspace, csrf
from totalplace.cases.service import cases as case_service
from totalplace.core.problems import NotFound
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.deleted import service as deleted_service
from totalplace.deleted.tables import DeletedRecord
from totalplace.places.service.packages import import_package

CASE = (DATA / "cases" / "family_support.json").read_text().replace('"nhs"', '"pct"').encode()


@pytest.fixture
def place(store: Store) -> Store:
    import_package(HANDMADE, store=store)
    return store


def test_a_deleted_case_comes_back_as_it_was(place: Store) -> None:
    number = case_service.add_case(place, "testshire", CASE, "case.json", "lead@test")
    before = case_service.cases(place, "testshire")[0]
    case_service.delete_case(place, "testshire", number, "lead@test")
    assert case_service.cases(place, "testshire") == []
    [kept] = deleted_service.recently_deleted(place, "testshire")
    assert kept.label == "Intensive family support" and kept.resource == "business_cases"
    assert kept.restorable_until - kept.deleted_at == timedelta(days=30)
    assert deleted_service.restore(place, "testshire", kept.number, "analyst@test") == kept.label
    [after] = case_service.cases(place, "testshire")
    assert (after.name, after.spec, after.added_by) == (before.name, before.spec, before.added_by)
    assert deleted_service.recently_deleted(place, "testshire") == []
    with pytest.raises(NotFound):
        deleted_service.restore(place, "testshire", kept.number, "analyst@test")


def test_after_30_days_it_is_gone(place: Store) -> None:
    number = case_service.add_case(place, "testshire", CASE, "case.json", "lead@test")
    case_service.delete_case(place, "testshire", number, "lead@test")
    [kept] = deleted_service.recently_deleted(place, "testshire")
    with place.transaction() as session:
        session.execute(
            update(DeletedRecord).values(deleted_at=store_base.now() - timedelta(days=31))
        )
    with pytest.raises(NotFound):
        deleted_service.restore(place, "testshire", kept.number, "lead@test")
    assert deleted_service.recently_deleted(place, "testshire") == []


def test_a_record_of_another_place_cannot_be_restored_here(workspace: Workspace) -> None:
    store = workspace.store
    number = case_service.add_case(store, "testshire", CASE, "case.json", "lead@test")
    case_service.delete_case(store, "testshire", number, "lead@test")
    [kept] = deleted_service.recently_deleted(store, "testshire")
    with pytest.raises(NotFound):
        deleted_service.restore(store, "elsewhere", kept.number, "lead@test")
    # Nor by a member of this place without the role, nor without the form's token.
    viewer = workspace.client("viewer")
    path = f"/places/testshire/deleted/{kept.number}/restore"
    assert viewer.post(path, data={"csrf": csrf(viewer, "/places")}).status_code == 403
    analyst = workspace.client("analyst")
    assert analyst.post(path, data={"csrf": "forged"}).status_code in (400, 403)
    assert case_service.cases(store, "testshire") == []
