"""Invest to save's own routes in the role matrix (tests/core/test_roles.py)."""

from __future__ import annotations

P = "/places/testshire"
ANALYSTS = {"lead", "analyst"}

ROUTES = [
    ("GET", f"{P}/cases/new", ANALYSTS),
    ("POST", f"{P}/cases/new", ANALYSTS),
]
# On a case: tested in tests/cases/test_forms.py (made, read by a viewer, changed, deleted).
RECORD_ROUTES = {
    "/places/{place_id}/cases/{case_id}.json",
    "/places/{place_id}/cases/{case_id}/edit",
    "/places/{place_id}/cases/{case_id}/delete",
}
