"""The demo place's barriers register: illustrative, and said so on every barrier."""

from __future__ import annotations

from totalplace.barriers import service
from totalplace.core.context import Report
from totalplace.core.store.db import Store


def add_demo(store: Store, place_id: str, report: Report) -> None:
    report("Adding an illustrative barriers register")
    service.demo_register(store, place_id)
