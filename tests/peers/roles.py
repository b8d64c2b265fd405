"""Benchmarking's routes in the role matrix (tests/core/test_roles.py): every member of a
place may read its benchmarking and the roll-up of published counts."""

P = "/places/testshire"
EVERYONE = {"lead", "analyst", "contributor", "viewer"}

ROUTES = [
    ("GET", f"{P}/peers", EVERYONE),
    ("GET", f"{P}/peers?district=E08000009&set=dfe-2021&k=5", EVERYONE),
    ("GET", f"{P}/peers/rollup", EVERYONE),
    ("GET", f"{P}/peers/rollup?year=2009-10", EVERYONE),
]
