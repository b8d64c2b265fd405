"""The reports pages in the role matrix (tests/core/test_roles.py)."""

P = "/places/testshire"
EVERYONE = {"lead", "analyst", "contributor", "viewer"}
ANALYSTS = {"lead", "analyst"}

ROUTES = [
    ("GET", f"{P}/reports", EVERYONE),
    ("GET", f"{P}/reports/preview?year=2009-10&stage=interim", ANALYSTS),
    ("POST", f"{P}/reports", ANALYSTS),
    ("GET", f"{P}/reports/compare", EVERYONE),
    ("GET", "/reports/consolidated", EVERYONE | {"outsider"}),
]
# An issued version's pages need one issued: tests/reports/test_web.py checks their roles.
RECORD_ROUTES = {
    "/places/{place_id}/reports/{version}",
    "/places/{place_id}/reports/{version}/report.{kind}",
}
