"""A cost-of-failure model built in the page, its transition tables field by field; it
downloads as a file that uploads to the same model, and the form reads a stored model."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import DATA
from tests.workspace import Workspace, csrf
from totalplace.models.files import ModelSpec
from totalplace.models.service import form as model_form

P = "/places/testshire"
SHAPE = {
    "name": "Back to work",
    "states": "in work, out of work",
    "agencies": "dwp, council",
    "strategies": "today, with support",
    "cycles": "5",
    "discount_costs": "3.5",
    "discount_outcomes": "3.5",
}
TABLES = {
    "start-1": "1",
    "cost-1-0": "5000",
    "cost-1-1": "800",
    "outcome": "years_in_work",
    "outcome-0": "1",
    "parameters": "help = 2",
    "s0-phases": "1",
    "s0-p0-0-0": "C",
    "s0-p0-0-1": "0.1",
    "s0-p0-1-0": "0.2",
    "s0-p0-1-1": "C",
    "s1-phases": "1",
    "s1-p0-0-0": "C",
    "s1-p0-0-1": "0.05",
    "s1-p0-1-0": "0.2 * help",
    "s1-p0-1-1": "C",
}


def post(client: Any, data: dict[str, str], path: str = f"{P}/models/new") -> Any:
    return client.post(path, data={"csrf": csrf(client, f"{P}/models/new"), **data})


def test_a_model_built_in_the_page_runs_and_round_trips(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    laid_out = post(analyst, {**SHAPE, "more": "shape"})
    assert laid_out.status_code == 200
    assert 'id="s1-p0-1-0"' in laid_out.text and "from out of work to in work" in laid_out.text
    made = post(analyst, {**SHAPE, **TABLES})
    assert made.status_code == 303, made.text
    page = analyst.get(made.headers["location"])
    assert "Back to work" in page.text and "With support against today" in page.text
    assert "cost-per-years_in_work" in page.text
    download = analyst.get(f"{made.headers['location']}.json")
    spec = json.loads(download.content)
    assert spec["states"] == ["in work", "out of work"]
    assert spec["strategies"][1]["phases"][0]["matrix"][1] == ["0.2 * help", "C"]
    assert spec["costs"] == {"out of work": {"dwp": 5000.0, "council": 800.0}}
    again = analyst.post(
        f"{P}/models",
        data={"csrf": csrf(analyst, f"{P}/models")},
        files={"file": ("again.json", download.content)},
    )
    assert again.status_code == 303
    assert json.loads(analyst.get(f"{again.headers['location']}.json").content) == spec


def test_each_wrong_cell_gets_its_own_message(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    wrong = post(analyst, {**SHAPE, **TABLES, "s0-p0-1-1": "0.5", "cycles": "many", "name": ""})
    assert wrong.status_code == 400
    assert 'href="#cycles">enter a whole number' in wrong.text
    assert 'href="#name">enter the name of the model' in wrong.text
    fixed = post(analyst, {**SHAPE, **TABLES, "s0-p0-1-1": "0.5"})
    assert fixed.status_code == 400
    assert 'href="#s0-p0-1-0">the row from &#39;out of work&#39; does not add up to 1' in fixed.text
    assert 'id="s0-p0-1-0-error"' in fixed.text
    unknown = post(analyst, {**SHAPE, **TABLES, "s1-p0-1-0": "0.2 * nothing"})
    assert unknown.status_code == 400 and "nothing" in unknown.text


def test_a_phase_is_added_and_a_model_changed(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    more = post(analyst, {**SHAPE, **TABLES, "more": "phase-1"})
    assert 'id="s1-p1-0-0"' in more.text and "Phase 2" in more.text
    made = post(
        analyst,
        {
            **SHAPE,
            **TABLES,
            "s1-phases": "2",
            "s1-p0-until": "2",
            **{f"s1-p1-{i}-{j}": TABLES[f"s0-p0-{i}-{j}"] for i in range(2) for j in range(2)},
        },
    )
    assert made.status_code == 303, made.text
    path = made.headers["location"]
    edit = analyst.get(f"{path}/edit")
    assert 'id="s1-p0-until" name="s1-p0-until" type="text" value="2"' in edit.text
    changed = post(analyst, {**SHAPE, **TABLES, "name": "Back to work, again"}, f"{path}/edit")
    assert changed.status_code == 303
    assert "Back to work, again" in analyst.get(f"{P}/models").text
    assert workspace.client("viewer").get(f"{path}/edit").status_code == 403


def test_the_form_reads_a_published_model_and_writes_it_back() -> None:
    spec = ModelSpec.model_validate(
        json.loads((DATA / "models" / "hiv_chancellor_1997.json").read_text())
    )
    state = model_form.from_spec(spec)
    again = model_form.to_spec(state)
    assert again is not None, state.errors
    assert again.model_dump() == spec.model_dump()
