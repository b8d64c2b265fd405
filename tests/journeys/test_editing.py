"""A journey's steps changed and deleted in the page; the journey deleted and restored."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import DATA
from tests.workspace import Workspace, csrf

P = "/places/testshire"


def journey(client: Any) -> str:
    made = client.post(
        f"{P}/journeys",
        data={"csrf": csrf(client, f"{P}/journeys")},
        files={"file": ("leaver.csv", (DATA / "journeys" / "prison_leaver.csv").read_bytes())},
    )
    assert made.status_code == 303
    return str(made.headers["location"])


def test_a_step_is_changed_field_by_field(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    path = journey(analyst)
    form = analyst.get(f"{path}/steps/2")
    assert form.status_code == 200 and "Change step 2" in form.text
    values = dict(re.findall(r'name="(\w+)" type="text" value="([^"]*)"', form.text))
    assert values["agency"]  # the step's own values are filled in
    wrong = analyst.post(
        f"{path}/steps/2",
        data={**values, "csrf": csrf(analyst, path), "cost_gbp": "-5", "outcome": "resolved"},
    )
    assert wrong.status_code == 400
    assert '<a href="#cost_gbp">-5 is negative' in wrong.text
    assert (
        'class="govuk-input govuk-input--width-10 govuk-input--error" id="cost_gbp"' in wrong.text
    )
    saved = analyst.post(
        f"{path}/steps/2",
        data={
            **values,
            "csrf": csrf(analyst, path),
            "service": "Changed service",
            "outcome": "resolved",
        },
    )
    assert saved.status_code == 303
    page = analyst.get(path)
    assert "Changed service" in page.text and "7 contacts" in page.text
    assert analyst.get(f"{path}/steps/99").status_code == 404


def test_a_step_is_deleted_after_asking(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    path = journey(analyst)
    confirm = analyst.get(f"{path}/steps/3/delete")
    assert "Delete the step" in confirm.text and "for good" in confirm.text
    gone = analyst.post(f"{path}/steps/3/delete", data={"csrf": csrf(analyst, path)})
    assert gone.status_code == 303
    assert "6 contacts" in analyst.get(path).text
    with workspace.store.sessions() as session:
        from totalplace.core.store import audit as audit_store

        assert audit_store.audit_log(session, "testshire")[-1].action == "delete-journey-step"


def test_a_journey_is_deleted_and_restored(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    path = journey(analyst)
    assert analyst.post(f"{path}/delete", data={"csrf": csrf(analyst, path)}).status_code == 303
    assert analyst.get(path).status_code == 404
    assert "No journeys yet" in analyst.get(f"{P}/journeys").text
    page = analyst.get(f"{P}/deleted")
    assert "Journey: " in page.text
    number = re.search(r"/deleted/(\d+)/restore", page.text)
    assert number
    analyst.post(
        f"{P}/deleted/{number.group(1)}/restore",
        data={"csrf": csrf(analyst, path.rsplit("/", 1)[0])},
    )
    listing = analyst.get(f"{P}/journeys").text
    assert "No journeys yet" not in listing
    restored = re.search(r'/journeys/(\d+)">', listing)
    assert restored
    assert "7 contacts with 5 agencies" in analyst.get(f"{P}/journeys/{restored.group(1)}").text


def test_a_viewer_reads_journeys_without_forms(workspace: Workspace) -> None:
    path = journey(workspace.client("analyst"))
    viewer = workspace.client("viewer")
    page = viewer.get(path)
    assert page.status_code == 200 and "7 contacts" in page.text
    assert "Add a step" not in page.text and "Delete the journey" not in page.text
    assert "Start a journey here" not in viewer.get(f"{P}/journeys").text
    assert viewer.get(f"{path}/steps/1").status_code == 403
    assert viewer.post(f"{path}/delete", data={"csrf": "x"}).status_code == 403
