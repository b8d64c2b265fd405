"""The count is made once per exact set of inputs: a second request for the same count is
not recomputed, and accepting a return, a classification rule or a new apportionment
gives a freshly made, correct count."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import HANDMADE
from totalplace.core.store.db import Store
from totalplace.count.service import counting
from totalplace.count.service.returns import accept_return, classify, import_return, submit_return
from totalplace.places.service.packages import import_package
from totalplace.places.tables import Apportionment

YEAR = "2009-10"


@pytest.fixture
def place(store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, list[int]]:
    import_package(HANDMADE, store=store)
    made: list[int] = []
    real = counting.count

    def counted(data: Any) -> Any:
        made.append(1)
        return real(data)

    monkeypatch.setattr(counting, "count", counted)
    return store, made


def test_the_same_count_is_made_once(place: tuple[Store, list[int]]) -> None:
    store, made = place
    first = counting.count_place("testshire", YEAR, store=store)
    second = counting.count_place("testshire", YEAR, store=store)
    assert len(made) == 1
    assert second.to_json() == first.to_json()


def test_accepting_a_return_makes_a_new_count(
    place: tuple[Store, list[int]], tmp_path: Path
) -> None:
    store, made = place
    before = counting.count_place("testshire", YEAR, store=store).total_pence
    path = tmp_path / "council.csv"
    path.write_text("Service,Amount\nLibraries,100.00\n", encoding="utf-8")
    draft = import_return("council", [path], YEAR, store=store, actor="c@x.test", draft=True)
    assert draft is not None and draft.submission_id is not None
    # A draft is not counted: same inputs, the same count, not made again.
    assert counting.count_place("testshire", YEAR, store=store).total_pence == before
    assert len(made) == 1
    submit_return(store, draft.submission_id, "c@x.test")
    accept_return(store, draft.submission_id, "a@x.test")
    after = counting.count_place("testshire", YEAR, store=store)
    assert len(made) == 2
    assert after == counting.count(counting.count_input("testshire", YEAR, store))
    assert after.total_pence != before


def test_classifying_and_apportioning_make_a_new_count(
    place: tuple[Store, list[int]], tmp_path: Path
) -> None:
    store, made = place
    counting.count_place("testshire", YEAR, store=store)
    rules = tmp_path / "rules.csv"
    rules.write_text("service,cofog\nLibraries,08.2\n", encoding="utf-8")
    classify("council", rules, store=store, actor="a@x.test")
    counting.count_place("testshire", YEAR, store=store)
    assert len(made) == 2
    with store.transaction() as session:
        share = session.query(Apportionment).filter_by(place_id="testshire").first()
        assert share is not None
        share.share = str(Decimal(share.share) / 2)
    halved = counting.count_place("testshire", YEAR, store=store)
    assert len(made) == 3
    assert halved == counting.count(counting.count_input("testshire", YEAR, store))


def test_people_asking_at_once_wait_for_one_count(place: tuple[Store, list[int]]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store, made = place
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda _: counting.count_place("testshire", YEAR, store=store), range(8))
        )
    assert len(made) == 1
    assert all(r == results[0] for r in results)
