"""Journeys and cost-of-failure models in the workspace."""

from __future__ import annotations

import json
import re

from tests.helpers import DATA
from tests.workspace import Workspace, csrf

P = "/places/testshire"


def upload(client: object, path: str, content: bytes, name: str) -> object:
    return client.post(
        path,
        data={"csrf": csrf(client, path)},  # type: ignore[attr-defined]
        files={"file": (name, content, "application/octet-stream")},
    )


def test_journeys_added_viewed_and_extended(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    made = upload(
        analyst,
        f"{P}/journeys",
        (DATA / "journeys" / "prison_leaver.csv").read_bytes(),
        "leaver.csv",
    )
    assert made.status_code == 303  # type: ignore[attr-defined]
    page = analyst.get(made.headers["location"])  # type: ignore[attr-defined]
    assert "7 contacts with 5 agencies over 45 days" in page.text
    assert "Jane" not in page.text and "person-" in page.text
    assert "<svg" in page.text and "<script" not in page.text.split("<svg")[1].split("</svg>")[0]
    step = analyst.post(
        f"{made.headers['location']}/steps",
        data={  # type: ignore[attr-defined]
            "csrf": csrf(analyst, made.headers["location"]),  # type: ignore[attr-defined]
            "agency": "Probation",
            "service": "Supervision appointment",
            "day": "60",
            "outcome": "resolved",
            "cost_gbp": "95",
        },
    )
    assert step.status_code == 303
    again = analyst.get(made.headers["location"])  # type: ignore[attr-defined]
    assert "8 contacts with 5 agencies" in again.text
    wrong = analyst.post(
        f"{made.headers['location']}/steps",
        data={  # type: ignore[attr-defined]
            "csrf": csrf(analyst, made.headers["location"]),  # type: ignore[attr-defined]
            "agency": "",
            "service": "x",
            "day": "soon",
            "outcome": "lost",
        },
    )
    assert wrong.status_code == 400
    for expected in (
        '<a href="#agency">agency is blank',
        '<a href="#day">&#39;soon&#39; is not a number',
        '<a href="#outcome">choose one of',
        'id="day-error"',
    ):
        assert expected in wrong.text


def test_a_bad_journey_file_adds_nothing(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    bad = b"journey_id,person,step,agency,service,outcome,cost_gbp\na,X,1,NHS,A&E,lost,10\n"
    response = upload(analyst, f"{P}/journeys", bad, "bad.csv")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Row 2, outcome" in response.text  # type: ignore[attr-defined]
    assert "No journeys yet" in response.text  # type: ignore[attr-defined]


def test_models_added_and_run(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    made = upload(
        analyst,
        f"{P}/models",
        (DATA / "models" / "hiv_chancellor_1997.json").read_bytes(),
        "hiv.json",
    )
    assert made.status_code == 303  # type: ignore[attr-defined]
    page = analyst.get(made.headers["location"])  # type: ignore[attr-defined]
    assert re.search(r'id="cost-per-life_years">£6,27[56]\.\d\d<', page.text)
    spec = json.loads((DATA / "models" / "hiv_chancellor_1997.json").read_text())
    spec["strategies"][0]["phases"][0]["matrix"][3] = [0, 0, 0.5, 0.6]
    refused = upload(analyst, f"{P}/models", json.dumps(spec).encode(), "broken.json")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "does not add up to 1" in refused.text  # type: ignore[attr-defined]
    # A viewer reads the model's results, read-only.
    read = workspace.client("viewer").get(made.headers["location"])  # type: ignore[attr-defined]
    assert read.status_code == 200 and "Delete the model" not in read.text


def test_a_journey_started_in_the_page_and_citing_a_quote(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    started = analyst.post(
        f"{P}/journeys/new",
        data={
            "csrf": csrf(analyst, f"{P}/journeys"),
            "journey_id": "leaver-2",
            "person": "Sam Example",
            "cohort_per_year": "40",
        },
    )
    assert started.status_code == 303
    path = started.headers["location"]
    analyst.post(
        f"{path}/steps",
        data={
            "csrf": csrf(analyst, path),
            "agency": "Probation",
            "service": "Induction",
            "day": "0",
            "outcome": "referred",
            "cost_gbp": "120",
        },
    )
    page = analyst.get(path)
    assert "1 contacts with 1 agencies" in page.text and "Sam" not in page.text
    analyst.post(
        f"{P}/history",
        data={"csrf": csrf(analyst, f"{P}/history"), "project": "pilot", "kind": "report"},
        files={"file": ("r.txt", (DATA / "history" / "report_extract.txt").read_bytes())},
    )
    missing = analyst.post(
        f"{path}/quotes", data={"csrf": csrf(analyst, path), "history": "pilot", "quote": "q99"}
    )
    assert missing.status_code == 400 and "has no quote" in missing.text
    cited = analyst.post(
        f"{path}/quotes", data={"csrf": csrf(analyst, path), "history": "pilot", "quote": "q4"}
    )
    assert cited.status_code == 303
    assert "The barriers are national." in analyst.get(path).text
    empty = analyst.post(
        f"{P}/journeys/new",
        data={"csrf": csrf(analyst, f"{P}/journeys"), "journey_id": "", "person": ""},
    )
    assert empty.status_code == 400 and "journey_id is blank" in empty.text
