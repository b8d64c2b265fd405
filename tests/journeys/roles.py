"""Journeys' own routes in the role matrix (tests/core/test_roles.py)."""

from __future__ import annotations

# On a journey or its steps: tested in tests/journeys/test_editing.py.
RECORD_ROUTES = {
    "/places/{place_id}/journeys/{record_id}/steps/{number}",
    "/places/{place_id}/journeys/{record_id}/steps/{number}/delete",
    "/places/{place_id}/journeys/{record_id}/delete",
}
