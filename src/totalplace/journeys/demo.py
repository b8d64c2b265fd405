"""The demo's journeys: two Trafford people, written for the demo (personas, not real
people, said so on each journey's service names), costed with the shipped unit-cost
library (NHS National Cost Collection 2024-25) where it has the contact, and with
illustrative 2024-25 costs where it does not. Added through the journeys service as an
uploaded journey file is."""

from __future__ import annotations

import csv
import io

from totalplace.core.context import Report
from totalplace.core.store.db import Store
from totalplace.journeys import service as journey_service
from totalplace.sharing.service import require_agencies

COUNCIL, NHS, POLICE = "trafford-council", "nhs-dhsc", "gm-police"
# National bodies in a journey are named as the person met them; a journey's agencies are
# names, not the place's agency records (only the three local ones are checked).
DWP, MOJ = "DWP/Jobcentre Plus", "HM Prison and Probation Service"
ACTOR = "totalplace demo"
COLUMNS = [
    "journey_id",
    "person",
    "step",
    "agency",
    "service",
    "channel",
    "day",
    "wait_days",
    "outcome",
    "unit_cost_id",
    "quantity",
    "cost_gbp",
    "price_year",
    "cohort_per_year",
]

# (agency, service, channel, day, wait_days, outcome, unit_cost_id, quantity, cost_gbp)
Step = tuple[str, str, str, int, int, str, str, str, str]

PRISON_LEAVER: list[Step] = [
    (MOJ, "Release from HMP Forest Bank", "in person", 0, 0, "referred", "", "", "250"),
    (DWP, "New Universal Credit claim", "phone", 1, 21, "dropped", "", "", "180"),
    (COUNCIL, "Homelessness assessment", "in person", 2, 5, "referred", "", "", "420"),
    (POLICE, "Arrest for shoplifting", "in person", 12, 0, "referred", "", "", "1100"),
    (
        NHS,
        "Liaison and diversion in custody",
        "in person",
        12,
        0,
        "referred",
        "ncc-mental-health-care-contact-D02",
        "1",
        "",
    ),
    (
        NHS,
        "A&E attendance after an overdose",
        "in person",
        19,
        0,
        "resolved",
        "ncc-emergency-care-VB03Z",
        "1",
        "",
    ),
    (DWP, "New Universal Credit claim", "in person", 24, 14, "resolved", "", "", "180"),
    (
        NHS,
        "Substance misuse team assessment",
        "in person",
        30,
        10,
        "referred",
        "ncc-mental-health-care-contact-D01",
        "1",
        "",
    ),
    (MOJ, "Probation supervision", "in person", 31, 0, "resolved", "", "", "95"),
]
OLDER_PERSON: list[Step] = [
    (
        NHS,
        "Ambulance after a fall at home",
        "in person",
        0,
        0,
        "referred",
        "ncc-ambulance-03",
        "1",
        "",
    ),
    (
        NHS,
        "Hip fracture, hospital stay",
        "in person",
        0,
        9,
        "referred",
        "ncc-non-elective-inpatient-long-stay-HE11D",
        "1",
        "",
    ),
    (COUNCIL, "Social care assessment for discharge", "in person", 9, 6, "referred", "", "", "350"),
    (
        NHS,
        "Early discharge team",
        "in person",
        15,
        0,
        "referred",
        "ncc-community-health-service-IC01",
        "6",
        "",
    ),
    (COUNCIL, "Short-term care home placement", "in person", 16, 28, "repeated", "", "", "3900"),
    (
        NHS,
        "District nurse visits",
        "in person",
        44,
        0,
        "resolved",
        "ncc-community-health-service-N02AF",
        "8",
        "",
    ),
    (COUNCIL, "Reablement at home", "in person", 45, 0, "resolved", "", "", "1260"),
]
JOURNEYS = (
    ("prison-leaver", "Demo persona A", PRISON_LEAVER, 140),
    ("older-person-hospital", "Demo persona B", OLDER_PERSON, 380),
)


def journey_file(names: dict[str, str]) -> bytes:
    """The two journeys as a journey file (docs/formats/journeys.md), agencies by name."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for journey_id, person, steps, cohort in JOURNEYS:
        for n, (agency, service, channel, day, wait, outcome, unit, qty, cost) in enumerate(
            steps, start=1
        ):
            writer.writerow(
                [
                    journey_id,
                    person,
                    n,
                    names.get(agency, agency),
                    f"{service} (illustrative)" if cost else service,
                    channel,
                    day,
                    wait,
                    outcome,
                    unit,
                    qty,
                    cost,
                    "2024-25" if cost else "",
                    cohort if n == 1 else "",
                ]
            )
    return out.getvalue().encode()


def add_demo(store: Store, place_id: str, report: Report) -> None:
    names = require_agencies(store, place_id, [COUNCIL, NHS, POLICE], "the demo's journeys")
    report("Adding the demo's journeys")
    journey_service.add_from_file(store, place_id, journey_file(names), "demo-journeys.csv", ACTOR)
