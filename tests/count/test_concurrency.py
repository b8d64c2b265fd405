"""Writers at the same moment: versions are allocated under a lock, never by two
readers of the same maximum (publications and return versions, on both stores)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import HANDMADE
from tests.workspace import Workspace, csrf
from totalplace.core.store.db import Store, WriteConflict
from totalplace.count import tables as count_tables
from totalplace.count.service import publishing
from totalplace.count.service.publishing import publications, publish
from totalplace.count.service.returns import import_return
from totalplace.places.service.packages import import_package

WRITERS = 8


@pytest.fixture
def place(store: Store) -> Store:
    import_package(HANDMADE, store=store)
    return store


def test_simultaneous_publishes_get_consecutive_versions(place: Store) -> None:
    with ThreadPoolExecutor(WRITERS) as pool:
        made = list(
            pool.map(
                lambda n: publish(place, "testshire", "2009-10", f"lead{n}@example.org"),
                range(WRITERS),
            )
        )
    versions = sorted(p.version for p in made)
    assert versions == list(range(1, WRITERS + 1))
    stored = sorted(p.version for p in publications(place, "testshire", "2009-10"))
    assert stored == versions


def test_simultaneous_imports_for_one_agency_get_consecutive_versions(
    place: Store, tmp_path: Path
) -> None:
    files = []
    for n in range(WRITERS):
        path = tmp_path / f"return{n}.csv"
        path.write_text(f"Service,Amount\nLibraries,{100 + n}.00\n", encoding="utf-8")
        files.append(path)

    def one(path: Path) -> int:
        result = import_return("council", [path], "2010-11", store=place, actor="a@example.org")
        assert result is not None
        return result.version

    with place.sessions() as session:
        before = len(count_tables.submissions_for(session, "testshire", "council", "2010-11"))
    with ThreadPoolExecutor(WRITERS) as pool:
        versions = sorted(pool.map(one, files))
    assert versions == list(range(before + 1, before + WRITERS + 1))
    with place.sessions() as session:
        stored = count_tables.submissions_for(session, "testshire", "council", "2010-11")
    assert sorted(s.version for s in stored) == list(range(1, before + WRITERS + 1))
    # Exactly one of them is the current return: the rest were superseded in turn.
    assert [s.status for s in stored].count("current") == 1


def test_simultaneous_api_publishes_answer_200_with_consecutive_versions(
    workspace: Workspace,
) -> None:
    clients = [workspace.client("lead") for _ in range(5)]
    tokens = [c.get("/api/session").json()["csrf_token"] for c in clients]

    def one(n: int) -> int:
        response = clients[n].post(
            "/api/places/testshire/count/2009-10/publish", headers={"X-CSRF-Token": tokens[n]}
        )
        assert response.status_code == 200, response.text
        return int(response.json()["version"])

    with ThreadPoolExecutor(len(clients)) as pool:
        versions = sorted(pool.map(one, range(len(clients))))
    # The workspace published version 1 already.
    assert versions == [2, 3, 4, 5, 6]


def test_a_write_conflict_is_a_plain_409_not_a_500(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def taken(*_args: object, **_kwargs: object) -> None:
        raise WriteConflict("Someone else published the 2009-10 count a moment ago.")

    monkeypatch.setattr(publishing, "publish", taken)
    lead = workspace.client("lead")
    token = lead.get("/api/session").json()["csrf_token"]
    api = lead.post("/api/places/testshire/count/2009-10/publish", headers={"X-CSRF-Token": token})
    assert api.status_code == 409
    answer = api.json()
    assert answer["detail"].startswith("Someone else published the 2009-10 count a moment ago.")
    assert [p["code"] for p in answer["problems"]] == ["write-conflict"]
    page = lead.post(
        "/places/testshire/count/2009-10/publish",
        data={"csrf": csrf(lead, "/places/testshire/count/2009-10"), "confirmed": "yes"},
    )
    assert page.status_code == 409
    assert "Someone else published the 2009-10 count a moment ago." in page.text
