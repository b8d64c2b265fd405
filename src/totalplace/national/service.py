"""The top-down count of every English district, from the shipped national sources.

`count_england(year)` counts all 309 English districts (April 2021 boundaries) for a
financial year; `district_count(gss_code, year)` one of them; `place_count(codes, year)` a
place made of several. The method (docs/national.md):

- Local government, actuals: each authority's RS 2017-18 service lines, housing benefit
  and parish precepts (levies left out, as transfers). A county's lines are shared among
  its districts by service keys (`data/service_keys.csv`); police, fire, combined, waste,
  national-park authorities and the GLA (`data/joint_bodies.csv`) among their member
  districts by population. A missing return (Copeland's) is imputed from its county's
  other districts per head, with a warning.
- Central government and public corporations, estimates: CRA 2018 for the district's
  region, by department and COFOG function, shared by population (or, with
  basis="age", the functions that serve one age group by that group). Spending CRA ties to
  one location (`data/located_spending.csv`) is held out and shown as a memo line.
- Local-government capital, estimate: CRA's local-government capital for the region,
  shared by population.

Approximations, said so: joint bodies and national parks are shared by the whole
population of each member district (a park's own residents are not counted apart); age
keys spread mid-2017 populations by the mid-2020 age profile (the nearest held); Dorset
County Council's share for Bournemouth, Christchurch and Poole is Christchurch's, by its
2011 census population; districts merged in 2023 take the rebased mid-2017 figure of their
new unitary shared by the earlier series.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from totalplace.core.context import Report, quiet
from totalplace.core.money import divide_half_even, format_gbp, pence_to_pounds
from totalplace.core.problems import NotFound, TotalplaceError
from totalplace.core.reference import reference
from totalplace.national import files
from totalplace.national.rules import (
    IMPUTED,
    Body,
    CentralLine,
    Component,
    District,
    DistrictResult,
    Line,
    Reconciliation,
    age_bands,
    impute_lines,
    reconcile,
    share_body,
    share_central,
)

YEARS = ("2017-18",)
BASES = ("population", "age")
SOURCES = (
    "MHCLG Revenue Outturn Summary (RS) 2017-18, every English authority; HM Treasury "
    "Country and Regional Analysis 2018; ONS mid-year population estimates; OGL v3.0"
)
# ONS region names as CRA spells its English regions.
CRA_REGION = {
    "East of England": "england_east",
    "Yorkshire and The Humber": "england_yorkshire and the humber",
}


class UnknownYear(TotalplaceError):
    code = "national-year-not-held"


class UnknownBasis(TotalplaceError):
    code = "out-of-range"


@dataclass(frozen=True)
class DistrictCount:
    """One English district's (or a place's) top-down count for a financial year."""

    gss_code: str
    name: str
    region: str
    population: int
    population_year: int
    population_matches_year: bool
    total_pence: int
    per_head_pence: int
    local_government_actual_pence: int
    local_government_imputed_pence: int
    local_government_capital_estimate_pence: int
    central_estimate_pence: int
    estimated_share: Decimal  # of the total that is estimated or imputed, 0..1, 4 places
    by_cofog_division: dict[str, int]
    memo_located_pence: int
    warnings: list[str]
    components: list[Component] = field(repr=False)
    member_codes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The CLI's and the API's shape: pounds as decimals, functions as a list."""
        return {
            "gss_code": self.gss_code,
            "name": self.name,
            "region": self.region,
            "population": self.population,
            "population_year": self.population_year,
            "population_matches_year": self.population_matches_year,
            "total_gbp": pence_to_pounds(self.total_pence),
            "per_head_gbp": pence_to_pounds(self.per_head_pence),
            "local_government_actual_gbp": pence_to_pounds(self.local_government_actual_pence),
            "local_government_imputed_gbp": pence_to_pounds(self.local_government_imputed_pence),
            "local_government_capital_estimate_gbp": pence_to_pounds(
                self.local_government_capital_estimate_pence
            ),
            "central_estimate_gbp": pence_to_pounds(self.central_estimate_pence),
            "estimated_share": self.estimated_share,
            "by_cofog_division": [
                {"code": code, "gbp": pence_to_pounds(p)}
                for code, p in sorted(self.by_cofog_division.items())
            ],
            "memo_located_gbp": pence_to_pounds(self.memo_located_pence),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class RegionCheck:
    region: str
    rs_local_current_pence: int
    cra_local_current_pence: int
    gap_pence: int
    gap_percent: Decimal


@dataclass(frozen=True)
class EnglandCount:
    financial_year: str
    basis: str
    places: list[DistrictCount]
    checks: list[RegionCheck]
    not_counted: list[str]  # RS rows with money that no district takes, said so
    sources: str = SOURCES

    def place(self, gss_code: str) -> DistrictCount:
        for p in self.places:
            if p.gss_code == gss_code:
                return p
        raise NotFound(f"{gss_code} is not an English district in the {self.financial_year} count")

    def to_json(self) -> dict[str, Any]:
        return {
            "financial_year": self.financial_year,
            "basis": self.basis,
            "sources": self.sources,
            "places": [p.to_json() for p in self.places],
            "checks": [
                {
                    "region": c.region,
                    "rs_local_current_gbp": pence_to_pounds(c.rs_local_current_pence),
                    "cra_local_current_gbp": pence_to_pounds(c.cra_local_current_pence),
                    "gap_gbp": pence_to_pounds(c.gap_pence),
                    "gap_percent": c.gap_percent,
                }
                for c in self.checks
            ],
            "not_counted": list(self.not_counted),
        }


_cache: dict[tuple[str, str], EnglandCount] = {}
_lock = threading.Lock()


def count_england(year: str, report: Report = quiet, basis: str = "population") -> EnglandCount:
    """Every English district's top-down count for `year` (only 2017-18 is held). The
    result is computed once per year and basis, then served from memory: it depends only on
    the shipped files."""
    if year not in YEARS:
        raise UnknownYear(
            f"The national count holds {', '.join(YEARS)}, not {year}",
            field="year",
        )
    if basis not in BASES:
        raise UnknownBasis(f"basis must be one of {', '.join(BASES)}", field="basis")
    with _lock:
        if (year, basis) not in _cache:
            _cache[(year, basis)] = _count(year, basis, report)
        return _cache[(year, basis)]


def district_count(gss_code: str, year: str, basis: str = "population") -> DistrictCount:
    return count_england(year, basis=basis).place(gss_code.strip().upper())


def place_count(
    gss_codes: list[str], year: str, name: str = "", basis: str = "population"
) -> DistrictCount:
    """A place made of districts: their counts added together (shares stay exact because
    each district's are)."""
    england = count_england(year, basis=basis)
    parts = [england.place(code.strip().upper()) for code in dict.fromkeys(gss_codes)]
    if not parts:
        raise NotFound("name at least one district")
    if len(parts) == 1:
        return parts[0]
    return _combine(parts, name or " and ".join(p.name for p in parts))


def _combine(parts: list[DistrictCount], name: str) -> DistrictCount:
    population = sum(p.population for p in parts)
    components = [c for p in parts for c in p.components]
    cofog: dict[str, int] = defaultdict(int)
    for p in parts:
        for code, pence in p.by_cofog_division.items():
            cofog[code] += pence
    total = sum(p.total_pence for p in parts)
    estimated = total - sum(p.local_government_actual_pence for p in parts)
    return DistrictCount(
        gss_code=",".join(p.gss_code for p in parts),
        name=name,
        region=", ".join(sorted({p.region for p in parts})),
        population=population,
        population_year=parts[0].population_year,
        population_matches_year=all(p.population_matches_year for p in parts),
        total_pence=total,
        per_head_pence=divide_half_even(total, population) if population else 0,
        local_government_actual_pence=sum(p.local_government_actual_pence for p in parts),
        local_government_imputed_pence=sum(p.local_government_imputed_pence for p in parts),
        local_government_capital_estimate_pence=sum(
            p.local_government_capital_estimate_pence for p in parts
        ),
        central_estimate_pence=sum(p.central_estimate_pence for p in parts),
        estimated_share=_share(estimated, total),
        by_cofog_division=dict(sorted(cofog.items())),
        memo_located_pence=sum(p.memo_located_pence for p in parts),
        warnings=[w for p in parts for w in p.warnings],
        components=components,
        member_codes=tuple(p.gss_code for p in parts),
    )


def _share(part: int, total: int) -> Decimal:
    if not total:
        return Decimal(0)
    return (Decimal(part) / Decimal(total)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


def population_year(year: str) -> int:
    """The mid-year estimate that matches a financial year: mid-2017 for 2017-18."""
    return int(year[:4])


def districts_for(year: str) -> tuple[list[District], dict[str, str]]:
    """England's districts (April 2021 boundaries) with mid-year populations and age bands;
    and a note for each district whose population had to be derived."""
    mid = population_year(year)
    old = files.read_mid_year(files.DATA / files.POPULATION_2021_GEOGRAPHY, mid)
    rebased = files.read_mid_year(files.DATA / files.POPULATION_REBASED, mid)
    codes = files.read_codes()
    ages = files.read_single_year_of_age()
    people, notes = _rebased_people(old, rebased, codes, mid)
    out = []
    for code, (name, _) in sorted(old.items()):
        region_name = codes[code]["RGNNM"]
        region = CRA_REGION.get(region_name, f"england_{region_name}".casefold())
        out.append(District(code, name, region, people[code], age_bands(people[code], ages[code])))
    return out, notes


def age_share_factor(gss_code: str, year: str, key: str) -> tuple[Decimal, str]:
    """A district's share of its region's people in an age range (`key`, one of the age
    keys, e.g. "age_65_plus") over its share of all the region's people, on the same
    populations as the count (`districts_for(year)`), to 9 decimal places; and a basis
    text naming the ONS years. Multiplying a population-shared figure by it gives that
    figure shared by the age range instead: what the "age" basis does for whole functions,
    for a place's own rules (a deep dive's theme shares)."""
    from totalplace.national.rules import AGE_KEYS

    if year not in YEARS:
        raise UnknownYear(f"The national count holds {', '.join(YEARS)}, not {year}", field="year")
    if key not in AGE_KEYS:
        raise UnknownBasis(f"key must be one of {', '.join(AGE_KEYS)}", field="key")
    districts, _ = districts_for(year)
    code = gss_code.strip().upper()
    place = next((d for d in districts if d.gss_code == code), None)
    if place is None:
        raise NotFound(f"{gss_code} is not an English district in the {year} count")
    region = [d for d in districts if d.region == place.region]
    region_band = sum((d.bands[key] for d in region), Fraction(0))
    region_all = sum(d.population for d in region)
    if not region_band or not place.population:
        raise UnknownBasis(f"{place.name} has no people counted {_age_words(key)}", field="key")
    exact = (place.bands[key] / region_band) / Fraction(place.population, region_all)
    factor = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("1e-9"), rounding=ROUND_HALF_EVEN
    )
    mid = population_year(year)
    region_name = _region_name(place.region)
    the = "" if region_name == "London" else "the "
    basis = (
        f"{place.name}'s share of {the}{region_name}'s people "
        f"{_age_words(key)} ({round(place.bands[key]):,} of {round(region_band):,}) in place "
        f"of its share of all people ({place.population:,} of {region_all:,}): ONS mid-{mid} "
        "population estimates (rebased on Census 2021), by the ONS mid-2020 age profile"
    )
    return factor, basis


def _age_words(key: str) -> str:
    from totalplace.national.rules import AGE_KEYS

    low, high = AGE_KEYS[key]
    if key == "population":
        return "of all ages"
    return f"aged {low} and over" if high == 90 else f"aged {low} to {high}"


def _rebased_people(
    old: dict[str, tuple[str, int]],
    rebased: dict[str, tuple[str, int]],
    codes: dict[str, dict[str, str]],
    mid: int,
) -> tuple[dict[str, int], dict[str, str]]:
    """ONS's rebased (Census 2021 consistent) figure where the district still exists; for
    districts merged in 2023, their new unitary's rebased figure shared by the old series."""
    from totalplace.national.rules import allocate

    people = {code: rebased[code][1] for code in old if code in rebased}
    notes = {}
    merged: dict[str, list[str]] = defaultdict(list)
    for code in old:
        if code not in rebased:
            merged[codes[code]["LADCD_ACTIVE"]].append(code)
    for parent, children in merged.items():
        shares = allocate(rebased[parent][1], [Fraction(old[c][1]) for c in children])
        for child, share in zip(children, shares, strict=True):
            people[child] = share
            notes[child] = (
                f"Population: ONS's rebased mid-{mid} figure for {rebased[parent][0]} "
                f"({rebased[parent][1]:,}), shared among its former districts by the earlier "
                "series, as the rebased series starts after the 2023 merger."
            )
    return people, notes


def _lines() -> dict[int, Line]:
    by_rs = {item.rs_line: item for item in reference().sercop.values()}
    labels = {n: label for a in files.read_rs()[:1] for n, label in a.labels.items()}
    out = {}
    for number in files.RS_LINES:
        item = by_rs.get(str(number))
        if item is not None:
            out[number] = Line(item.label, item.cofog[:2])
        elif number <= 714:
            out[number] = Line(labels.get(number, "Housing benefit"), "10")  # 10.6 housing
        else:
            # RS does not say what parishes spend on; general public services.
            out[number] = Line("Parish precepts", "01")
    return out


def _count(year: str, basis: str, report: Report) -> EnglandCount:
    report("Reading populations")
    districts, population_notes = districts_for(year)
    by_code = {d.gss_code: d for d in districts}
    results = {d.gss_code: DistrictResult(d) for d in districts}
    report("Reading the Revenue Outturn returns of every English authority")
    authorities = files.read_rs()
    lines = _lines()
    keys = files.read_service_keys()
    bodies, not_counted, merged_from = _bodies(authorities, by_code)
    report("Sharing local-government spending among districts")
    people = {d.gss_code: d.population for d in districts}
    for body in bodies:
        if body.missing:
            _impute(body, bodies, people, by_code, lines, keys, results)
        else:
            share_body(body, by_code, lines, keys, results)
    report("Reading the Country and Regional Analysis")
    central, local_current = _central(year)
    report("Sharing central-government spending by region")
    share_central(central, districts, results, basis)
    checks = [_check(r) for r in reconcile(list(results.values()), local_current)]
    mid = population_year(year)
    places = []
    for code, result in results.items():
        warnings = list(result.warnings)
        if code in population_notes:
            warnings.append(population_notes[code])
        if code in merged_from:
            warnings.append(merged_from[code])
        places.append(_district_count(result, mid, warnings))
    return EnglandCount(year, basis, places, checks, not_counted)


def _district_count(result: DistrictResult, mid: int, warnings: list[str]) -> DistrictCount:
    d = result.district
    total = result.total_pence
    actual = result.local_government_actual_pence
    capital = sum(c.pence for c in result.components if c.body_kind == "local capital")
    imputed = sum(c.pence for c in result.components if c.kind == IMPUTED)
    return DistrictCount(
        gss_code=d.gss_code,
        name=d.name,
        region=_region_name(d.region),
        population=d.population,
        population_year=mid,
        population_matches_year=True,
        total_pence=total,
        per_head_pence=divide_half_even(total, d.population),
        local_government_actual_pence=actual,
        local_government_imputed_pence=imputed,
        local_government_capital_estimate_pence=capital,
        central_estimate_pence=total - actual - imputed - capital,
        estimated_share=_share(total - actual, total),
        by_cofog_division=result.by_cofog_division(),
        memo_located_pence=result.memo_located_pence,
        warnings=warnings,
        components=result.components,
    )


def _region_name(key: str) -> str:
    names = {v: k for k, v in CRA_REGION.items()}
    if key in names:
        return names[key]
    return key.removeprefix("england_").title().replace(" Of ", " of ").replace(" The ", " the ")


def _check(r: Reconciliation) -> RegionCheck:
    percent = (Decimal(r.gap_pence) * 100 / Decimal(r.cra_pence)) if r.cra_pence else Decimal(0)
    return RegionCheck(
        _region_name(r.region),
        r.rs_pence,
        r.cra_pence,
        r.gap_pence,
        percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN),
    )


LOWER_TIER = ("SD", "UA", "MD", "L")


def _bodies(
    authorities: list[files.RsAuthority], districts: dict[str, District]
) -> tuple[list[Body], list[str], dict[str, str]]:
    """Each RS authority as a body with its member districts; the rows no district takes."""
    codes = files.read_codes()
    counties: dict[str, list[tuple[str, Fraction]]] = defaultdict(list)
    for member in files.read_counties():
        counties[member.county].append((member.district, member.fraction))
    joint: dict[str, list[files.JointBody]] = defaultdict(list)
    for row in files.read_joint_bodies():
        joint[row.gss_code].append(row)
    fixes = files.read_rs_code_fixes()
    bodies, not_counted = [], []
    merged: dict[str, list[str]] = defaultdict(list)
    for a in authorities:
        code = fixes.get(a.gss_code, a.gss_code)
        members: tuple[tuple[str, Fraction], ...] = ()
        kind = "council"
        if a.authority_class in LOWER_TIER:
            unit = code if code in districts else codes.get(code, {}).get("LADCD_ACTIVE", "")
            if unit in districts:
                members = ((unit, Fraction(1)),)
                if unit != a.gss_code:
                    merged[unit].append(a.name)
        elif a.authority_class == "SC":
            kind = "county"
            members = tuple(counties.get(code, ()))
            for unit, fraction in members:
                if unit[:3] == "E06":  # a unitary that took over the county's services
                    note = "" if fraction == 1 else " (its services for part of the area)"
                    merged[unit].append(f"{a.name} County Council{note}")
        elif a.gss_code in joint or a.ecode in joint:
            rows = joint.get(a.gss_code) or joint[a.ecode]
            lines = dict(a.lines)
            # A row naming lines takes those (the GLA's police line is the Metropolitan
            # Police's, which does not police the City of London); the other row the rest.
            for row in sorted(rows, key=lambda r: not r.lines):
                taken = row.lines or tuple(lines)
                part = {n: lines.pop(n) for n in taken if n in lines}
                if part or not row.lines:
                    name = a.name if not row.lines else row.name
                    bodies.append(
                        Body(
                            a.gss_code,
                            name,
                            row.kind,
                            part,
                            _expand(row.members, counties),
                            a.missing,
                        )
                    )
            continue
        if not members:
            if a.lines:
                not_counted.append(
                    f"{a.name} ({a.gss_code}): {format_gbp(sum(a.lines.values()))} "
                    "in RS with no member districts listed"
                )
            continue
        bodies.append(Body(a.gss_code, a.name, kind, a.lines, members, a.missing))
    notes = {
        unit: "Counted from the 2017-18 returns of "
        + ", ".join(sorted(set(names)))
        + ", whose areas it now covers."
        for unit, names in merged.items()
    }
    return bodies, not_counted, notes


def _expand(
    members: tuple[str, ...], counties: dict[str, list[tuple[str, Fraction]]]
) -> tuple[tuple[str, Fraction], ...]:
    out: dict[str, Fraction] = {}
    for code in members:
        for district, fraction in counties.get(code, [(code, Fraction(1))]):
            out[district] = max(out.get(district, Fraction(0)), fraction)
    return tuple(out.items())


def _impute(
    body: Body,
    bodies: list[Body],
    people: dict[str, int],
    districts: dict[str, District],
    lines: dict[int, Line],
    keys: dict[int, str],
    results: dict[str, DistrictResult],
) -> None:
    """A missing return: its county's other districts' spending per head, labelled."""
    (unit, _), *_rest = body.members
    county = _county_of(unit)
    peers = [
        b
        for b in bodies
        if b.kind == "council"
        and not b.missing
        and len(b.members) == 1
        and b.members[0][0] != unit
        and _county_of(b.members[0][0]) == county
        and county
    ]
    own_people = people[unit]
    peer_people = {b.gss_code: people[b.members[0][0]] for b in peers}
    imputed = impute_lines(body, peers, peer_people, own_people)
    share_body(
        Body(body.gss_code, body.name, body.kind, imputed, body.members),
        districts,
        lines,
        keys,
        results,
        kind=IMPUTED,
    )
    names = ", ".join(sorted(b.name for b in peers)) or "none"
    results[unit].warnings.append(
        f"{body.name}'s 2017-18 Revenue Outturn return holds no figures (published as '…'): "
        f"its spending, {format_gbp(sum(imputed.values()))}, is imputed from the spending "
        f"per head of the other districts in its county ({names}), not counted as zero."
    )


def _county_of(district: str) -> str:
    return _counties_by_district().get(district, "")


@functools.cache
def _counties_by_district() -> dict[str, str]:
    return {m.district: m.county for m in files.read_counties()}


def _cofog_division(level0: str) -> str:
    number = level0.split(".")[0].strip()
    return f"{int(number):02d}" if number.isdigit() and 1 <= int(number) <= 10 else "01"


def _central(year: str) -> tuple[list[CentralLine], dict[str, int]]:
    """CRA lines to share (central, public corporations, local capital), summed by
    department and function within each region; and each region's LG current total."""
    located = files.read_located()
    sums: dict[tuple[str, str, str, str, str, bool, bool], int] = defaultdict(int)
    local_current: dict[str, int] = defaultdict(int)
    for row in files.read_cra(year):
        if row.sector == "LG" and not row.capital:
            local_current[row.region] += row.pence
            continue
        if row.sector not in ("CG", "PC", "LG"):
            continue
        level1 = row.cofog_level1.split(" ")[0]
        key = (
            row.region,
            row.department,
            _cofog_division(row.cofog_level0),
            level1,
            row.sector,
            row.capital,
            row.organisation in located,
        )
        sums[key] += row.pence
    central = [
        CentralLine(region, dept, division, level1, sector, capital, pence, is_located)
        for (region, dept, division, level1, sector, capital, is_located), pence in sums.items()
        if pence
    ]
    return central, dict(local_current)


# The national view: what the pages and downloads show.

LAYERS: dict[str, str] = {
    "total": "All public spending per head",
    "local": "Local government's actual spending per head",
}
COLOURS = ("#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b")
SORTS = ("name", "region", "population", "value", "per_head", "local", "estimated")


def _layers() -> dict[str, str]:
    labels = reference().cofog
    out = dict(LAYERS)
    for n in range(1, 11):
        code = f"{n:02d}"
        out[f"cofog-{code}"] = f"{labels[code].label} per head" if code in labels else code
    return out


@dataclass(frozen=True)
class NationalChoices:
    """What a person chose on the national page (unknown values fall back to defaults)."""

    year: str = YEARS[0]
    layer: str = "total"
    region: str = ""
    search: str = ""
    sort: str = "value"
    order: str = "desc"
    basis: str = "population"

    @classmethod
    def from_query(cls, **given: str) -> NationalChoices:
        default = cls()
        year = given.get("year", default.year)
        if year not in YEARS:
            raise UnknownYear(f"The national count holds {', '.join(YEARS)}, not {year}")
        return cls(
            year=year,
            layer=given["layer"] if given.get("layer") in _layers() else default.layer,
            region=given.get("region", "")[:60],
            search=given.get("search", "").strip()[:60],
            sort=given["sort"] if given.get("sort") in SORTS else default.sort,
            order="asc" if given.get("order") == "asc" else "desc",
            basis=given["basis"] if given.get("basis") in BASES else default.basis,
        )

    def query(self, **change: str) -> dict[str, str]:
        values = {
            "year": self.year,
            "layer": self.layer,
            "region": self.region,
            "q": self.search,
            "sort": self.sort,
            "order": self.order,
            "basis": self.basis,
        }
        values.update(change)
        return {k: v for k, v in values.items() if v}

    def filename(self) -> str:
        return f"england-districts-{self.year}-{self.layer}"


@dataclass(frozen=True)
class DistrictRow:
    place: DistrictCount
    value_pence: int  # the chosen layer, per head
    local_per_head_pence: int
    colour: str


@dataclass(frozen=True)
class NationalView:
    financial_year: str
    basis: str
    layer: str
    layer_label: str
    layers: dict[str, str]
    regions: list[str]
    rows: list[DistrictRow]  # filtered and sorted, for the table
    map_rows: dict[str, DistrictRow]  # every district, for the map
    width: float
    height: float
    paths: dict[str, str]
    legend: list[tuple[str, int, int]]  # colour, from, to (pence per head)
    median_pence: int
    lowest: DistrictRow
    highest: DistrictRow
    checks: list[RegionCheck]
    warned: int
    sources: str


def _value(place: DistrictCount, layer: str) -> int:
    if layer == "local":
        pence = place.local_government_actual_pence
    elif layer.startswith("cofog-"):
        pence = place.by_cofog_division.get(layer.removeprefix("cofog-"), 0)
    else:
        pence = place.total_pence
    return divide_half_even(pence, place.population)


_map_lock = threading.Lock()
_map: dict[str, Any] = {}


def _map_frame() -> Any:
    """England's districts as SVG paths, drawn once from the shipped boundaries."""
    from totalplace.national.rules import draw_map

    with _map_lock:
        if "frame" not in _map:
            codes = {p.gss_code for p in count_england(YEARS[0]).places}
            _map["frame"] = draw_map(files.read_district_shapes(codes))
        return _map["frame"]


def national_view(choices: NationalChoices) -> NationalView:
    from statistics import median

    from totalplace.national.rules import classes

    england = count_england(choices.year, basis=choices.basis)
    values = {p.gss_code: _value(p, choices.layer) for p in england.places}
    bounds = classes(list(values.values()), len(COLOURS))

    def colour(value: int) -> str:
        for bound, shade in zip(bounds, COLOURS, strict=True):
            if value <= bound:
                return shade
        return COLOURS[-1]

    every = {
        p.gss_code: DistrictRow(
            p,
            values[p.gss_code],
            divide_half_even(p.local_government_actual_pence, p.population),
            colour(values[p.gss_code]),
        )
        for p in england.places
    }
    rows = [
        r
        for r in every.values()
        if (not choices.region or r.place.region == choices.region)
        and (not choices.search or choices.search.casefold() in r.place.name.casefold())
    ]
    rows.sort(key=_sort_key(choices.sort), reverse=choices.order == "desc")
    lows = [min(values.values()), *[b + 1 for b in bounds[:-1]]]
    frame = _map_frame()
    ordered = sorted(every.values(), key=lambda r: r.value_pence)
    return NationalView(
        financial_year=england.financial_year,
        basis=england.basis,
        layer=choices.layer,
        layer_label=_layers()[choices.layer],
        layers=_layers(),
        regions=sorted({p.region for p in england.places}),
        rows=rows,
        map_rows=every,
        width=frame.width,
        height=frame.height,
        paths=frame.paths,
        legend=list(zip(COLOURS, lows, bounds, strict=True)),
        median_pence=int(median(values.values())),
        lowest=ordered[0],
        highest=ordered[-1],
        checks=england.checks,
        warned=sum(1 for p in england.places if p.warnings),
        sources=england.sources,
    )


def _sort_key(sort: str) -> Any:
    def key(row: DistrictRow) -> Any:
        p = row.place
        return {
            "name": p.name.casefold(),
            "region": (p.region, p.name.casefold()),
            "population": p.population,
            "per_head": p.per_head_pence,
            "local": row.local_per_head_pence,
            "estimated": p.estimated_share,
        }.get(sort, row.value_pence)

    return key


TABLE_HEADER = [
    "gss_code",
    "name",
    "region",
    "population",
    "population_year",
    "total_gbp",
    "per_head_gbp",
    "local_government_actual_gbp",
    "local_government_imputed_gbp",
    "local_government_capital_estimate_gbp",
    "central_estimate_gbp",
    "estimated_share",
    "memo_located_gbp",
    "chosen_layer",
    "chosen_layer_per_head_gbp",
    *[f"cofog_{n:02d}_gbp" for n in range(1, 11)],
    "warnings",
]


def _table(choices: NationalChoices) -> list[list[files.Cell]]:
    view = national_view(choices)
    rows: list[list[files.Cell]] = [list(TABLE_HEADER)]
    for r in view.rows:
        p = r.place
        rows.append(
            [
                p.gss_code,
                p.name,
                p.region,
                p.population,
                p.population_year,
                pence_to_pounds(p.total_pence),
                pence_to_pounds(p.per_head_pence),
                pence_to_pounds(p.local_government_actual_pence),
                pence_to_pounds(p.local_government_imputed_pence),
                pence_to_pounds(p.local_government_capital_estimate_pence),
                pence_to_pounds(p.central_estimate_pence),
                p.estimated_share,
                pence_to_pounds(p.memo_located_pence),
                view.layer_label,
                pence_to_pounds(r.value_pence),
                *[pence_to_pounds(p.by_cofog_division[f"{n:02d}"]) for n in range(1, 11)],
                " | ".join(p.warnings),
            ]
        )
    return rows


def national_csv(choices: NationalChoices) -> str:
    return files.table_csv(_table(choices))


def national_xlsx(choices: NationalChoices) -> bytes:
    england = count_england(choices.year, basis=choices.basis)
    about: list[list[files.Cell]] = [
        ["about", "text"],
        ["financial year", england.financial_year],
        ["sources", england.sources],
        [
            "method",
            "Local government: actual RS spending (counties split by service keys, joint "
            "bodies by population). Central government and public corporations: estimates, "
            f"CRA regional spending shared by {england.basis}. See docs/national.md.",
        ],
        ["population", f"ONS mid-{population_year(england.financial_year)} estimates"],
    ]
    checks: list[list[files.Cell]] = [
        ["region", "rs_local_current_gbp", "cra_local_current_gbp", "gap_gbp", "gap_percent"]
    ]
    for c in england.checks:
        checks.append(
            [
                c.region,
                pence_to_pounds(c.rs_local_current_pence),
                pence_to_pounds(c.cra_local_current_pence),
                pence_to_pounds(c.gap_pence),
                c.gap_percent,
            ]
        )
    return files.table_xlsx([("Districts", _table(choices)), ("Checks", checks), ("About", about)])


@dataclass(frozen=True)
class BodyGroup:
    name: str
    kind: str
    basis: str
    pence: int
    lines: list[Component]


@dataclass(frozen=True)
class DistrictView:
    place: DistrictCount
    financial_year: str
    basis: str
    local: list[BodyGroup]
    central: list[tuple[str, int]]  # department, pence
    capital_pence: int
    cofog: list[tuple[str, str, int, int]]  # code, label, pence, per head
    check: RegionCheck | None
    sources: str


def district_view(gss_code: str, year: str, basis: str = "population") -> DistrictView:
    england = count_england(year, basis=basis)
    place = england.place(gss_code.strip().upper())
    groups: dict[tuple[str, str], list[Component]] = defaultdict(list)
    central: dict[str, int] = defaultdict(int)
    capital = 0
    for c in place.components:
        if c.body_kind == "local capital":
            capital += c.pence
        elif c.body_kind in ("central government", "public corporation"):
            central[c.body_name] += c.pence
        else:
            groups[(c.body_gss, c.body_name)].append(c)
    local = [
        BodyGroup(
            lines[0].body_name,
            lines[0].body_kind,
            lines[0].basis if lines[0].kind != IMPUTED else f"imputed; {lines[0].basis}",
            sum(c.pence for c in lines),
            lines,
        )
        for lines in groups.values()
    ]
    local.sort(key=lambda g: -g.pence)
    labels = reference().cofog
    cofog = [
        (
            code,
            labels[code].label if code in labels else code,
            pence,
            divide_half_even(pence, place.population),
        )
        for code, pence in sorted(place.by_cofog_division.items())
    ]
    check = next((c for c in england.checks if c.region == place.region), None)
    return DistrictView(
        place,
        england.financial_year,
        england.basis,
        local,
        sorted(central.items(), key=lambda kv: -kv[1]),
        capital,
        cofog,
        check,
        england.sources,
    )
