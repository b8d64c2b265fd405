"""The demo's part from barriers and reports, on a place with whatever it holds."""

from __future__ import annotations

import pytest

from tests.barriers.helpers import fill
from tests.helpers import HANDMADE
from totalplace.barriers import demo as barriers_demo
from totalplace.barriers import service as barriers
from totalplace.core.registry import capabilities
from totalplace.core.store.db import Store
from totalplace.places.service.packages import import_package
from totalplace.reports import demo as reports_demo
from totalplace.reports import service as reports


def test_the_demo_register_and_final_report(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_package(HANDMADE, store=sqlite_store)
    said: list[str] = []
    barriers_demo.add_demo(sqlite_store, "testshire", said.append)
    shown = barriers.register(sqlite_store, "testshire")
    assert [s.barrier.kind for s in shown] == ["funding", "performance", "data-sharing"]
    assert all(s.barrier.description.startswith("Illustrative:") for s in shown)
    assert shown[0].barrier.status == "escalated"
    # With nothing else in the place, only the funding stream is linked.
    assert [b.kind for s in shown for b in s.blocks] == ["stream"]
    monkeypatch.setattr(reports_demo, "DEMO_YEAR", "2009-10")  # the handmade place's year
    reports_demo.add_demo(sqlite_store, "testshire", said.append)
    [issued] = reports.versions(sqlite_store, "testshire")
    assert issued.stage == "final"
    assert reports.issued(sqlite_store, "testshire", 1).figures()["count.total"].value
    assert said == ["Adding an illustrative barriers register", "Issuing the demo's final report"]


def test_the_demo_links_what_the_place_holds(sqlite_store: Store) -> None:
    import_package(HANDMADE, store=sqlite_store)
    fill(sqlite_store)
    barriers.demo_register(sqlite_store, "testshire")
    kinds = {b.kind for s in barriers.register(sqlite_store, "testshire") for b in s.blocks}
    assert kinds == {"stream", "case", "journey", "quote"}


def test_reports_come_after_every_other_capability() -> None:
    # The report's demo is added once every other capability has added its own.
    ordered = [c.name for c in capabilities() if c.demo_content]
    assert ordered[-1] == "reports"
    assert ordered.index("barriers") > ordered.index("cases")
