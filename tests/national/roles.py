"""The national view's routes in the role matrix: public statistics, so every signed-in
person may see them, a member of a place or not (docs/decisions/0802-...)."""

EVERYONE = {"lead", "analyst", "contributor", "viewer", "outsider"}

ROUTES = [
    ("GET", "/national", EVERYONE),
    ("GET", "/national?layer=cofog-07&region=North+West&sort=name&order=asc", EVERYONE),
    ("GET", "/national/districts/E08000009", EVERYONE),
    ("GET", "/national/districts.csv", EVERYONE),
    ("GET", "/national/districts.xlsx", EVERYONE),
]
