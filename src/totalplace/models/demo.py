"""The demo's cost-of-failure model: 100 people a year leaving prison into Trafford,
followed for ten years, today and with housing and treatment on the day of release.
Written for the demo: the transition chances and yearly costs are illustrative (said so in
the model's description, shown on its page). Added through the models service as an
uploaded model file is."""

from __future__ import annotations

import json
from typing import Any

from totalplace.core.context import Report
from totalplace.core.store.db import Store
from totalplace.models.service import models as model_service
from totalplace.sharing.service import require_agencies

COUNCIL, NHS, POLICE = "trafford-council", "nhs-dhsc", "gm-police"
PRISONS = "HM Prison and Probation Service"  # a national body, named as in the journeys
ACTOR = "totalplace demo"
STATES = ["In custody", "Out, no settled home", "Out, settled", "Dead"]


def _matrix(back_inside: str, settling: str) -> list[list[Any]]:
    """Yearly chances of moving between the states (rows: from; columns: to)."""
    return [
        ["C", "release", 0, "death"],
        [back_inside, "C", settling, "death_unsettled"],
        ["return_settled", "unsettle", "C", "death"],
        [0, 0, 0, 1],
    ]


DEMO_MODEL: dict[str, Any] = {
    "name": "Prison leavers: the cost of failure over ten years",
    "description": "One year's prison leavers in Trafford (a cohort, shares of people) "
    "followed yearly for ten years, today and with housing and drug treatment arranged on "
    "the day of release. Illustrative chances and costs written for the demo (2025-26 "
    "prices, Green Book discounting), not a Trafford estimate.",
    "states": STATES,
    "start": {"Out, no settled home": 0.7, "Out, settled": 0.3},
    "cycles": 10,
    "parameters": {
        "release": 0.55,
        "death": 0.005,
        "death_unsettled": 0.02,
        "return_settled": 0.08,
        "unsettle": 0.1,
        "reoffend_today": {
            "value": 0.45,
            "distribution": "beta",
            "alpha": 45,
            "beta": 55,
        },
        "settle_today": 0.15,
        "effect": {"value": 0.7, "distribution": "uniform", "low": 0.55, "high": 0.85},
        "support": 4200,
    },
    "costs": {
        "In custody": {PRISONS: 47000, NHS: 2100},
        "Out, no settled home": {
            POLICE: 9500,
            NHS: 6200,
            COUNCIL: 7800,
            PRISONS: 3100,
        },
        "Out, settled": {POLICE: 1200, NHS: 2400, COUNCIL: 900, PRISONS: 1500},
    },
    "outcomes": {"years out of custody": {"Out, no settled home": 1, "Out, settled": 1}},
    "strategies": [
        {
            "name": "Today",
            "phases": [{"matrix": _matrix("reoffend_today", "settle_today")}],
        },
        {
            "name": "Housing and treatment on release",
            "phases": [
                {
                    "until": 2,
                    "costs": {
                        "Out, no settled home": {COUNCIL: "support"},
                        "Out, settled": {COUNCIL: "support"},
                    },
                    "matrix": _matrix("reoffend_today * effect", "settle_today * 2.5"),
                },
                {"matrix": _matrix("reoffend_today * effect", "settle_today * 1.5")},
            ],
        },
    ],
    "draws": 200,
    "seed": 2010,
}


def add_demo(store: Store, place_id: str, report: Report) -> None:
    require_agencies(store, place_id, [COUNCIL, NHS, POLICE], "the demo's cost-of-failure model")
    report("Adding the demo's cost-of-failure model")
    content = json.dumps(DEMO_MODEL).encode()
    model_service.add_model(store, place_id, content, "demo-model.json", ACTOR)
