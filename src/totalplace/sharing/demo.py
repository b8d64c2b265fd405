"""The demo's sharing: nothing of its own to add (the page works from the demo's business
cases), but the demo is not built unless its cases can be shared: each names agencies of
the place and the pool runs them."""

from __future__ import annotations

from totalplace.core.context import Report
from totalplace.core.store.db import Store
from totalplace.sharing.service import place_shares


def add_demo(store: Store, place_id: str, report: Report) -> None:
    shares = place_shares(store, place_id)  # refuses a case naming an unknown agency
    report(
        f"Sharing the savings: the pool runs {len(shares.run)} of the demo's "
        f"{len(shares.run) + len(shares.not_run)} business cases"
    )
