"""Benchmarking's use cases: a district's peer group (computed or published), its count per
head by function beside its peers, spend against outcomes, trends and the national
roll-up of published bottom-up counts. The only functions the doors call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar, Protocol

from totalplace.core.money import divide_half_even, pounds_to_pence
from totalplace.core.problems import Problem, TotalplaceError
from totalplace.core.reference import reference
from totalplace.core.store.db import Store
from totalplace.core.years import is_financial_year
from totalplace.count.service import publishing
from totalplace.national import service as national
from totalplace.peers import files, rules
from totalplace.places.service import places as places_service

YEARS = ("2017-18", "2024-25")
DEFAULT_K = 10
DEFAULT_WEIGHTS = rules.DEFAULT_WEIGHTS
# Pence per head are shown as whole pounds; a row needs this many peers with a figure.
SETS = {
    "computed": "Nearest neighbours computed here from public metrics",
    "dfe-2021": "DfE statistical neighbours (2021 model)",
    "dfe-2025": "DfE statistical neighbours (2025 model)",
}


class _Refusal(TotalplaceError):
    """A refusal whose one problem carries its own fix, so that every door (the CLI's one
    line too) says how to put it right."""

    def __init__(
        self,
        message: str = "",
        *,
        problems: Iterable[Problem] | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        if problems is None:
            problems = [Problem(self.code, message, column=field, fix=fix)]
        super().__init__(problems=problems)


class UnknownDistrict(_Refusal):
    code: ClassVar[str] = "unknown-district"
    status: ClassVar[int] = 404


class BadPeerOptions(_Refusal):
    code: ClassVar[str] = "bad-peer-options"


# --- the national count, from the national capability ----------------------------------


class DistrictFigures(Protocol):
    """What benchmarking reads of a district's top-down count (national.service's
    DistrictCount; tests may give their own)."""

    @property
    def gss_code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def population(self) -> int: ...
    @property
    def population_year(self) -> int: ...
    @property
    def per_head_pence(self) -> int: ...
    @property
    def local_government_actual_pence(self) -> int: ...
    @property
    def by_cofog_division(self) -> dict[str, int]: ...
    @property
    def warnings(self) -> list[str]: ...


@cache
def england(financial_year: str) -> dict[str, DistrictFigures] | None:
    """Every district's top-down count for the year by GSS code, or None when the national
    count does not hold that year. Built from shipped data only, so kept."""
    try:
        counted = national.count_england(financial_year)
    except TotalplaceError:
        return None
    return {p.gss_code: p for p in counted.places}


# --- peer groups --------------------------------------------------------------------------


@cache
def _table() -> rules.Standardised:
    return rules.standardise(files.districts())


def district_names() -> dict[str, str]:
    return {d.gss_code: d.name for d in files.districts()}


def check_district(gss_code: str) -> str:
    code = gss_code.strip().upper()
    if code not in district_names():
        raise UnknownDistrict(
            f"{gss_code!r} is not an English local-authority district (April 2021 codes)",
            field="district",
            fix="Give a district's GSS code, such as E08000009 for Trafford.",
        )
    return code


def parse_weights(given: Mapping[str, str]) -> dict[str, float]:
    """Weights as typed in the form or on the command line; blanks keep the default."""
    weights = dict(rules.DEFAULT_WEIGHTS)
    problems = []
    for key, text in given.items():
        if not text.strip():
            continue
        try:
            weights[key] = float(text)
        except ValueError:
            problems.append(
                Problem(
                    "bad-peer-options", f"the weight of {key} must be a number", column=f"w-{key}"
                )
            )
    if not problems:
        for message in rules.check_weights(weights):
            key = next((k for k in rules.METRIC_KEYS if f" {k} " in f" {message} "), "")
            problems.append(
                Problem("bad-peer-options", message, column=f"w-{key}" if key else "weights")
            )
    if problems:
        raise BadPeerOptions(problems=problems)
    return weights


def check_k(k: int) -> int:
    if not 1 <= k <= rules.MAX_K:
        raise BadPeerOptions(f"the number of neighbours must be from 1 to {rules.MAX_K}", field="k")
    return k


@dataclass(frozen=True)
class Peer:
    gss_code: str
    name: str
    distance: float | None  # computed sets only
    band: str | None  # published sets only
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PeerGroup:
    gss_code: str
    name: str
    set_key: str
    title: str
    peers: list[Peer]
    weights: dict[str, float]
    k: int
    # Why a published set has no group for the district, when it has none.
    note: str | None = None
    # The district's own standardised values, by metric (computed sets).
    z: dict[str, float] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [p.gss_code for p in self.peers]


def peer_group(
    gss_code: str,
    set_key: str = "computed",
    weights: Mapping[str, float] | None = None,
    k: int = DEFAULT_K,
) -> PeerGroup:
    code = check_district(gss_code)
    names = district_names()
    chosen = dict(rules.DEFAULT_WEIGHTS if weights is None else weights)
    check_k(k)
    if set_key == "computed":
        problems = rules.check_weights(chosen)
        if problems:
            raise BadPeerOptions(
                problems=[Problem("bad-peer-options", m, column="weights") for m in problems]
            )
        table = _table()
        found = rules.nearest(table, code, chosen, k)
        row = table.codes.index(code)
        return PeerGroup(
            code,
            names[code],
            set_key,
            SETS[set_key],
            [Peer(n.gss_code, n.name, n.distance, None, n.parts) for n in found],
            chosen,
            k,
            z={key: float(table.z[row, j]) for j, key in enumerate(table.keys)},
        )
    if set_key not in files.published_sets():
        raise BadPeerOptions(
            f"there is no peer set {set_key!r}",
            field="set",
            fix=f"Choose one of: {', '.join(SETS)}.",
        )
    published = files.published_sets()[set_key]
    own = published.neighbours.get(code)
    note = None
    if own is None:
        upper = files.upper_tier().get(code)
        note = (
            f"The DfE publishes statistical neighbours for children's services authorities; "
            f"{names[code]} is a district of "
            f"{files.authority_names().get(upper or '', 'a county')}, so this set has no group "
            "for it. Use the computed neighbours."
        )
    peers = [Peer(c, files.authority_names().get(c, c), None, band) for c, band in (own or [])]
    return PeerGroup(code, names[code], set_key, published.title, peers, chosen, len(peers), note)


# --- spend per head by function beside the peers ---------------------------------------


@dataclass(frozen=True)
class OwnCount:
    """The place's own published bottom-up count, labelled as such."""

    place_name: str
    financial_year: str
    version: int
    per_head_pence: int | None
    by_function_per_head_pence: dict[str, int]
    estimated_share: float


@dataclass(frozen=True)
class Benchmark:
    gss_code: str
    name: str
    financial_year: str
    available: bool
    rows: list[rules.FunctionRow]
    total: rules.FunctionRow | None
    peers_with_figures: int
    population_year: int | None
    warnings: list[str]
    own: OwnCount | None


def _labels() -> dict[str, str]:
    cofog = reference().cofog
    return {c.code: c.label for c in cofog.values() if c.level == "division"} or {
        f"{n:02d}": f"COFOG {n:02d}" for n in range(1, 11)
    }


def _per_head(figures: DistrictFigures) -> dict[str, int]:
    if not figures.population:
        return {}
    return {
        code: divide_half_even(pence, figures.population)
        for code, pence in figures.by_cofog_division.items()
    }


def benchmark(
    gss_code: str,
    financial_year: str,
    group: PeerGroup,
    own: OwnCount | None = None,
    counted: Mapping[str, DistrictFigures] | None = None,
) -> Benchmark:
    """The district's top-down count per head by COFOG division beside its peers' median
    and range. `counted` is every district's figures (the national count's, by default)."""
    code = check_district(gss_code)
    figures = counted if counted is not None else england(financial_year)
    names = district_names()
    if figures is None or code not in figures:
        return Benchmark(code, names[code], financial_year, False, [], None, 0, None, [], own)
    mine = figures[code]
    peers = [figures[c] for c in group.codes if c in figures]
    labels = _labels()
    rows = rules.per_head_rows(_per_head(mine), [_per_head(p) for p in peers], labels)
    total = rules.per_head_rows(
        {"total": mine.per_head_pence},
        [{"total": p.per_head_pence} for p in peers],
        {"total": "All spending"},
    )[0]
    return Benchmark(
        code,
        mine.name,
        financial_year,
        True,
        rows,
        total,
        len(peers),
        mine.population_year,
        list(mine.warnings),
        own,
    )


def own_count(store: Store, place_id: str, financial_year: str) -> OwnCount | None:
    """The place's newest published count for the year, per head by function."""
    found = publishing.publications(store, place_id, financial_year)
    if not found:
        return None
    latest = found[0]  # newest version first
    figures: dict[str, Any] = latest.figures
    population = figures.get("population")
    per_function: dict[str, int] = {}
    if population:
        for row in figures.get("by_cofog_division", []):
            pence = pounds_to_pence(Decimal(str(row["gbp"])))
            per_function[str(row["code"])] = divide_half_even(pence, int(population))
    per_head = figures.get("per_head_gbp")
    return OwnCount(
        str(figures.get("place_name") or place_id),
        financial_year,
        latest.version,
        pounds_to_pence(Decimal(str(per_head))) if per_head is not None else None,
        per_function,
        float(figures.get("estimated_share") or 0),
    )


# --- spend against outcomes -------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    outcome: files.Outcome
    scatter: rules.Scatter
    spend_label: str
    note: str | None


# Districts with fewer residents than this are left out of the charts: their spending per
# head (the City of London's is over £30,000) would squash every other district into a line.
SMALLEST_CHARTED = 10_000


def _spend_per_head_pounds(figures: Mapping[str, DistrictFigures]) -> dict[str, float]:
    return {
        code: f.per_head_pence / 100
        for code, f in figures.items()
        if f.population >= SMALLEST_CHARTED
    }


def charts(
    gss_code: str,
    financial_year: str,
    group: PeerGroup,
    counted: Mapping[str, DistrictFigures] | None = None,
) -> list[Chart]:
    """Spend per head (the top-down count) against each outcome, one point a district: the
    place and its peers marked. Social care outcomes belong to the authority that runs the
    service, so those charts show only districts that are their own social care authority."""
    code = check_district(gss_code)
    figures = counted if counted is not None else england(financial_year)
    if figures is None:
        return []
    spend = _spend_per_head_pounds(figures)
    upper = files.upper_tier()
    peers = set(group.codes)
    made = []
    for outcome in files.outcomes():
        note = None
        points = []
        for district, x in spend.items():
            if outcome.level == "upper tier" and upper.get(district, district) != district:
                continue
            y = outcome.values.get(district)
            if y is None:
                continue
            role = "place" if district == code else "peer" if district in peers else "other"
            points.append(
                rules.Point(district, district_names().get(district, district), x, y, role)
            )
        if outcome.level == "upper tier" and upper.get(code, code) != code:
            note = (
                f"{district_names()[code]} does not run social care itself (its county does), "
                "so it is not on this chart; only districts that are their own social care "
                "authority are drawn."
            )
        title = f"Spend per head {financial_year} against {outcome.title} ({outcome.year})"
        made.append(
            Chart(
                outcome,
                rules.scatter(
                    title,
                    f"Spend per head {financial_year} (£, top-down count)",
                    f"{outcome.title} ({outcome.unit})",
                    points,
                ),
                "top-down count, all public spending, per head",
                note,
            )
        )
    return made


# --- trends -----------------------------------------------------------------------------


# Each year's population for the trend: mid-2017 for 2017-18; mid-2023, the latest held,
# for 2024-25 (said beside the table).
TREND_POPULATION = {"2017-18": "2017", "2024-25": "2023"}


def council_per_head(code: str, financial_year: str) -> int | None:
    """The councils' own net current service expenditure per head of the district: its
    own council's, plus, in a two-tier area, its county's per head of the county. Police,
    fire and other bodies are not in it, in either year. None when a return is missing or
    the district did not exist that year."""
    spending = files.council_spending(financial_year)
    people = files.populations_2023_geography()
    year = TREND_POPULATION[financial_year]
    if code not in spending.pence or year not in people.get(code, {}):
        return None
    per_head = divide_half_even(spending.pence[code], people[code][year])
    if spending.classes.get(code) == "SD":
        county = files.upper_tier().get(code)
        if county is None or county not in spending.pence or year not in people.get(county, {}):
            return None
        per_head += divide_half_even(spending.pence[county], people[county][year])
    return per_head


def trends(group: PeerGroup) -> list[rules.Trend]:
    """The councils' own spending per head in 2017-18 and 2024-25 (cash), for the district
    and its peers."""
    first, last = YEARS[0], YEARS[-1]
    names = files.authority_names()
    return [
        rules.Trend(
            code,
            names.get(code, code),
            first,
            council_per_head(code, first),
            last,
            council_per_head(code, last),
            _trend_note(code),
        )
        for code in [group.gss_code, *group.codes]
    ]


def _trend_note(code: str) -> str | None:
    notes = []
    for year in YEARS:
        spending = files.council_spending(year)
        county = files.upper_tier().get(code, code)
        if code in spending.missing or county in spending.missing:
            notes.append(f"no figures in the {year} return (published as not available)")
        elif code not in spending.pence:
            notes.append(f"not a council in {year} (its boundaries changed)")
    return "; ".join(notes) or None


# --- the national roll-up ---------------------------------------------------------------


def _counted(publication: Any) -> rules.Counted:
    figures = publication.figures
    functions = {
        str(r["code"]): pounds_to_pence(Decimal(str(r["gbp"])))
        for r in figures.get("by_cofog_division", [])
    }
    coverage = figures.get("coverage", [])
    return rules.Counted(
        publication.place_id,
        str(figures.get("place_name") or publication.place_id),
        publication.version,
        pounds_to_pence(Decimal(str(figures["total_gbp"]))),
        int(figures["population"]) if figures.get("population") else None,
        sum(1 for c in coverage if c.get("status") != "missing"),
        sum(1 for c in coverage if c.get("status") == "missing"),
        pounds_to_pence(Decimal(str(figures.get("estimated_gbp") or 0))),
        functions,
    )


def rollup(store: Store, financial_year: str) -> rules.RollUp:
    """Every place's newest published count for the year, summed as published."""
    if not is_financial_year(financial_year):
        raise BadPeerOptions(
            f"{financial_year!r} is not a financial year",
            field="year",
            fix="Write the year as 2017-18.",
        )
    counted = []
    for place in places_service.stored_places(store):
        found = publishing.publications(store, place.place_id, financial_year)
        if found:
            counted.append(_counted(found[0]))
    return rules.roll_up(financial_year, counted, england_population(financial_year))


def england_population(financial_year: str) -> int | None:
    """England's population in the mid-year the financial year starts in, from the
    national count when it holds the year (the same population its per-head figures use)."""
    figures = england(financial_year)
    if figures is None:
        return None
    return sum(f.population for f in figures.values())


def rollup_years(store: Store) -> list[str]:
    years: set[str] = set()
    for place in places_service.stored_places(store):
        years.update(p.financial_year for p in publishing.publications(store, place.place_id))
    return sorted(years, reverse=True)


def place_districts(store: Store, place_id: str) -> list[str]:
    """The place's districts that benchmarking knows, in the place's order."""
    known = district_names()
    for place in places_service.stored_places(store):
        if place.place_id == place_id:
            codes = [c.strip().upper() for c in place.gss_codes.split(";")]
            return [c for c in codes if c in known]
    return []


def labels() -> dict[str, str]:
    return _labels()


def metrics() -> Sequence[rules.Metric]:
    return rules.METRICS
