"""Benchmarking's pure arithmetic: standardised metrics, a weighted distance, nearest
neighbours, spend per head beside a peer group, scatter charts and the roll-up of
bottom-up counts. No files, database or web here (decision 0851)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

import numpy as np


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    # Why it is in the distance, in the page's words.
    means: str
    default_weight: float


# The metrics a peer group is computed from, in the order the form shows them. Default
# weights give deprivation, people and place about a third each (decision 0851).
METRICS: tuple[Metric, ...] = (
    Metric("income", "Income deprivation", "IMD 2019 income domain, average score", 1.0),
    Metric("employment", "Employment deprivation", "IMD 2019 employment domain", 1.0),
    Metric("education", "Education and skills", "IMD 2019 education domain", 0.5),
    Metric("health", "Health deprivation", "IMD 2019 health domain", 1.0),
    Metric("crime", "Crime", "IMD 2019 crime domain", 0.5),
    Metric("barriers", "Barriers to housing and services", "IMD 2019 barriers domain", 0.5),
    Metric("living", "Living environment", "IMD 2019 living environment domain", 0.5),
    Metric("population", "Population (log)", "ONS mid-2020 estimate, natural log", 1.0),
    Metric("children", "Share aged 0 to 17", "ONS mid-2020 single year of age", 1.0),
    Metric("older", "Share aged 65 and over", "ONS mid-2020 single year of age", 1.0),
    Metric("density", "People per km² (log)", "ONS mid-2020 population / area", 1.5),
    Metric("rural", "Rural share", "2011 Rural-Urban Classification: rural incl. hub towns", 1.5),
)
METRIC_KEYS = tuple(m.key for m in METRICS)
DEFAULT_WEIGHTS: dict[str, float] = {m.key: m.default_weight for m in METRICS}
MAX_K = 30


@dataclass(frozen=True)
class District:
    gss_code: str
    name: str
    values: dict[str, float]  # raw metric values, by METRIC_KEYS


@dataclass(frozen=True)
class Neighbour:
    gss_code: str
    name: str
    distance: float
    # Each metric's part of the squared distance, so the page can say what made it close.
    parts: dict[str, float]


@dataclass(frozen=True)
class Standardised:
    codes: tuple[str, ...]
    names: tuple[str, ...]
    keys: tuple[str, ...]
    z: np.ndarray  # districts x metrics
    means: np.ndarray
    sds: np.ndarray


def standardise(districts: Sequence[District], keys: Sequence[str] = METRIC_KEYS) -> Standardised:
    """Each metric as z-scores over every district: (value - mean) / standard deviation.
    A metric with no spread is all zeros (it cannot tell districts apart)."""
    raw = np.array([[d.values[k] for k in keys] for d in districts], dtype=float)
    means = raw.mean(axis=0)
    sds = raw.std(axis=0)
    safe = np.where(sds > 0, sds, 1.0)
    z = (raw - means) / safe
    return Standardised(
        tuple(d.gss_code for d in districts),
        tuple(d.name for d in districts),
        tuple(keys),
        z,
        means,
        sds,
    )


def check_weights(weights: Mapping[str, float]) -> list[str]:
    """What is wrong with a set of weights, in the form's words (empty when fine)."""
    wrong = [k for k in weights if k not in METRIC_KEYS]
    found = [f"there is no metric {k!r}" for k in wrong]
    for key, value in weights.items():
        if key in METRIC_KEYS and (not math.isfinite(value) or value < 0 or value > 100):
            found.append(f"the weight of {key} must be a number from 0 to 100")
    if not found and not any(weights.get(k, 0) > 0 for k in METRIC_KEYS):
        found.append("at least one weight must be more than 0")
    return found


def nearest(
    table: Standardised, gss_code: str, weights: Mapping[str, float], k: int
) -> list[Neighbour]:
    """The k districts closest to one, by the weighted Euclidean distance over z-scores:
    d(a, b) = sqrt(sum_i w_i (z_ai - z_bi)^2 / sum_i w_i). Ties break by GSS code, so the
    same inputs always give the same group."""
    index = table.codes.index(gss_code)
    w = np.array([float(weights.get(key, 0.0)) for key in table.keys])
    total = w.sum()
    if total <= 0:
        raise ValueError("at least one weight must be more than 0")
    squared = (table.z - table.z[index]) ** 2 * w / total
    distances = np.sqrt(squared.sum(axis=1))
    order = sorted(
        (i for i in range(len(table.codes)) if i != index),
        key=lambda i: (round(float(distances[i]), 12), table.codes[i]),
    )
    return [
        Neighbour(
            table.codes[i],
            table.names[i],
            float(distances[i]),
            {key: float(squared[i, j]) for j, key in enumerate(table.keys)},
        )
        for i in order[:k]
    ]


def weighted_mean(values: Iterable[tuple[float, float]]) -> float:
    """The mean of (value, weight) pairs; used to join districts that merged."""
    pairs = list(values)
    weight = sum(w for _, w in pairs)
    if weight <= 0:
        raise ValueError("no weight to average by")
    return sum(v * w for v, w in pairs) / weight


# --- spend per head beside a peer group ----------------------------------------------


@dataclass(frozen=True)
class FunctionRow:
    code: str
    label: str
    place_pence: int | None  # per head; None when the place has no figure
    peer_median_pence: int | None
    peer_low_pence: int | None
    peer_high_pence: int | None
    # The place's figure as a share of its peers' median (1.0 = the same); None when
    # either is missing or the median is 0.
    ratio: float | None


def per_head_rows(
    place: Mapping[str, int],
    peers: Sequence[Mapping[str, int]],
    labels: Mapping[str, str],
) -> list[FunctionRow]:
    """One row per function: the place's spend per head (pence) beside its peers' median
    and range. Medians are rounded half to even at the penny."""
    rows = []
    for code in labels:
        values = sorted(p[code] for p in peers if code in p)
        mid = _median_pence(values)
        mine = place.get(code)
        ratio = mine / mid if mine is not None and mid else None
        rows.append(
            FunctionRow(
                code,
                labels[code],
                mine,
                mid,
                values[0] if values else None,
                values[-1] if values else None,
                ratio,
            )
        )
    return rows


def _median_pence(values: Sequence[int]) -> int | None:
    if not values:
        return None
    return round(median(values))


# --- scatter charts -------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    gss_code: str
    name: str
    x: float  # spend per head, pounds
    y: float  # the outcome
    role: str  # "place", "peer" or "other"


@dataclass(frozen=True)
class Scatter:
    title: str
    x_label: str
    y_label: str
    points: list[Point]
    width: int = 640
    height: int = 400
    margin: int = 56
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    marks: list[tuple[float, float, Point]] = field(default_factory=list)
    # Pearson's r over every point drawn, for the caption (None under 3 points).
    correlation: float | None = None


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step / 2:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _tick_label(value: float) -> str:
    """Thousands with separators, small values as short decimals; never 3e+05."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.10g}" if value == round(value, 2) else f"{value:.2f}"


def scatter(title: str, x_label: str, y_label: str, points: Sequence[Point]) -> Scatter:
    """Place the points in a chart's drawing box (SVG user units, y down), the place and
    its peers drawn last so they sit on top."""
    chart = Scatter(title, x_label, y_label, list(points))
    if not points:
        return chart
    xs = [p.x for p in points]
    ys = [p.y for p in points]
    xt = _ticks(min(xs), max(xs))
    yt = _ticks(min(ys), max(ys))
    x0, x1 = min(xt[0], min(xs)), max(xt[-1], max(xs))
    y0, y1 = min(yt[0], min(ys)), max(yt[-1], max(ys))
    m = chart.margin
    inner_w, inner_h = chart.width - m - 16, chart.height - m - 16

    def sx(v: float) -> float:
        return m + (v - x0) / ((x1 - x0) or 1) * inner_w

    def sy(v: float) -> float:
        return 16 + inner_h - (v - y0) / ((y1 - y0) or 1) * inner_h

    order = {"other": 0, "peer": 1, "place": 2}
    marks = [
        (round(sx(p.x), 1), round(sy(p.y), 1), p)
        for p in sorted(points, key=lambda p: order[p.role])
    ]
    return Scatter(
        title,
        x_label,
        y_label,
        list(points),
        x_ticks=[(round(sx(t), 1), _tick_label(t)) for t in xt],
        y_ticks=[(round(sy(t), 1), _tick_label(t)) for t in yt],
        marks=marks,
        correlation=correlation(xs, ys),
    )


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return float(np.corrcoef(np.array(xs), np.array(ys))[0, 1])


# --- the national roll-up of bottom-up counts ------------------------------------------


@dataclass(frozen=True)
class Counted:
    """One place's published bottom-up count, as it was published."""

    place_id: str
    place_name: str
    version: int
    total_pence: int
    population: int | None
    agencies_counted: int
    agencies_missing: int
    estimated_pence: int
    by_function_pence: dict[str, int]


@dataclass(frozen=True)
class RollUp:
    financial_year: str
    places: list[Counted]
    total_pence: int
    estimated_pence: int
    population_covered: int
    places_without_population: list[str]
    agencies_counted: int
    agencies_missing: int
    by_function_pence: dict[str, int]
    # England's population that year, when known, for the coverage share.
    england_population: int | None

    @property
    def without_function_pence(self) -> int:
        """What the places counted but have not yet given a function."""
        return self.total_pence - sum(self.by_function_pence.values())

    @property
    def population_share(self) -> float | None:
        if not self.england_population:
            return None
        return self.population_covered / self.england_population


def roll_up(
    financial_year: str, counted: Sequence[Counted], england_population: int | None
) -> RollUp:
    """Sum what was counted, and only that: no place's figures are scaled to stand for
    places that did not count, and a place with no population adds money but no people."""
    functions: dict[str, int] = {}
    for place in counted:
        for code, pence in place.by_function_pence.items():
            functions[code] = functions.get(code, 0) + pence
    return RollUp(
        financial_year,
        sorted(counted, key=lambda c: c.place_name),
        sum(c.total_pence for c in counted),
        sum(c.estimated_pence for c in counted),
        sum(c.population or 0 for c in counted),
        [c.place_name for c in counted if not c.population],
        sum(c.agencies_counted for c in counted),
        sum(c.agencies_missing for c in counted),
        dict(sorted(functions.items())),
        england_population,
    )


# --- trends -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    gss_code: str
    name: str
    first_year: str
    first_pence: int | None
    last_year: str
    last_pence: int | None
    # Why a figure is missing, when one is.
    note: str | None = None

    @property
    def change(self) -> float | None:
        if not self.first_pence or self.last_pence is None:
            return None
        return self.last_pence / self.first_pence - 1
