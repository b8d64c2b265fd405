"""The estate's pure rules: distances, point in polygon, swapped points, scores."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.estate.rules import (
    Asset,
    Projection,
    centroid,
    colocate,
    haversine_m,
    in_area,
    in_polygon,
    quality,
    site_key,
    swapped,
)

R = 6_371_008.8


def cosine_law_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The spherical law of cosines: another formula for the same great circle."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return R * math.acos(max(-1.0, min(1.0, c)))


def test_haversine_against_known_distances() -> None:
    # One degree of latitude on the mean sphere is pi*R/180 metres.
    assert haversine_m(53.0, -2.0, 54.0, -2.0) == pytest.approx(math.pi * R / 180, rel=1e-12)
    assert haversine_m(53.4, -2.3, 53.4, -2.3) == 0
    # The Jobcentre's point and Stretford Mall in the register: about 1.7 km.
    assert haversine_m(53.444834, -2.309007, 53.457863, -2.295804) == pytest.approx(1693, abs=5)


@given(
    st.floats(50, 56),
    st.floats(-4, 1),
    st.floats(-0.05, 0.05),
    st.floats(-0.05, 0.05),
)
def test_haversine_agrees_with_the_law_of_cosines(
    lat: float, lon: float, dlat: float, dlon: float
) -> None:
    ours = haversine_m(lat, lon, lat + dlat, lon + dlon)
    theirs = cosine_law_m(lat, lon, lat + dlat, lon + dlon)
    assert ours == pytest.approx(theirs, abs=0.5)  # the cosine law loses precision near 0


SQUARE = [[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]]
WITH_HOLE = [SQUARE[0], [(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0)]]
# A U shape: the notch between its arms is outside.
U_SHAPE = [
    [(0.0, 0.0), (9.0, 0.0), (9.0, 9.0), (6.0, 9.0), (6.0, 3.0), (3.0, 3.0), (3.0, 9.0), (0.0, 9.0)]
]


def test_ray_casting() -> None:
    assert in_polygon(5, 5, SQUARE)
    assert not in_polygon(11, 5, SQUARE)
    assert not in_polygon(5, -0.1, SQUARE)
    assert not in_polygon(5, 5, WITH_HOLE)
    assert in_polygon(2, 2, WITH_HOLE)
    assert in_polygon(1.5, 8, U_SHAPE)
    assert not in_polygon(4.5, 8, U_SHAPE)
    assert in_polygon(4.5, 1, U_SHAPE)
    assert in_area(7.5, 8, [SQUARE, U_SHAPE])
    assert not in_area(50, 50, [SQUARE, U_SHAPE])


def test_centroid_of_two_equal_squares_is_between_them() -> None:
    other = [[(20.0, 0.0), (30.0, 0.0), (30.0, 10.0), (20.0, 10.0)]]
    assert centroid([SQUARE, other]) == pytest.approx((15.0, 5.0))


def test_swapped_coordinates() -> None:
    assert swapped(Asset("a", "c", "Youth centre", latitude=-2.365856, longitude=53.457484))
    assert not swapped(Asset("a", "c", "Town hall", latitude=53.3879587, longitude=-2.3520922))
    assert not swapped(Asset("a", "c", "Nowhere"))


def test_site_key() -> None:
    assert site_key("Longford Park, Barn: Parks") == site_key("Longford Park (8 Blocks) Old")


def asset(asset_id: str, agency: str, lat: float, lon: float, **kw: object) -> Asset:
    return Asset(asset_id, agency, asset_id.title(), latitude=lat, longitude=lon, **kw)  # type: ignore[arg-type]


def test_colocation_pairs_only_different_agencies_within_the_distance() -> None:
    a = asset("hall", "council", 53.4, -2.3, vacant=True, gia_m2=Decimal(1200), tenure="freehold")
    b = asset("clinic", "nhs", 53.4018, -2.3, tenure="leasehold", lease_expiry=date(2027, 3, 31))
    c = asset("depot", "council", 53.4001, -2.3)
    far = asset("station", "fire", 53.5, -2.3)
    pairs = colocate([a, b, c, far], 400, date(2026, 12, 1))
    assert [(p.a.asset_id, p.b.asset_id) for p in pairs] == [
        ("hall", "clinic"),
        ("clinic", "depot"),
    ]
    best = pairs[0]
    assert best.distance_m == pytest.approx(cosine_law_m(53.4, -2.3, 53.4018, -2.3), abs=0.01)
    # vacant with floor area 3, freehold 1, leased in 2, lease within three years 2
    assert best.score == 8
    assert best.why == (
        "Hall is vacant (1,200 m²)",
        "Hall is freehold: the agency could host a partner",
        "Clinic is leased in: the agency could give up the lease",
        "Clinic's lease ends on 2027-03-31",
    )
    assert colocate([a, b], 100, date(2026, 12, 1)) == []


def test_colocation_leaves_out_swapped_and_outside_points() -> None:
    inside = asset("in", "council", 5, 5)
    flipped = Asset("flip", "nhs", "Flip", latitude=-2.3, longitude=53.4)
    outside = asset("out", "nhs", 5.001, 11)
    neighbour = asset("next", "nhs", 5.001, 5)
    pairs = colocate([inside, flipped, outside, neighbour], 400, date(2026, 1, 1), [SQUARE])
    assert [(p.a.asset_id, p.b.asset_id) for p in pairs] == [("in", "next")]


def test_quality_on_small_cases() -> None:
    stack = [
        Asset(f"s{n}", "council", f"Park, block {n}", latitude=5, longitude=5, gia_m2=Decimal(30))
        for n in range(3)
    ]
    shared = [asset("u1", "council", 1, 1, uprn="123"), asset("u2", "council", 2, 2, uprn="123")]
    findings = quality([*stack, *shared, Asset("none", "council", "Unmapped")], [SQUARE])
    codes = {f.code: f.asset_ids for f in findings}
    assert codes == {
        "no-location": ("none",),
        "shared-uprn": ("u1", "u2"),
        "repeated-floor-area": ("s0", "s1", "s2"),
        "stacked-points": ("s0", "s1", "s2"),
    }


def test_projection_keeps_the_place_in_its_box() -> None:
    projection = Projection.fit([SQUARE], width=600)
    assert projection.xy(0, 10) == (0, 0)
    x, y = projection.xy(10, 0)
    assert x == pytest.approx(600)
    assert projection.contains(x, y)
    assert not projection.contains(*projection.xy(11, 5))
