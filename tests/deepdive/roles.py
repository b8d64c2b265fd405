"""The deep dive's routes in the role matrix (tests/core/test_roles.py)."""

from __future__ import annotations

P = "/places/testshire"
ANALYSTS = {"lead", "analyst"}
EVERYONE = {"lead", "analyst", "contributor", "viewer"}

ROUTES = [
    ("GET", f"{P}/deepdive", EVERYONE),
    ("GET", f"{P}/deepdive?year=2009-10", EVERYONE),
    ("GET", f"{P}/deepdive/flows.csv", ANALYSTS),
    ("GET", f"{P}/deepdive/template.xlsx", ANALYSTS),
    ("POST", f"{P}/deepdive", ANALYSTS),
    ("POST", f"{P}/deepdive/theme-rules", ANALYSTS),
]
RECORD_ROUTES: set[str] = set()
