"""The demo's business cases: three invest-to-save proposals across Trafford Council, the
NHS and Greater Manchester Police, written for the demo (illustrative figures, said so on
each case), kept through the cases service as any uploaded case file is."""

from __future__ import annotations

import json
from typing import Any

from totalplace.cases.service import cases as case_service
from totalplace.core.context import Report
from totalplace.core.store.db import Store
from totalplace.sharing.service import require_agencies

COUNCIL, NHS, POLICE = "trafford-council", "nhs-dhsc", "gm-police"
ACTOR = "totalplace demo"
ILLUSTRATIVE = (
    "Illustrative figures written for the demo, not a Trafford proposal: real prices of "
    "2025-26, Green Book discounting."
)


def _yearly(agency: str, first: int, last: int, amount: int) -> dict[str, Any]:
    return {"agency": agency, "from": first, "to": last, "amount": amount}


DEMO_CASES: list[dict[str, Any]] = [
    {
        "name": "Home first: reablement for older people leaving hospital",
        "description": "The council and the NHS fund a joint reablement team so that older "
        "people go home from hospital with support, not into a care home; the NHS saves "
        "delayed-discharge bed days, the council long-term residential care. " + ILLUSTRATIVE,
        "first_year": "2025-26",
        "adjustments": {"optimism_bias": 0.2, "deadweight": 0.1},
        "costs": [
            _yearly(COUNCIL, 0, 2, 420_000),
            _yearly(NHS, 0, 2, 180_000),
        ],
        "benefits": [
            _yearly(NHS, 1, 4, 520_000),
            _yearly(COUNCIL, 1, 4, 260_000),
        ],
    },
    {
        "name": "Through the gate: housing and treatment for prison leavers",
        "description": "The council houses people leaving prison on the day of release and "
        "the NHS keeps their drug treatment going; the police see fewer offences, the NHS "
        "fewer emergency attendances, the council fewer emergency placements. " + ILLUSTRATIVE,
        "first_year": "2025-26",
        "adjustments": {"optimism_bias": 0.2, "deadweight": 0.15, "attribution": 0.1},
        "costs": [
            {"agency": COUNCIL, "year": 0, "amount": 300_000, "capital": True},
            _yearly(COUNCIL, 1, 3, 150_000),
            _yearly(NHS, 0, 3, 60_000),
        ],
        "benefits": [
            _yearly(POLICE, 1, 5, 210_000),
            _yearly(NHS, 1, 5, 90_000),
            _yearly(COUNCIL, 1, 5, 70_000),
        ],
    },
    {
        "name": "Street triage: a mental health nurse with the police",
        "description": "The police and the NHS put a mental health nurse in a response car; "
        "fewer people are detained under section 136 or taken to A&E, saving police officer "
        "hours and NHS emergency care. " + ILLUSTRATIVE,
        "first_year": "2025-26",
        "adjustments": {"optimism_bias": 0.1, "deadweight": 0.1, "drop_off": 0.05},
        "costs": [_yearly(POLICE, 0, 2, 110_000), _yearly(NHS, 0, 2, 90_000)],
        "benefits": [_yearly(POLICE, 1, 3, 150_000), _yearly(NHS, 1, 3, 140_000)],
    },
]


def add_demo(store: Store, place_id: str, report: Report) -> None:
    require_agencies(store, place_id, [COUNCIL, NHS, POLICE], "the demo's business cases")
    report("Adding the demo's business cases")
    for spec in DEMO_CASES:
        content = json.dumps(spec).encode()
        case_service.add_case(store, place_id, content, "demo-case.json", ACTOR)
