"""Benchmarking's shipped data (peers/data, SOURCE.md): the metrics of every English
district on April-2021 boundaries, the published neighbour sets, and the outcome measures.

Every reader joins on the GSS code of a lower-tier district as of April 2021 (the 309 the
national count uses). Figures published on older boundaries are carried forward through
`district_changes.csv`: counts of people are summed, scores averaged weighted by the 2011
population of the districts that merged (decision 0851)."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from totalplace.peers.rules import District, weighted_mean

DISTRICT_PREFIXES = ("E06", "E07", "E08", "E09")


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("totalplace.peers").joinpath("data", name).read_text("utf-8-sig")
    return [
        {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@cache
def changes() -> dict[str, str]:
    """Old district code -> its April-2021 successor."""
    return {r["old_code"]: r["new_code"] for r in _rows("district_changes.csv")}


def current(code: str) -> str:
    return changes().get(code, code)


@cache
def populations() -> dict[str, dict[str, Any]]:
    """Mid-2020 population by district: name, total, 0-17, 65+."""
    found = {}
    for row in _rows("ons_mye_mid-2020_ltla2021_england_wales_single_year_of_age.csv"):
        code = row["ltla21_code"]
        if not code.startswith(DISTRICT_PREFIXES):
            continue
        ages = [int(row[str(a)]) for a in range(90)] + [int(row["90+"])]
        found[code] = {
            "name": row["ltla21_name"],
            "total": int(row["total_population"]),
            "children": sum(ages[:18]),
            "older": sum(ages[65:]),
        }
    return found


@cache
def _rural() -> dict[str, float]:
    rural: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for row in _rows("RUC_LAD_2011_EN_LU.csv"):
        code = current(row["LAD18CD"])
        rural[code] += float(
            row["Rural including hub towns (rural & rural related) population 2011"]
        )
        total[code] += float(row["Total population 2011"])
    return {code: rural[code] / total[code] for code in total}


@cache
def population_2011() -> dict[str, float]:
    """The 2011 census population of each district on 2018 boundaries: the weights for
    joining the scores of districts that merged."""
    return {
        r["LAD18CD"]: float(r["Total population 2011"]) for r in _rows("RUC_LAD_2011_EN_LU.csv")
    }


IMD_COLUMNS = {
    "income": "Income_Score",
    "employment": "Employment_Score",
    "education": "Education_Score",
    "health": "Health_Score",
    "crime": "Crime_Score",
    "barriers": "Housing_and_Access_Score",
    "living": "Environment_Score",
    "imd": "Score",
}


@cache
def deprivation() -> dict[str, dict[str, float]]:
    """IMD 2019 average scores by April-2021 district; merged districts weighted by their
    2011 population."""
    weights = population_2011()
    parts: dict[str, list[tuple[dict[str, float], float]]] = defaultdict(list)
    for row in _rows("imd2019_england_ltla19.csv"):
        old = row["ltla19_code"]
        values = {key: float(row[column]) for key, column in IMD_COLUMNS.items()}
        parts[current(old)].append((values, weights.get(old, 1.0)))
    return {
        code: {key: weighted_mean((v[key], w) for v, w in items) for key in IMD_COLUMNS}
        for code, items in parts.items()
    }


@cache
def areas() -> dict[str, float]:
    return {r["code"]: float(r["area_sq_km"]) for r in _rows("district_areas_ltla21.csv")}


@cache
def districts() -> tuple[District, ...]:
    """Every English district with all twelve metrics, by GSS code."""
    people, imd, rural, area = populations(), deprivation(), _rural(), areas()
    found = []
    for code in sorted(people):
        p = people[code]
        if code not in imd or code not in rural or code not in area:
            continue
        values = {key: imd[code][key] for key in IMD_COLUMNS if key != "imd"}
        values.update(
            population=math.log(p["total"]),
            children=p["children"] / p["total"],
            older=p["older"] / p["total"],
            density=math.log(p["total"] / area[code]),
            rural=rural[code],
        )
        found.append(District(code, p["name"], values))
    return tuple(found)


@dataclass(frozen=True)
class PublishedSet:
    key: str
    title: str
    source: str
    # GSS code -> the neighbours' GSS codes, closest first, with their closeness band.
    neighbours: dict[str, list[tuple[str, str]]]


@cache
def dfe_numbers() -> dict[str, str]:
    """DfE three-digit LA number -> GSS code, from the looked-after children file, newest
    year last so that a renumbered authority takes its current code."""
    found: dict[str, str] = {}
    for row in sorted(_rows("children_looked_after_31_march.csv"), key=lambda r: r["time_period"]):
        number = row["old_la_code"].split(".")[0]
        if number and row["new_la_code"]:
            found[number] = row["new_la_code"]
    return found


def _dfe_set(name: str, key: str, title: str, neighbour: str, band: str) -> PublishedSet:
    numbers = dfe_numbers()
    found: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(name):
        own = numbers.get(row.get("LA num") or row.get("old_la_code") or "")
        if own is None:
            continue
        found[own] = [
            (numbers[row[neighbour.format(i)]], row[band.format(i)].strip())
            for i in range(1, 11)
            if row.get(neighbour.format(i)) in numbers
        ]
    return PublishedSet(
        key, title, "Department for Education, children's services statistical neighbours", found
    )


@cache
def published_sets() -> dict[str, PublishedSet]:
    """The DfE's children's services statistical neighbours, 2021 and 2025 models. (Oflog's
    nearest neighbours are CIPFA's licensed product and are not shipped.)"""
    return {
        "dfe-2025": _dfe_set(
            "sn_model_2025_wide.csv",
            "dfe-2025",
            "DfE statistical neighbours (2025 model)",
            "SN_{}",
            "SN_{}P",
        ),
        "dfe-2021": _dfe_set_2021(),
    }


def _dfe_set_2021() -> PublishedSet:
    # The 2021 file names all ten closeness columns "SNP"; read it by position.
    text = (
        resources.files("totalplace.peers")
        .joinpath("data", "New_Statistical_Neighbour_Groupings_April_2021.csv")
        .read_text("utf-8-sig")
    )
    numbers = dfe_numbers()
    found: dict[str, list[tuple[str, str]]] = {}
    reader = csv.reader(io.StringIO(text))
    next(reader)
    for row in reader:
        if not row or not row[0].strip().isdigit():
            if row and row[0].startswith("Old SNs"):
                break
            continue
        own = numbers.get(row[0].strip())
        if own is None:
            continue
        pairs = [(row[5 + 2 * i].strip(), row[6 + 2 * i].strip()) for i in range(10)]
        found[own] = [(numbers[n], band) for n, band in pairs if n in numbers]
    return PublishedSet(
        "dfe-2021",
        "DfE statistical neighbours (2021 model)",
        "Department for Education, children's services statistical neighbours",
        found,
    )


@cache
def authority_names() -> dict[str, str]:
    """Names of districts, counties and other social care authorities by GSS code."""
    found = {r["new_la_code"]: r["la_name"] for r in _rows("children_looked_after_31_march.csv")}
    found.update(
        {r["UTLA23CD"]: r["UTLA23NM"] for r in _rows("LTLA-UTLA_Apr23_Lookup_England-Wales.csv")}
    )
    found.update({code: p["name"] for code, p in populations().items()})
    return found


@cache
def upper_tier() -> dict[str, str]:
    """District -> the authority that runs its children's and adult social care (itself
    for unitaries, metropolitan districts and London boroughs), April 2023."""
    found = {
        r["LTLA23CD"]: r["UTLA23CD"] for r in _rows("LTLA-UTLA_Apr23_Lookup_England-Wales.csv")
    }
    # Districts abolished in April 2023 were in these counties until then.
    for counties, codes in COUNTIES_BEFORE_2023.items():
        found.update(dict.fromkeys(codes, counties))
    return found


COUNTIES_BEFORE_2023 = {
    "E10000006": ("E07000026", "E07000027", "E07000028", "E07000029", "E07000030", "E07000031"),
    "E10000023": (
        "E07000163",
        "E07000164",
        "E07000165",
        "E07000166",
        "E07000167",
        "E07000168",
        "E07000169",
    ),
    "E10000027": ("E07000187", "E07000188", "E07000189", "E07000246"),
}


# --- outcomes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    unit: str
    year: str
    source: str
    # True when a higher value is a better outcome (said beside the chart).
    higher_is_better: bool
    # "district" or "upper tier" (social care authorities).
    level: str
    values: dict[str, float]


@cache
def health_index(year: str = "2018") -> Outcome:
    values = {
        r["ltla21_code"]: v
        for r in _rows("england_health_index.csv")
        if r["year"] == year and (v := _number(r["overall_score"])) is not None
    }
    return Outcome(
        "health-index",
        "ONS Health Index, overall score",
        "index, England 2015 = 100",
        year,
        "ONS Health Index for England 2015-2021",
        True,
        "district",
        values,
    )


@cache
def gdp_per_head(year: str = "2017") -> Outcome:
    values = {
        r["la_code"]: v
        for r in _rows("gdp_per_head_ltla21.csv")
        if (v := _number(r[year])) is not None
    }
    return Outcome(
        "gdp",
        "GDP per head",
        "£ at current prices (workplace-based)",
        year,
        "ONS regional GDP by local authority, May 2021",
        True,
        "district",
        values,
    )


@cache
def imd_score() -> Outcome:
    return Outcome(
        "imd",
        "Index of Multiple Deprivation, average score",
        "score (higher = more deprived)",
        "2019",
        "MHCLG English indices of deprivation 2019",
        False,
        "district",
        {code: v["imd"] for code, v in deprivation().items()},
    )


@cache
def looked_after(year: str = "2021") -> Outcome:
    values = {
        r["new_la_code"]: v
        for r in _rows("children_looked_after_31_march.csv")
        if r["time_period"] == year and (v := _number(r["rate_per_10000"])) is not None
    }
    return Outcome(
        "looked-after",
        "Children looked after at 31 March",
        "per 10,000 children",
        year,
        "DfE Children looked after in England",
        False,
        "upper tier",
        values,
    )


ASC_TITLES = {
    "ASC2": ("Social care-related quality of life impact", "score (0 to 0.49)", True),
    "ASC5": ("Outcome of short-term services: sequel to service", "%", True),
}


@cache
def adult_social_care(code: str = "ASC5", year: str = "2017-18") -> Outcome:
    title, unit, better = ASC_TITLES[code]
    values = {}
    for r in _rows("adult_social_care_measures.csv"):
        if r["Code"] == code and r["Financial year"] == year:
            value = _number(r["Value"])
            # The file records some missing values as 0 (SOURCE.md): not a measurement.
            if value:
                values[r["Local authority code"]] = value
    return Outcome(
        code.lower(),
        title,
        unit,
        year,
        "Oflog adult social care metrics (ASCOF)",
        better,
        "upper tier",
        values,
    )


def outcomes() -> list[Outcome]:
    return [imd_score(), health_index(), looked_after(), adult_social_care(), gdp_per_head()]


# --- the councils' own spending, for trends ---------------------------------------------


@dataclass(frozen=True)
class CouncilSpending:
    """Each council's net current service expenditure (RS line 699 in 2017-18, RSX total
    service expenditure C7 in 2024-25), in pence, by GSS code; `missing` holds those whose
    return is not a number (Copeland's 2017-18 return is all "…")."""

    financial_year: str
    pence: dict[str, int]
    classes: dict[str, str]
    missing: frozenset[str]


@cache
def council_spending(financial_year: str) -> CouncilSpending:
    pence: dict[str, int] = {}
    classes: dict[str, str] = {}
    missing = set()
    for row in _rows("council_net_service_expenditure.csv"):
        if row["financial_year"] != financial_year:
            continue
        classes[row["ons_code"]] = row["class"]
        value = _number(row["net_current_expenditure_thousands"])
        if value is None:
            missing.add(row["ons_code"])
        else:
            # £ thousand with up to 12 decimals in the file: to the penny, half to even.
            pence[row["ons_code"]] = round(value * 100_000)
    return CouncilSpending(financial_year, pence, classes, frozenset(missing))


@cache
def populations_2023_geography() -> dict[str, dict[str, int]]:
    """Mid-year population (rebased on Census 2021) by April-2023 authority, incl. counties:
    {code: {"2017": n, ..., "2023": n}}."""
    found = {}
    for row in _rows("ons_mye4_mid2011-mid2023_population_by_la_ew_2023geog.csv"):
        if row["Code"].startswith("E"):
            found[row["Code"]] = {
                column.removeprefix("Mid-"): int(value)
                for column, value in row.items()
                if column.startswith("Mid-") and value
            }
    return found
