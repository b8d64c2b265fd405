"""The barriers pages in the role matrix (tests/core/test_roles.py)."""

P = "/places/testshire"
EVERYONE = {"lead", "analyst", "contributor", "viewer"}
ANALYSTS = {"lead", "analyst"}

ROUTES = [
    ("GET", f"{P}/barriers", EVERYONE),
    ("GET", f"{P}/barriers.csv", EVERYONE),
    ("GET", f"{P}/barriers/letter.docx", EVERYONE),
    ("GET", f"{P}/barriers/new", ANALYSTS),
    ("POST", f"{P}/barriers", ANALYSTS),
    ("POST", f"{P}/barriers/upload", ANALYSTS),
    ("POST", f"{P}/barriers/upload/confirm", ANALYSTS),
    ("GET", "/barriers/national", EVERYONE | {"outsider"}),
    ("GET", "/barriers/national.csv", EVERYONE | {"outsider"}),
]
# A barrier's own pages need a barrier: tests/barriers/test_web.py checks their roles.
RECORD_ROUTES = {
    "/places/{place_id}/barriers/{number}",
    "/places/{place_id}/barriers/{number}/status",
    "/places/{place_id}/barriers/{number}/edit",
}
