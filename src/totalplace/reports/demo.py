"""The demo place's issued final report, on whatever the place holds."""

from __future__ import annotations

from totalplace.core.context import Report
from totalplace.core.store.db import Store
from totalplace.reports import service

# The demo's main year (demo/service.py MAIN_YEAR): the year its count is published for.
DEMO_YEAR = "2017-18"


def add_demo(store: Store, place_id: str, report: Report) -> None:
    report("Issuing the demo's final report")
    service.demo_report(store, place_id, DEMO_YEAR, "totalplace demo")
