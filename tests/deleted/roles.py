"""Recently deleted's routes in the role matrix (tests/core/test_roles.py)."""

from __future__ import annotations

P = "/places/testshire"

ROUTES = [("GET", f"{P}/deleted", {"lead", "analyst"})]
# Restoring needs a deleted record: tested in tests/deleted/test_deleted.py.
RECORD_ROUTES = {"/places/{place_id}/deleted/{number}/restore"}
