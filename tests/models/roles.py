"""Cost-of-failure models' own routes in the role matrix (tests/core/test_roles.py)."""

from __future__ import annotations

# On a model: tested in tests/models/test_editing.py.
RECORD_ROUTES = {
    "/places/{place_id}/models/{record_id}.json",
    "/places/{place_id}/models/{record_id}/delete",
}
RECORD_ROUTES |= {"/places/{place_id}/models/{record_id}/edit"}
ROUTES = [
    ("GET", "/places/testshire/models/new", {"lead", "analyst"}),
    ("POST", "/places/testshire/models/new", {"lead", "analyst"}),
    ("GET", "/places/testshire/models/impact", {"lead", "analyst"}),
]
