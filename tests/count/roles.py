"""The count's routes added beside its tests, in the role matrix (tests/core/test_roles.py)."""

from __future__ import annotations

P = "/places/testshire"
EVERYONE = {"lead", "analyst", "contributor", "viewer"}

ROUTES = [
    ("GET", f"{P}/publications/2009-10/1/functions/07", EVERYONE),
    ("GET", f"{P}/publications/2009-10/1/functions/unclassified", EVERYONE),
]
RECORD_ROUTES: set[str] = set()
