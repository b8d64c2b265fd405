"""The demo place: Trafford (E08000009), built from real public data.

- Trafford Council: its own published service totals (MHCLG Revenue Outturn Summary
  2017-18), actual figures; and its spending ledger for April-May 2026 as its 2026-27
  return (a part year, and said so).
- Every other public body: top-down estimates from HM Treasury's Country and Regional
  Analysis 2018 for the North West in 2017-18, by department and COFOG function,
  apportioned to Trafford by population (ONS mid-2020, the nearest year held).
Every estimate is marked `estimate=true` and carries its source in a `source` column.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from totalplace.core.context import Report, default_store, quiet
from totalplace.core.reference import reference
from totalplace.core.registry import demo_contents
from totalplace.core.store.db import Store
from totalplace.count.rules.classification import normalise_cofog
from totalplace.count.service.returns import import_return
from totalplace.count.service.sources import (
    CraRow,
    read_country_regional_analysis,
    read_mid_2020_populations,
    read_revenue_outturn,
    read_trafford_style_population,
)
from totalplace.places.service.packages import import_package

DEMO_SOURCES = Path(__file__).parent / "data"


PLACE_ID = "trafford"
GSS = "E08000009"
MAIN_YEAR = "2017-18"
LEDGER_YEAR = "2026-27"
COUNCIL = "trafford-council"
REGION = "ENGLAND_North West"
# The North West's 39 districts (April 2021 boundaries), to apportion regional figures.
NORTH_WEST = (
    "E06000006 E06000007 E06000008 E06000009 E06000049 E06000050 "
    + " ".join(f"E070000{n}" for n in range(26, 32))
    + " "
    + " ".join(f"E07000{n}" for n in range(117, 129))
    + " "
    + " ".join(f"E080000{n:02d}" for n in range(1, 16))
).split()
# Departments spending at least this much in the region get an agency of their own.
OWN_AGENCY_THRESHOLD_THOUSANDS = Decimal(50_000)
NAMED_AGENCIES = {
    "Department for Work and Pensions": ("dwp", "DWP/Jobcentre Plus"),
    "Department of Health and Social Care": ("nhs-dhsc", "NHS commissioner"),
    "Ministry of Justice": ("moj", "national body"),
    "Home Office": ("home-office", "national body"),
}
LOCAL_BODIES = {
    "3.1 Police services": (
        "gm-police",
        "Greater Manchester police (PCC), top-down",
        "police",
    ),
    "3.2 Fire-protection services": (
        "gm-fire",
        "Greater Manchester fire and rescue, top-down",
        "fire and rescue",
    ),
}
CRA_SOURCE = (
    "HM Treasury, Country and Regional Analysis 2018 (CRA 2018 database, revised), "
    "North West, 2017-18, £ thousand; OGL v3.0"
)
RS_SOURCE = (
    "MHCLG, Revenue Outturn Summary (RS) 2017-18, Trafford, net current expenditure, "
    "£ thousand; OGL v3.0"
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
    mid_2020 = read_mid_2020_populations(
        sources / "ons_mye_mid-2020_ltla2021_england_wales_single_year_of_age.csv"
    )
    year_2024, people_2024 = read_trafford_style_population(
        sources / "trafford_mid-2024_population_estimates_local_authority.csv", GSS
    )
    region_people = sum(mid_2020[code] for code in NORTH_WEST)
    share = (Decimal(mid_2020[GSS]) / Decimal(region_people)).quantize(
        Decimal("1e-12"), rounding=ROUND_HALF_EVEN
    )
    share_source = (
        f"ONS mid-2020 population estimates: Trafford {mid_2020[GSS]:,} of the North "
        f"West's {region_people:,} (mid-2020 is the nearest year held to 2017)"
    )
    council_lines = _council_lines(sources)
    cra = read_country_regional_analysis(
        sources / "CRA_2018_Database_for_Publication_rvsd.xlsx", REGION, MAIN_YEAR
    )
    agencies, estimate_lines = _estimate_agencies_and_lines(cra)
    _write(folder / "place.csv", ["place_id", "name", "gss_codes"], [[PLACE_ID, "Trafford", GSS]])
    _write(
        folder / "populations.csv",
        ["gss_code", "year", "population", "source"],
        [
            [GSS, "2020", str(mid_2020[GSS]), "ONS mid-2020 population estimates (June 2021)"],
            [GSS, str(year_2024), str(people_2024), "ONS mid-2024 population estimates"],
        ],
    )
    all_agencies = [[COUNCIL, "Trafford Council", "metropolitan district council"], *agencies]
    _write(folder / "agencies.csv", ["agency_id", "name", "agency_type"], all_agencies)
    _write(
        folder / "apportionment.csv",
        ["agency_id", "place_id", "share", "basis", "source"],
        [[a[0], PLACE_ID, f"{share:f}", "population", share_source] for a in agencies],
    )
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
    _write(folder / "returns.csv", header, [*council_lines, *estimate_lines])
    return len(all_agencies)


def _council_lines(sources: Path) -> list[list[str]]:
    ref = reference()
    by_line = {item.rs_line: item for item in ref.sercop.values()}
    rows = []
    for line in read_revenue_outturn(sources / "RS_2017-18_data_by_LA.xlsx", GSS):
        if line.thousands == 0:
            continue
        sercop = by_line[line.rs_line]
        rows.append(
            [
                COUNCIL,
                MAIN_YEAR,
                f"RS line {line.rs_line}: {line.label}",
                _pounds(line.thousands),
                sercop.cofog,
                sercop.code,
                "",
                "",
                "",
                "revenue",
                "false",
                RS_SOURCE,
            ]
        )
    return rows


def _estimate_agencies_and_lines(cra: list[CraRow]) -> tuple[list[list[str]], list[list[str]]]:
    central = [r for r in cra if r.sector in ("CG", "PC")]
    local = [r for r in cra if r.sector == "LG" and r.cofog_level1 in LOCAL_BODIES]
    spend: dict[str, Decimal] = defaultdict(Decimal)
    for row in central:
        spend[row.department] += row.thousands
    own = {d for d, v in spend.items() if v >= OWN_AGENCY_THRESHOLD_THOUSANDS}
    agencies: dict[str, list[str]] = {}
    lines: list[list[str]] = []
    for row in central:
        if row.department in own:
            agency_id, kind = NAMED_AGENCIES.get(
                row.department, (_slug(row.department), "national body")
            )
            name = f"{row.department}, top-down"
        else:
            agency_id, kind = "other-central", "national body"
            name = "Other central government bodies, top-down"
        agencies.setdefault(agency_id, [agency_id, name, kind])
        lines.append(_estimate_line(agency_id, row))
    for row in local:
        agency_id, name, kind = LOCAL_BODIES[row.cofog_level1]
        agencies.setdefault(agency_id, [agency_id, name, kind])
        lines.append(_estimate_line(agency_id, row))
    return sorted(agencies.values()), lines


def _estimate_line(agency_id: str, row: CraRow) -> list[str]:
    cofog = _cra_cofog(row)
    organisation = "" if row.organisation == row.department else f" ({row.organisation})"
    return [
        agency_id,
        MAIN_YEAR,
        f"{row.segment}{organisation}",
        _pounds(row.thousands),
        cofog,
        "",
        "",
        row.department,
        "",
        "capital" if row.capital else "revenue",
        "true",
        CRA_SOURCE,
    ]


def _cra_cofog(row: CraRow) -> str:
    """`10.2 Old age` -> `10.2`; health's Treasury sub-functions (`7.A`) -> division `07`."""
    code = normalise_cofog(row.cofog_level1.split(" ")[0])
    if code in reference().cofog:
        return code
    division = normalise_cofog(row.cofog_level0.split(" ")[0])
    return division if division in reference().cofog else ""


def _pounds(thousands: Decimal) -> str:
    return f"{(thousands * 1000).quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):f}"


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
