"""Sharing's routes for the role matrix (tests/core/test_roles.py)."""

from __future__ import annotations

P = "/places/testshire"
EVERYONE = {"lead", "analyst", "contributor", "viewer"}

# The page only reads: every member of the place may see how savings would be shared.
ROUTES = [("GET", f"{P}/sharing", EVERYONE)]
