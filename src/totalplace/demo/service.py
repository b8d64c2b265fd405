"""The demo place: Trafford (E08000009), built from real public data.

- 2017-18, top down, from the national count (`totalplace.national`): Trafford Council's
  own Revenue Outturn lines (service spending, housing benefit, parish precepts), and
  Trafford's population share of the actual RS figures of Greater Manchester Police, the
  Greater Manchester Combined Authority (Greater Manchester Fire and Rescue among them)
  and the waste disposal authority, all actual; every other public body's spending is an
  estimate from HM Treasury's Country and Regional Analysis 2018 for the North West, by
  department and COFOG function, shared by population (ONS mid-2017). Spending tied to one
  location (the Nuclear Decommissioning Authority's) is left out, as the national count
  does.
- 2026-27: Trafford Council's spending ledger for April-May 2026 (a part year, said so).
Every estimate is marked `estimate=true` and carries its source in a `source` column.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from totalplace.core.context import Report, default_store, quiet
from totalplace.core.money import pence_to_pounds
from totalplace.core.reference import reference
from totalplace.core.registry import demo_contents
from totalplace.core.store.db import Store
from totalplace.count.rules.classification import normalise_cofog
from totalplace.count.service.returns import import_return
from totalplace.count.service.sources import read_trafford_style_population
from totalplace.national import service as national
from totalplace.places.service.packages import import_package

DEMO_SOURCES = Path(__file__).parent / "data"


PLACE_ID = "trafford"
GSS = "E08000009"
MAIN_YEAR = "2017-18"
LEDGER_YEAR = "2026-27"
COUNCIL = "trafford-council"
# Local bodies whose actual RS figures reach Trafford, as the demo's agencies: body code
# (and RS line, where one body's line is an agency of its own) -> id, name, type.
LOCAL_AGENCIES: dict[tuple[str, str], tuple[str, str, str]] = {
    (GSS, ""): (COUNCIL, "Trafford Council", "metropolitan district council"),
    ("E23000005", ""): (
        "gm-police",
        "Greater Manchester Police (Police and Crime Commissioner and Chief Constable)",
        "police",
    ),
    # GM Fire and Rescue was run by the combined authority in 2017-18: RS line 602 of its
    # return.
    ("E47000001", "RS 602"): (
        "gm-fire",
        "Greater Manchester Fire and Rescue (Greater Manchester Combined Authority)",
        "fire and rescue",
    ),
    ("E47000001", ""): ("gmca", "Greater Manchester Combined Authority", "combined authority"),
    ("E50000005", ""): (
        "gm-waste",
        "Greater Manchester Waste Disposal Authority",
        "waste disposal authority",
    ),
}
CAPITAL_AGENCY = (
    "local-government-capital",
    "Local government capital, top-down estimate",
    "local government",
)
# Departments whose Trafford share is at least this get an agency of their own.
OWN_AGENCY_THRESHOLD_PENCE = 1_500_000_00
NAMED_AGENCIES = {
    "Department for Work and Pensions": ("dwp", "national body"),
    "Department of Health and Social Care": ("nhs-dhsc", "NHS commissioner"),
    "Ministry of Justice": ("moj", "national body"),
    "Home Office": ("home-office", "national body"),
}
CRA_SOURCE = (
    "HM Treasury, Country and Regional Analysis 2018 (CRA 2018 database, revised), "
    "North West, 2017-18, shared by population (ONS mid-2017); OGL v3.0"
)
RS_SOURCE = (
    "MHCLG, Revenue Outturn Summary (RS) 2017-18, net current expenditure, {body}{share}; OGL v3.0"
)


@dataclass(frozen=True)
class DemoBuilt:
    place_id: str
    agencies: int
    lines: int
    financial_years: list[str]
    main_year: str


def build_demo(
    store: Store | None = None, replace: bool = True, report: Report = quiet
) -> DemoBuilt:
    store = default_store(store)
    sources = DEMO_SOURCES
    with tempfile.TemporaryDirectory(prefix="totalplace-demo-") as tmp:
        folder = Path(tmp)
        report("Reading public statistics")
        agencies = write_demo_package(sources, folder)
        report("Importing the demo place")
        imported = import_package(
            folder, store=store, actor="totalplace demo", replace=replace, report=report
        )
    report("Importing Trafford Council's 2026-27 spending ledger")
    ledger = import_return(
        COUNCIL,
        [sources / "trafford-supplier-spend-2026-27.zip"],
        LEDGER_YEAR,
        store=store,
        place_id=PLACE_ID,
        actor="totalplace demo",
        report=report,
    )
    assert ledger is not None  # the default confirm accepts
    report("Importing the public estate")
    import_demo_estate(store)
    for add_content in demo_contents():
        add_content(store, PLACE_ID, report)
    return DemoBuilt(
        place_id=PLACE_ID,
        agencies=agencies,
        lines=imported.lines + ledger.line_count,
        financial_years=sorted({*imported.financial_years, LEDGER_YEAR}),
        main_year=MAIN_YEAR,
    )


# The estate's shipped files (src/totalplace/estate/data/SOURCE.md), each for the demo
# agency that holds it: schools under the Department for Education, hospitals, their ERIC
# sites and GP practices under the NHS, in the order that lets ERIC find its hospitals.
DEMO_ESTATE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("trafford_land_and_building_assets.csv", COUNCIL, ()),
    ("gm_libraries.csv", COUNCIL, ()),
    ("trafford_childrens_centres.csv", COUNCIL, ()),
    ("trafford_leisure_centres.csv", COUNCIL, ()),
    ("gm_hospitals_os_openmap.geojson", "nhs-dhsc", ()),
    ("HospitalEstatesAndFacilitiesStatistics_13944.XLS", "nhs-dhsc", ("RW3TR", "RXV80")),
    ("trafford_general_practices.csv", "nhs-dhsc", ()),
    ("gm_fire_stations_os_openmap.geojson", "gm-fire", ()),
    ("gm_jobcentreplus_dwp.csv", "dwp", ()),
    ("gm_probation_offices.csv", "moj", ()),
    ("trafford_schools_and_colleges.csv", "department-for-education", ()),
)


def import_demo_estate(store: Store) -> int:
    """The demo place's public estate; returns the number of assets."""
    from totalplace.estate import service as estate

    total = 0
    for name, agency_id, sites in DEMO_ESTATE:
        path = estate.DATA / name
        metadata = Path(f"{path}-metadata.json")
        done = estate.import_estate(
            store,
            PLACE_ID,
            path.read_bytes(),
            name,
            agency_id,
            "totalplace demo",
            metadata.read_bytes() if metadata.exists() else None,
            sites,
        )
        total += done.added
    return total


def write_demo_package(sources: Path, folder: Path) -> int:
    """Write the demo place as a data package; returns the number of agencies."""
    trafford = national.district_count(GSS, MAIN_YEAR)
    year_2024, people_2024 = read_trafford_style_population(
        sources / "trafford_mid-2024_population_estimates_local_authority.csv", GSS
    )
    agencies, lines = demo_lines(trafford)
    _write(folder / "place.csv", ["place_id", "name", "gss_codes"], [[PLACE_ID, "Trafford", GSS]])
    _write(
        folder / "populations.csv",
        ["gss_code", "year", "population", "source"],
        [
            [
                GSS,
                str(trafford.population_year),
                str(trafford.population),
                f"ONS mid-{trafford.population_year} population estimates (rebased on "
                "Census 2021, July 2024)",
            ],
            [GSS, str(year_2024), str(people_2024), "ONS mid-2024 population estimates"],
        ],
    )
    _write(folder / "agencies.csv", ["agency_id", "name", "agency_type"], agencies)
    # Every line is already Trafford's own share (the national count shared each body's
    # money among its districts), so no agency is apportioned again.
    _write(folder / "apportionment.csv", ["agency_id", "place_id", "share", "basis", "source"], [])
    header = [
        "agency_id",
        "financial_year",
        "description",
        "amount_gbp",
        "cofog",
        "sercop",
        "themes",
        "funding_source",
        "counterparty_agency_id",
        "spend_type",
        "estimate",
        "source",
    ]
    _write(folder / "returns.csv", header, lines)
    return len(agencies)


def demo_lines(trafford: national.DistrictCount) -> tuple[list[list[str]], list[list[str]]]:
    """The national count's components for Trafford as the demo's agencies and lines."""
    by_rs = {item.rs_line: item for item in reference().sercop.values()}
    department_pence: dict[str, int] = defaultdict(int)
    for c in trafford.components:
        if c.body_kind in ("central government", "public corporation"):
            department_pence[c.body_name] += c.pence
    agencies: dict[str, list[str]] = {}
    lines = []
    for c in trafford.components:
        if not c.pence:
            continue
        if c.kind == "actual":
            agency = LOCAL_AGENCIES.get((c.body_gss, c.line)) or LOCAL_AGENCIES[(c.body_gss, "")]
            number = c.line.removeprefix("RS ")
            sercop = by_rs.get(number)
            share = "" if c.basis == "own return" else f", Trafford's share ({c.basis})"
            row = [
                agency[0],
                f"RS line {number}: {c.label}",
                sercop.cofog if sercop else ("10.6" if number.startswith("71") else "01"),
                sercop.code if sercop else "",
                "",
                "revenue",
                "false",
                RS_SOURCE.format(body=c.body_name, share=share),
            ]
        else:
            if c.body_kind == "local capital":
                agency = CAPITAL_AGENCY
            elif department_pence[c.body_name] >= OWN_AGENCY_THRESHOLD_PENCE:
                agency_id, kind = NAMED_AGENCIES.get(
                    c.body_name, (_slug(c.body_name), "national body")
                )
                agency = (agency_id, f"{c.body_name}, top-down", kind)
            else:
                agency = (
                    "other-central",
                    "Other central government bodies, top-down",
                    "national body",
                )
            capital = c.body_kind == "local capital" or c.label.endswith("(capital)")
            row = [
                agency[0],
                c.label,
                _cra_cofog(c.line.removeprefix("CRA "), c.cofog_division),
                "",
                "" if c.body_kind == "local capital" else c.body_name,
                "capital" if capital else "revenue",
                "true",
                CRA_SOURCE,
            ]
        agencies.setdefault(agency[0], list(agency))
        agency_id, description, cofog, sercop_code, funding, spend_type, estimate, source = row
        lines.append(
            [
                agency_id,
                MAIN_YEAR,
                description,
                f"{pence_to_pounds(c.pence):f}",
                cofog,
                sercop_code,
                "",
                funding,
                "",
                spend_type,
                estimate,
                source,
            ]
        )
    council = agencies.pop(COUNCIL)
    return [council, *sorted(agencies.values())], lines


def _cra_cofog(level1: str, division: str) -> str:
    """`10.2` stays `10.2`; health's Treasury sub-functions (`7.A`) become division `07`."""
    code = normalise_cofog(level1)
    return code if code in reference().cofog else division


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


DEMO_LEAD = "lead@trafford.demo"


def prepare_workspace(store: Store, report: Report = quiet) -> tuple[str, str]:
    """The demo place ready to sign in to: built if missing, its count published once, and
    a lead account with a fresh password (printed by `serve --demo`, never stored in clear)."""
    import secrets

    from totalplace.count.service.publishing import publications, publish
    from totalplace.people import service as people
    from totalplace.places.service import queries as place_queries

    with store.sessions() as session:
        exists = place_queries.get_place(session, PLACE_ID) is not None
    if not exists:
        build_demo(store=store, replace=False, report=report)
    password = secrets.token_urlsafe(12)
    people.grant_account(
        store,
        DEMO_LEAD,
        "Demo lead",
        password,
        PLACE_ID,
        "lead",
        None,
        "totalplace demo",
        set_password_too=True,
    )
    if not publications(store, PLACE_ID, MAIN_YEAR):
        publish(store, PLACE_ID, MAIN_YEAR, "totalplace demo")
    return DEMO_LEAD, password
