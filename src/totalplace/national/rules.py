"""The top-down count's arithmetic, pure: exact shares of each body's money among the
districts it serves, and the count of every district from them.

Every amount is integer pence. A body's money is shared with `allocate`, a largest-remainder
division, so the districts' shares add up to the body's total to the penny, whatever the key.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from totalplace.core.money import divide_half_even

ACTUAL = "actual"
IMPUTED = "imputed"
ESTIMATE = "estimate"

# Keys a body's line may be shared by: a name -> the age range it counts (inclusive; 90 is
# "90 and over"), or a mix of other keys by weight.
AGE_KEYS: dict[str, tuple[int, int]] = {
    "population": (0, 90),
    "age_0_15": (0, 15),
    "age_0_17": (0, 17),
    "age_0_19": (0, 19),
    "age_5_18": (5, 18),
    "age_18_64": (18, 64),
    "age_65_plus": (65, 90),
}
MIXED_KEYS: dict[str, tuple[tuple[str, Fraction], ...]] = {
    "adult_social_care": (("age_65_plus", Fraction(1, 2)), ("age_18_64", Fraction(1, 2))),
}
# With the "age" basis for central spending, the functions that serve one age group.
CENTRAL_AGE_KEYS: dict[str, str] = {
    "10.2": "age_65_plus",  # old age: state pension, pension credit, winter fuel
    "10.4": "age_0_15",  # family and children: child benefit, tax credits for children
    "9.1": "age_5_18",  # pre-primary and primary education
    "9.2": "age_5_18",  # secondary education
}


class AllocationError(ValueError):
    """A key gives no weight to any member, so the money has nowhere to go."""


def allocate(pence: int, weights: Sequence[Fraction]) -> list[int]:
    """`pence` divided in proportion to `weights`, each share whole pence, the shares summing
    to `pence` exactly: the floor of each exact share, then the pennies left over to the
    largest remainders (ties to the first). A negative amount is shared as its opposite."""
    return allocate_whole(pence, whole_weights(weights))


def whole_weights(weights: Sequence[Fraction]) -> list[int]:
    """The same proportions as whole numbers (over their common denominator), so a key used
    for many lines is converted once and each share is integer arithmetic."""
    if any(w < 0 for w in weights):
        raise AllocationError("a key's weight cannot be negative")
    denominator = math.lcm(*(Fraction(w).denominator for w in weights)) if weights else 1
    return [int(w * denominator) for w in weights]


def allocate_whole(pence: int, weights: Sequence[int]) -> list[int]:
    """`allocate` with whole-number weights."""
    if pence < 0:
        return [-share for share in allocate_whole(-pence, weights)]
    total = sum(weights)
    if total <= 0 or any(w < 0 for w in weights):
        raise AllocationError("the key gives no weight to any member")
    shares, remainders = [], []
    for w in weights:
        share, remainder = divmod(pence * w, total)
        shares.append(share)
        remainders.append(remainder)
    left = pence - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares


@dataclass(frozen=True)
class District:
    gss_code: str
    name: str
    region: str  # CRA's region key, e.g. "england_north west"
    population: int
    bands: Mapping[str, Fraction]  # AGE_KEYS name -> people in that range

    def people(self, key: str) -> Fraction:
        return self.bands[key]


def age_bands(population: int, ages: Sequence[int]) -> dict[str, Fraction]:
    """People in each AGE_KEYS range: a population spread by another year's age profile
    (`ages`, single years 0..90+), so the bands add up to `population` exactly."""
    total = sum(ages)
    out = {}
    for key, (low, high) in AGE_KEYS.items():
        counted = sum(ages[low : high + 1])
        out[key] = Fraction(population * counted, total) if total else Fraction(0)
    out["population"] = Fraction(population)
    return out


@dataclass(frozen=True)
class Body:
    """A local-government body and the districts it serves, each with the fraction of the
    district's people it serves (1 unless a district took in part of an old county)."""

    gss_code: str
    name: str
    kind: str  # council, county, police, fire, combined, waste, national park, GLA, ...
    lines: Mapping[int, int]  # RS line -> pence
    members: tuple[tuple[str, Fraction], ...]
    missing: bool = False


@dataclass(frozen=True)
class Line:
    label: str
    cofog_division: str


@dataclass(frozen=True)
class CentralLine:
    region: str
    department: str
    cofog_division: str
    cofog_level1: str
    sector: str
    capital: bool
    pence: int
    located: bool = False


@dataclass(frozen=True)
class Component:
    """One body's line as it reaches one district."""

    body_gss: str
    body_name: str
    body_kind: str
    line: str  # "RS 190", or a CRA department and function
    label: str
    cofog_division: str
    pence: int
    kind: str  # actual, imputed or estimate
    basis: str


@dataclass
class DistrictResult:
    district: District
    components: list[Component] = field(default_factory=list)
    memo_located_pence: int = 0
    warnings: list[str] = field(default_factory=list)

    def pence(self, kind: str, *, capital: bool | None = None) -> int:
        return sum(
            c.pence
            for c in self.components
            if c.kind == kind and (capital is None or (c.body_kind == "local capital") == capital)
        )

    @property
    def total_pence(self) -> int:
        return sum(c.pence for c in self.components)

    @property
    def local_government_actual_pence(self) -> int:
        return sum(c.pence for c in self.components if c.kind == ACTUAL)

    @property
    def estimated_pence(self) -> int:
        return sum(c.pence for c in self.components if c.kind != ACTUAL)

    def by_cofog_division(self) -> dict[str, int]:
        out: dict[str, int] = {f"{n:02d}": 0 for n in range(1, 11)}
        for c in self.components:
            out[c.cofog_division] = out.get(c.cofog_division, 0) + c.pence
        return out


def key_weights(key: str, members: Sequence[tuple[District, Fraction]]) -> list[Fraction]:
    """Each member's weight under `key`: its people in the key's age range (times the
    fraction of the district the body serves); a mixed key adds its parts' shares."""
    if key in MIXED_KEYS:
        out = [Fraction(0)] * len(members)
        for part, weight in MIXED_KEYS[key]:
            shares = key_weights(part, members)
            total = sum(shares, Fraction(0))
            if total:  # a part nobody in the group belongs to adds nothing
                out = [o + weight * s / total for o, s in zip(out, shares, strict=True)]
        return out
    if key not in AGE_KEYS:
        raise KeyError(f"unknown service key {key!r}")
    return [d.people(key) * fraction for d, fraction in members]


def share_body(
    body: Body,
    districts: Mapping[str, District],
    lines: Mapping[int, Line],
    keys: Mapping[int, str],
    results: Mapping[str, DistrictResult],
    kind: str = ACTUAL,
) -> None:
    """Add each of a body's RS lines to its member districts: a county's by the line's
    service key, any other body's by population (a single member takes it all)."""
    members = [(districts[code], fraction) for code, fraction in body.members]
    cached: dict[str, list[int]] = {}
    for number, pence in sorted(body.lines.items()):
        key = keys.get(number, "population") if body.kind == "county" else "population"
        if len(members) == 1 and members[0][1] == 1:
            shares, basis = [pence], "own return"
        else:
            if key not in cached:
                cached[key] = whole_weights(key_weights(key, members))
            shares = allocate_whole(pence, cached[key])
            basis = f"shared among {len(members)} districts by {key.replace('_', ' ')}"
        line = lines[number]
        for (district, _), share in zip(members, shares, strict=True):
            results[district.gss_code].components.append(
                Component(
                    body.gss_code,
                    body.name,
                    body.kind,
                    f"RS {number}",
                    line.label,
                    line.cofog_division,
                    share,
                    kind,
                    basis,
                )
            )


def impute_lines(
    missing: Body, peers: Sequence[Body], people: Mapping[str, int], own_people: int
) -> dict[int, int]:
    """A missing return's lines: its peers' spending per head on each line times its own
    population, rounded half to even at the penny."""
    peer_people = sum(people[b.gss_code] for b in peers)
    if not peers or peer_people <= 0:
        return {}
    totals: dict[int, int] = defaultdict(int)
    for peer in peers:
        for number, pence in peer.lines.items():
            totals[number] += pence
    return {n: divide_half_even(t * own_people, peer_people) for n, t in totals.items() if t}


def share_central(
    central: Sequence[CentralLine],
    districts: Sequence[District],
    results: Mapping[str, DistrictResult],
    basis: str = "population",
) -> None:
    """Each region's central-government, public-corporation and local capital lines shared
    among its districts by population (or, with basis "age", the functions that serve one
    age group by that group). Located lines go to the memo, not the count."""
    by_region: dict[str, list[District]] = defaultdict(list)
    for d in districts:
        by_region[d.region].append(d)
    cached: dict[tuple[str, str], list[int]] = {}
    for line in central:
        members = by_region.get(line.region, [])
        if not members:
            continue
        key = (
            CENTRAL_AGE_KEYS.get(line.cofog_level1, "population")
            if basis == "age"
            else "population"
        )
        if (line.region, key) not in cached:
            weights = key_weights(key, [(d, Fraction(1)) for d in members])
            cached[(line.region, key)] = whole_weights(weights)
        shares = allocate_whole(line.pence, cached[(line.region, key)])
        for district, share in zip(members, shares, strict=True):
            result = results[district.gss_code]
            if line.located:
                result.memo_located_pence += share
                continue
            local = line.sector == "LG"
            result.components.append(
                Component(
                    line.department if not local else "LG capital",
                    line.department if not local else "Local government capital (CRA)",
                    "local capital" if local else _central_kind(line.sector),
                    f"CRA {line.cofog_level1}",
                    f"{line.department}: {line.cofog_level1}"
                    + (" (capital)" if line.capital else ""),
                    line.cofog_division,
                    share,
                    ESTIMATE,
                    f"region's spending shared by {key.replace('_', ' ')}",
                )
            )


def _central_kind(sector: str) -> str:
    return "public corporation" if sector == "PC" else "central government"


@dataclass(frozen=True)
class Reconciliation:
    region: str
    rs_pence: int  # local-government current spending counted from RS, imputations included
    cra_pence: int  # CRA's local-government current spending for the region

    @property
    def gap_pence(self) -> int:
        return self.rs_pence - self.cra_pence

    @property
    def gap_share(self) -> Fraction:
        return Fraction(self.gap_pence, self.cra_pence) if self.cra_pence else Fraction(0)


def reconcile(
    results: Sequence[DistrictResult], cra_local_current: Mapping[str, int]
) -> list[Reconciliation]:
    counted: dict[str, int] = defaultdict(int)
    for r in results:
        counted[r.district.region] += sum(
            c.pence for c in r.components if c.kind in (ACTUAL, IMPUTED)
        )
    return [
        Reconciliation(region, counted.get(region, 0), cra)
        for region, cra in sorted(cra_local_current.items())
    ]


@dataclass(frozen=True)
class MapFrame:
    width: float
    height: float
    paths: dict[str, str]  # GSS code -> SVG path data


def draw_map(
    shapes: Mapping[str, Sequence[Sequence[tuple[float, float]]]], width: float = 600
) -> MapFrame:
    """Districts' rings of (longitude, latitude) as SVG paths in a `width`-wide frame: an
    equirectangular projection squeezed by the cosine of England's middle latitude (close
    enough at this scale), with points closer than half a unit to the last one dropped."""
    import math

    points = [p for rings in shapes.values() for ring in rings for p in ring]
    if not points:
        return MapFrame(width, 0, {})
    squeeze = math.cos(math.radians(52.5))
    west = min(x for x, _ in points) * squeeze
    east = max(x for x, _ in points) * squeeze
    north, south = max(y for _, y in points), min(y for _, y in points)
    scale = width / (east - west)
    height = (north - south) * scale
    paths = {}
    for code, rings in shapes.items():
        parts = []
        for ring in rings:
            kept: list[tuple[float, float]] = []
            for lon, lat in ring:
                x, y = (lon * squeeze - west) * scale, (north - lat) * scale
                if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= 0.5:
                    kept.append((x, y))
            if len(kept) >= 3:
                parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in kept) + "Z")
        paths[code] = "".join(parts)
    return MapFrame(width, round(height, 1), paths)


def classes(values: Sequence[int], count: int = 5) -> list[int]:
    """Upper bounds of `count` quantile classes of `values` (the last is the maximum)."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [
        ordered[min(len(ordered) - 1, (len(ordered) * k) // count)] for k in range(1, count)
    ] + [ordered[-1]]
