"""PostgreSQL closed a connection: the next request still answers (pool_pre_ping), and a
read whose connection is cut after it was handed out is tried once more."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from tests.conftest import POSTGRES_URL
from tests.workspace import Workspace

ONLY_POSTGRES = pytest.mark.parametrize("store", ["postgresql"], indirect=True)


@pytest.fixture
def terminate() -> Iterator[Any]:
    """Ends chosen PostgreSQL backends, as a restart or an idle timeout would."""
    admin = create_engine(POSTGRES_URL)

    def end(pids: set[int]) -> None:
        with admin.begin() as connection:
            for pid in pids:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    yield end
    admin.dispose()


@ONLY_POSTGRES
def test_a_request_after_the_server_closed_the_connection_answers(
    workspace: Workspace, terminate: Any
) -> None:
    client = workspace.client("viewer")
    assert client.get("/api/places").status_code == 200
    pids: set[int] = set()
    # Every connection this store holds, idle in its pool now.
    for record in list(workspace.store.engine.pool._pool.queue):  # type: ignore[attr-defined]
        if record.dbapi_connection is not None:
            pids.add(record.dbapi_connection.info.backend_pid)
    assert pids
    terminate(pids)
    response = client.get("/api/places")
    assert response.status_code == 200, response.text
    assert response.json()[0]["place_id"] == "testshire"


@ONLY_POSTGRES
def test_a_read_cut_off_after_checkout_is_tried_once_more(
    workspace: Workspace, terminate: Any
) -> None:
    client = workspace.client("viewer")
    cut = {"done": False}

    def cut_once(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # After the pre-ping: the connection dies between checkout and the query.
        if not cut["done"]:
            cut["done"] = True
            terminate({dbapi_connection.info.backend_pid})

    event.listen(workspace.store.engine, "checkout", cut_once)
    try:
        response = client.get("/api/places/testshire/publications")
    finally:
        event.remove(workspace.store.engine, "checkout", cut_once)
    assert cut["done"]
    assert response.status_code == 200, response.text
    assert [p["version"] for p in response.json()] == [1]


def test_a_pool_that_stays_busy_is_a_plain_503(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from totalplace.count.service import publishing

    def busy(*_args: object, **_kwargs: object) -> None:
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")

    client = workspace.client("viewer")
    monkeypatch.setattr(publishing, "publications", busy)
    answer = client.get("/api/places/testshire/publications")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert "very busy" in answer.json()["detail"]
