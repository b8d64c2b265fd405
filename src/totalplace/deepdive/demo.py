"""What the deep dive adds to the Trafford demo place: an older-people deep dive over the
lines the place holds once its count is imported, and funding flows from Trafford
Council's published 360Giving grants and the government grants register's 2016-17 award
to Trafford's Youth Offending Team.

The older-people theme rules:
- the CRA's old-age spending (COFOG 10.2) for the North West, which the demo's top-down
  lines share by population, by Trafford's share of the region's people aged 65 and over
  in place of its share of all people, on the same populations (the national count's
  mid-2017 districts, `national.service.age_share_factor`);
- the council's adult social care (RS 2017-18 has no split by age): the share of the
  council's age-banded care cost centres that are for people over 65 in its 2026-27
  ledger, a different year and two months only, so said to be illustrative;
- the cost centres of the council's 2026-27 ledger for people over 65, whole.

Attendance Allowance is not picked out: the national count sums CRA by department and
function, so no demo line holds it alone (it is within DWP's 10.1 sickness and disability).
"""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import polars as pl

from totalplace.core.context import Report
from totalplace.core.store.db import Store
from totalplace.count.service.counting import current_lines
from totalplace.deepdive import service
from totalplace.demo import service as demo
from totalplace.national import service as national

DATA = Path(__file__).parent / "data"
GRANTS = "trafford_council_voluntary_sector_grants.json"
# The government grants register's awards for 2016-17: the Ministry of Justice's grant to
# Trafford's Youth Offending Team, which the council hosts, enters the place there.
REGISTER = "government-grant-awards-2016-17.xlsx"
YOUTH_OFFENDING_TEAM = "YOT139"
COUNCIL_AWARDS = "government-grant-awards-2016-17-trafford-council.csv"
# The flows template's columns the council's awards fill.
FLOW_HEADER = [
    *("flow_id", "stream", "from_id", "to_id", "financial_year", "amount_gbp"),
    *("from_name", "to_name"),
]
COUNCIL_ORG_ID = "GB-LAE-TRF"
ACTOR = "totalplace demo"
THEME = "older-people"
# A care cost centre of the council's ledger named by its client group and age band.
AGE_BANDED = re.compile(r"^(?P<group>.+?)\s+(?P<band>18-64|65-74|75-84|85\s?\+)(\s+LT)?$", re.I)
OLDER_BANDS = ("65-74", "75-84", "85+")
OLDER_NAMED = re.compile(r"\bolder people\b", re.I)


def over_65_factor() -> tuple[Decimal, str]:
    """Trafford's share of the North West's people aged 65+ over its share of all people,
    on the populations the demo's top-down lines are shared by (the national count's
    mid-2017 districts): what turns a population-shared figure into an over-65s one."""
    return national.age_share_factor(demo.GSS, demo.MAIN_YEAR, "age_65_plus")


def older_cost_centres(store: Store, place_id: str) -> tuple[list[str], Decimal, str]:
    """The council's 2026-27 cost centres for people over 65, and the share of its
    age-banded care spending they make."""
    lines = current_lines(place_id, demo.LEDGER_YEAR, store).collect()
    older: list[str] = []
    older_pence = 0
    banded_pence = 0
    if "service" not in lines.columns:
        return [], Decimal(0), ""
    for name, pence in (
        lines.filter(pl.col("agency_id") == demo.COUNCIL)
        .group_by("service")
        .agg(pl.col("amount_pence").sum())
        .iter_rows()
    ):
        if not name:
            continue
        found = AGE_BANDED.match(name)
        band = found.group("band").replace(" ", "") if found else ""
        if found:
            banded_pence += int(pence)
        if band in OLDER_BANDS:
            older_pence += int(pence)
        if band in OLDER_BANDS or OLDER_NAMED.search(name):
            older.append(name)
    share = (
        (Decimal(older_pence) / banded_pence).quantize(Decimal("1e-6"), rounding=ROUND_HALF_EVEN)
        if banded_pence > 0
        else Decimal(0)
    )
    basis = (
        f"{service.ILLUSTRATIVE} the share of Trafford Council's age-banded care cost "
        f"centres that are for people over 65 in its 2026-27 ledger (April and May 2026 "
        f"only), applied to its 2017-18 adult social care outturn, which has no split by age"
    )
    return sorted(older), share, basis


def older_people_rules(store: Store, place_id: str) -> bytes:
    factor, basis = over_65_factor()
    centres, care_share, care_basis = older_cost_centres(store, place_id)
    rows = [
        [THEME, "cofog", "10.2", str(factor), f"CRA old-age spending: {basis}"],
    ]
    if care_share > 0:
        rows.append([THEME, "sercop", "ASC", str(care_share), care_basis])
    rows += [
        [THEME, "service", name, "1", "A cost centre of the council's ledger for people over 65"]
        for name in centres
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["theme_id", "field", "value", "share", "basis"])
    writer.writerows(rows)
    return out.getvalue().encode()


def council_awards(store: Store, place_id: str) -> bytes:
    """The register's awards to or from Trafford Council, as a flows file. Its awards to
    the Greater Manchester bodies (the combined authority's transport grants) are left out:
    they are for the whole of Greater Manchester, while the demo holds only Trafford's
    population share of those bodies' spending, so they would enter the place whole."""
    agencies = sorted(service.place_of(store, place_id).agencies.items())
    _, read = service.read_flows_file(
        (DATA / REGISTER).read_bytes(), REGISTER, agencies, {YOUTH_OFFENDING_TEAM: demo.COUNCIL}
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLOW_HEADER)
    for f in read.flows:
        if demo.COUNCIL in (f.from_id, f.to_id):
            pounds = f"{Decimal(f.amount_pence) / 100:.2f}"
            ids = [f.flow_id, f.stream, f.from_id, f.to_id, f.financial_year]
            writer.writerow([*ids, pounds, f.from_name, f.to_name])
    return out.getvalue().encode()


def add_demo(store: Store, place_id: str, report: Report) -> None:
    report("Importing Trafford Council's grants as funding flows")
    service.import_flows(
        store,
        place_id,
        (DATA / GRANTS).read_bytes(),
        GRANTS,
        ACTOR,
        {COUNCIL_ORG_ID: demo.COUNCIL},
    )
    service.import_flows(store, place_id, council_awards(store, place_id), COUNCIL_AWARDS, ACTOR)
    report("Adding the older-people deep dive")
    service.set_theme_rules(
        store, place_id, older_people_rules(store, place_id), "older-people-rules.csv", ACTOR
    )
