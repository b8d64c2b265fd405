"""The public estate's pure logic: distances, boundaries, data-quality findings, co-location
scores and the map's projection. No files, no store, no web."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# The mean radius of the Earth (IUGG), in metres: the usual sphere for haversine.
EARTH_RADIUS_M = 6_371_008.8
DEFAULT_WITHIN_M = 400
# Great Britain lies between these latitudes and longitudes (with a margin); a point whose
# latitude is in the longitude range and whose longitude is in the latitude range has them
# the wrong way round.
GB_LATITUDES = (49.0, 61.5)
GB_LONGITUDES = (-9.0, 2.5)
# So many assets on exactly one point are stacked: one point for a whole site, or a default.
STACKED_AT = 3
# So many assets of one site with the very same floor area: the site's area copied onto each.
REPEATED_AREA_AT = 3
# An address naming another agency's building more than this far from the point disagrees.
ADDRESS_MISMATCH_M = 500

TENURES = ("freehold", "leasehold", "leased out", "other", "")

Ring = Sequence[tuple[float, float]]  # (longitude, latitude) pairs, closed or not
Polygon = Sequence[Ring]  # the outer ring, then any holes


@dataclass(frozen=True)
class Asset:
    """One building or piece of land of one agency, as the estate knows it."""

    asset_id: str
    agency_id: str
    name: str
    latitude: float | None = None
    longitude: float | None = None
    uprn: str = ""
    tenure: str = ""
    use: str = ""
    gia_m2: Decimal | None = None
    vacant: bool | None = None
    running_cost_pence: int | None = None
    lease_expiry: date | None = None
    source: str = ""
    # How the point was found when it is not the asset's own (e.g. a postcode centroid).
    location_note: str = ""
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting: a ray east from the point crosses the ring's edges an odd number of
    times when the point is inside."""
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


def in_polygon(lon: float, lat: float, polygon: Polygon) -> bool:
    if not polygon or not _in_ring(lon, lat, polygon[0]):
        return False
    return not any(_in_ring(lon, lat, hole) for hole in polygon[1:])


def in_area(lon: float, lat: float, polygons: Iterable[Polygon]) -> bool:
    return any(in_polygon(lon, lat, p) for p in polygons)


def centroid(polygons: Sequence[Polygon]) -> tuple[float, float]:
    """The area-weighted centroid (longitude, latitude) of polygons' outer rings; small
    sites, so the plane formula on degrees is close enough to place a site's marker."""
    total = cx = cy = 0.0
    for polygon in polygons:
        ring = list(polygon[0])
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x1 * y2 - x2 * y1
            total += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
    if total == 0:
        points = [pt for polygon in polygons for pt in polygon[0]]
        return (
            sum(p[0] for p in points) / len(points),
            sum(p[1] for p in points) / len(points),
        )
    return cx / (3 * total), cy / (3 * total)


# ---- data quality ---------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Something in the estate's data a person should look at; never fixed silently."""

    code: str
    asset_ids: tuple[str, ...]
    message: str
    fix: str


FINDING_CODES: dict[str, str] = {
    "outside-boundary": "The point is outside the place's boundary",
    "swapped-coordinates": "Latitude and longitude look swapped",
    "shared-uprn": "The same UPRN on several assets",
    "repeated-floor-area": "One floor area repeated on every part of a site",
    "stacked-points": "Many assets on one point",
    "address-point-mismatch": "The address and the point disagree",
    "no-location": "No location",
}


def swapped(asset: Asset) -> bool:
    if not asset.located:
        return False
    assert asset.latitude is not None and asset.longitude is not None
    lat, lon = asset.latitude, asset.longitude
    lat_ok = GB_LATITUDES[0] <= lat <= GB_LATITUDES[1]
    lon_ok = GB_LONGITUDES[0] <= lon <= GB_LONGITUDES[1]
    looks_swapped = GB_LATITUDES[0] <= lon <= GB_LATITUDES[1] and (
        GB_LONGITUDES[0] <= lat <= GB_LONGITUDES[1]
    )
    return not (lat_ok and lon_ok) and looks_swapped


def quality(assets: Sequence[Asset], boundary: Sequence[Polygon]) -> list[Finding]:
    """Every data-quality finding on a place's assets, in a stable order."""
    findings: list[Finding] = []
    findings += _location_findings(assets, boundary)
    findings += _shared_uprns(assets)
    findings += _repeated_areas(assets)
    findings += _stacked(assets)
    findings += _address_mismatches(assets)
    return findings


def _location_findings(assets: Sequence[Asset], boundary: Sequence[Polygon]) -> list[Finding]:
    out = []
    unlocated = [a for a in assets if not a.located]
    if unlocated:
        out.append(
            Finding(
                "no-location",
                tuple(a.asset_id for a in unlocated),
                f"{len(unlocated)} asset{'s have' if len(unlocated) != 1 else ' has'} no point, "
                "so the map cannot show them",
                "Add a latitude and longitude (or easting and northing) to the source file.",
            )
        )
    for a in assets:
        if not a.located:
            continue
        assert a.latitude is not None and a.longitude is not None
        if swapped(a):
            out.append(
                Finding(
                    "swapped-coordinates",
                    (a.asset_id,),
                    f"{a.name} has latitude {a.latitude} and longitude {a.longitude}: "
                    "they look the wrong way round",
                    "Swap the latitude and longitude in the source file and import it again.",
                )
            )
        elif boundary and not in_area(a.longitude, a.latitude, boundary):
            out.append(
                Finding(
                    "outside-boundary",
                    (a.asset_id,),
                    f"{a.name} ({a.latitude}, {a.longitude}) is outside the place's boundary",
                    "Check the point; an asset the agency holds elsewhere (an investment) can "
                    "stay, but it is not drawn on the place's map.",
                )
            )
    return out


def _shared_uprns(assets: Sequence[Asset]) -> list[Finding]:
    by_uprn: dict[str, list[Asset]] = defaultdict(list)
    for a in assets:
        if a.uprn.strip():
            by_uprn[a.uprn.strip()].append(a)
    return [
        Finding(
            "shared-uprn",
            tuple(a.asset_id for a in group),
            f"UPRN {uprn} is on {len(group)} assets: " + "; ".join(a.name for a in group),
            "A UPRN names one addressable property: give each asset its own, or record "
            "them as one asset.",
        )
        for uprn, group in sorted(by_uprn.items())
        if len(group) > 1
    ]


def site_key(name: str) -> str:
    """The site an asset belongs to, from its name's first two words ("Longford Park,
    Barn" and "Longford Park, Shelter" are one site)."""
    words = re.findall(r"[a-z0-9']+", name.lower())
    return " ".join(words[:2])


def _repeated_areas(assets: Sequence[Asset]) -> list[Finding]:
    groups: dict[tuple[str, Decimal], list[Asset]] = defaultdict(list)
    for a in assets:
        if a.gia_m2 is not None and a.gia_m2 > 0:
            groups[(site_key(a.name), a.gia_m2)].append(a)
    return [
        Finding(
            "repeated-floor-area",
            tuple(a.asset_id for a in group),
            f"{len(group)} assets of {group[0].name.split(',')[0]} each have {area:,} m²: "
            "the site's floor area is probably repeated on every part",
            "Give each part its own floor area, or keep the area on one asset of the site; "
            "totals count it once for each asset meanwhile.",
        )
        for (_site, area), group in sorted(groups.items())
        if len(group) >= REPEATED_AREA_AT
    ]


def _stacked(assets: Sequence[Asset]) -> list[Finding]:
    points: dict[tuple[float, float], list[Asset]] = defaultdict(list)
    for a in assets:
        if a.located:
            assert a.latitude is not None and a.longitude is not None
            points[(a.latitude, a.longitude)].append(a)
    return [
        Finding(
            "stacked-points",
            tuple(a.asset_id for a in group),
            f"{len(group)} assets share the point ({lat}, {lon}): "
            + "; ".join(a.name for a in group[:4])
            + ("; …" if len(group) > 4 else ""),
            "Give each asset its own point if they are separate buildings; on the map they "
            "hide one another.",
        )
        for (lat, lon), group in sorted(points.items())
        if len(group) >= STACKED_AT
    ]


def _building(text: str) -> str:
    return " ".join(text.lower().split())


def _address_mismatches(assets: Sequence[Asset]) -> list[Finding]:
    """An asset whose address starts with the name of another agency's building (the
    Jobcentre "Stretford Mall, Chester Road, ...") far from its own point. Only the
    address's first part is compared: a town or street in it names no building."""
    named: dict[str, list[Asset]] = defaultdict(list)
    for other in assets:
        if other.located and len(other.name) >= 6:
            named[_building(other.name)].append(other)
    out = []
    for a in assets:
        building = _building(a.extras.get("address", "").split(",")[0])
        if not building or not a.located:
            continue
        assert a.latitude is not None and a.longitude is not None
        for other in named.get(building, []):
            if other.agency_id == a.agency_id:
                continue
            assert other.latitude is not None and other.longitude is not None
            distance = haversine_m(a.latitude, a.longitude, other.latitude, other.longitude)
            if distance > ADDRESS_MISMATCH_M:
                out.append(
                    Finding(
                        "address-point-mismatch",
                        (a.asset_id, other.asset_id),
                        f"{a.name}'s address names {other.name} ({other.agency_id}), "
                        f"{distance / 1000:.1f} km from {a.name}'s point",
                        "Check which is right: the point may be a postcode centroid; "
                        "correct the point or the address.",
                    )
                )
                break
    return out


# ---- co-location ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    a: Asset
    b: Asset
    distance_m: float
    score: int
    why: tuple[str, ...]


LARGE_M2 = Decimal(1000)


def _reasons(asset: Asset, as_of: date) -> list[tuple[int, str]]:
    """What makes one asset worth a look for sharing, each with its points."""
    out = []
    if asset.vacant and asset.gia_m2:
        out.append((3, f"{asset.name} is vacant ({asset.gia_m2:,} m²)"))
    elif asset.vacant:
        out.append((1, f"{asset.name} is vacant (no floor area recorded)"))
    if asset.gia_m2 is not None and asset.gia_m2 >= LARGE_M2 and not asset.vacant:
        out.append((1, f"{asset.name} has {asset.gia_m2:,} m² of floor area to share"))
    if asset.tenure == "leasehold":
        out.append((2, f"{asset.name} is leased in: the agency could give up the lease"))
    elif asset.tenure == "freehold":
        out.append((1, f"{asset.name} is freehold: the agency could host a partner"))
    if asset.lease_expiry is not None and asset.lease_expiry >= as_of:
        years = (asset.lease_expiry - as_of).days / 365.25
        if years <= 3:
            out.append((2, f"{asset.name}'s lease ends on {asset.lease_expiry.isoformat()}"))
        elif years <= 5:
            out.append((1, f"{asset.name}'s lease ends on {asset.lease_expiry.isoformat()}"))
    return out


def colocate(
    assets: Sequence[Asset], within_m: float, as_of: date, boundary: Sequence[Polygon] = ()
) -> list[Pair]:
    """Pairs of assets of different agencies within `within_m` metres, best first.

    Assets without a point, with swapped coordinates, or outside the boundary (when one
    is given) are left out: they are data-quality findings, not neighbours."""
    usable = []
    for a in assets:
        if not a.located or swapped(a):
            continue
        assert a.latitude is not None and a.longitude is not None
        if boundary and not in_area(a.longitude, a.latitude, boundary):
            continue
        usable.append(a)
    pairs = []
    for i, a in enumerate(usable):
        for b in usable[i + 1 :]:
            if a.agency_id == b.agency_id:
                continue
            assert a.latitude is not None and a.longitude is not None
            assert b.latitude is not None and b.longitude is not None
            distance = haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)
            if distance > within_m:
                continue
            reasons = _reasons(a, as_of) + _reasons(b, as_of)
            pairs.append(
                Pair(
                    a,
                    b,
                    distance,
                    sum(points for points, _ in reasons),
                    tuple(text for _, text in reasons),
                )
            )
    return sorted(pairs, key=lambda p: (-p.score, p.distance_m, p.a.asset_id, p.b.asset_id))


# ---- the map --------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Longitude and latitude to the map's x and y: equirectangular, shrunk east-west by
    the cosine of the middle latitude, which is true enough across one place."""

    west: float
    north: float
    scale: float
    cos_lat: float
    width: float
    height: float

    @classmethod
    def fit(cls, polygons: Sequence[Polygon], width: float = 600) -> Projection:
        lons = [x for p in polygons for ring in p for x, _ in ring]
        lats = [y for p in polygons for ring in p for _, y in ring]
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
        cos_lat = math.cos(math.radians((south + north) / 2))
        scale = width / ((east - west) * cos_lat)
        return cls(west, north, scale, cos_lat, width, (north - south) * scale)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.west) * self.cos_lat * self.scale, (self.north - lat) * self.scale)

    def contains(self, x: float, y: float) -> bool:
        return 0 <= x <= self.width and 0 <= y <= self.height

    def path(self, polygon: Polygon) -> str:
        parts = []
        for ring in polygon:
            points = [self.xy(lon, lat) for lon, lat in ring]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z")
        return " ".join(parts)
