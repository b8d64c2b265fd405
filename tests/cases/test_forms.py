"""A business case built and changed in the page, field by field; downloaded, it uploads
to the same case; deleted, it can be restored."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import DATA
from tests.workspace import Workspace, csrf
from totalplace.cases.files import CaseSpec
from totalplace.cases.service import form as case_form

P = "/places/testshire"
FAMILY = {
    "name": "Intensive family support",
    "description": "A team for families in crisis.",
    "first_year": "2025-26",
    "discount_rate": "",
    "optimism_bias": "20",
    "deadweight": "10",
    "costs-0-agency": "council",
    "costs-0-from": "0",
    "costs-0-to": "0",
    "costs-0-amount": "100,000",
    "benefits-0-agency": "pct",
    "benefits-0-from": "1",
    "benefits-0-to": "5",
    "benefits-0-amount": "£30000",
    "benefits-0-flag": "yes",
    "inputs-0-input": "benefits:pct",
    "inputs-0-distribution": "triangular",
    "inputs-0-parameters": "low 0.8, mode 1, high 1.1",
    "draws": "1000",
    "seed": "7",
}


def post(client: Any, path: str, data: dict[str, str]) -> Any:
    return client.post(path, data={"csrf": csrf(client, f"{P}/cases/new"), **data})


def test_a_case_built_in_the_page_is_appraised_and_round_trips(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    made = post(analyst, f"{P}/cases/new", FAMILY)
    assert made.status_code == 303, made.text
    page = analyst.get(made.headers["location"])
    assert "Intensive family support" in page.text and "How sure is it?" in page.text
    number = int(made.headers["location"].rsplit("/", 1)[1])
    download = analyst.get(f"{P}/cases/{number}.json")
    assert download.headers["content-type"] == "application/json"
    spec = json.loads(download.content)
    assert spec["costs"] == [
        {"agency": "council", "year": 0, "amount": 100000.0, "capital": False, "cashable": True}
    ]
    assert spec["benefits"][0]["from"] == 1 and spec["benefits"][0]["to"] == 5
    assert spec["adjustments"]["optimism_bias"] == 0.2
    assert spec["uncertainty"]["inputs"]["benefits:pct"] == {
        "distribution": "triangular",
        "low": 0.8,
        "mode": 1.0,
        "high": 1.1,
    }
    # Uploaded again, the file makes the same case.
    again = analyst.post(
        f"{P}/cases",
        data={"csrf": csrf(analyst, f"{P}/cases")},
        files={"file": ("case.json", download.content, "application/json")},
    )
    assert again.status_code == 303
    second = int(again.headers["location"].rsplit("/", 1)[1])
    assert json.loads(analyst.get(f"{P}/cases/{second}.json").content) == spec
    # And the edit form shows what was built.
    edit = analyst.get(f"{P}/cases/{number}/edit")
    assert 'value="Intensive family support"' in edit.text
    assert 'id="optimism_bias" name="optimism_bias" type="text" value="20"' in edit.text
    assert 'value="low 0.8, mode 1, high 1.1"' in edit.text


def test_each_wrong_field_gets_its_own_message(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    wrong = {
        **FAMILY,
        "name": "",
        "first_year": "2025",
        "costs-0-amount": "lots",
        "benefits-0-agency": "lancs-county",
        "benefits-0-to": "",
        "inputs-0-parameters": "low 0.8",
    }
    page = post(analyst, f"{P}/cases/new", wrong)
    assert page.status_code == 400
    assert "<title>Error: " in page.text
    assert 'href="#costs-0-amount">enter a number' in page.text
    assert 'href="#inputs-0-parameters">give low, mode, high; missing mode, high' in page.text
    assert 'id="costs-0-amount-error"' in page.text
    assert 'value="lots"' in page.text  # what was typed is kept
    # Once the numbers are right, the case's own checks speak, on their fields.
    fixed = {**wrong, "costs-0-amount": "100", "inputs-0-parameters": "0.8, 1, 1.1"}
    page = post(analyst, f"{P}/cases/new", fixed)
    assert page.status_code == 400
    assert 'href="#name"' in page.text and 'href="#first_year"' in page.text
    fixed["name"], fixed["first_year"] = "Named", "2025-26"
    page = post(analyst, f"{P}/cases/new", fixed)
    assert page.status_code == 400
    assert "&#39;lancs-county&#39; is not an agency of this place" in page.text
    assert 'href="#benefits-0-agency"' in page.text


def test_another_line_is_offered_without_saving(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    page = post(analyst, f"{P}/cases/new", {**FAMILY, "more": "costs"})
    assert page.status_code == 200
    assert 'id="costs-1-agency"' in page.text
    assert "No cases yet" in analyst.get(f"{P}/cases").text


def test_a_case_is_changed_and_audited(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    made = post(analyst, f"{P}/cases/new", FAMILY)
    number = made.headers["location"].rsplit("/", 1)[1]
    changed = post(analyst, f"{P}/cases/{number}/edit", {**FAMILY, "name": "Family support 2"})
    assert changed.status_code == 303
    assert "Family support 2" in analyst.get(f"{P}/cases").text
    with workspace.store.sessions() as session:
        from totalplace.core.store import audit as audit_store

        actions = [e.action for e in audit_store.audit_log(session, "testshire")]
    assert actions[-2:] == ["add-case", "edit-case"]


def test_several_cases_in_one_file_are_added(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    two = (DATA / "cases" / "two_cases.json").read_text().replace('"nhs"', '"pct"')
    response = analyst.post(
        f"{P}/cases",
        data={"csrf": csrf(analyst, f"{P}/cases")},
        files={"file": ("two_cases.json", two.encode(), "application/json")},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{P}/cases"
    listing = analyst.get(f"{P}/cases").text
    assert "Family support" in listing and "Drug treatment in custody" in listing


def test_an_agency_not_of_the_place_is_named_in_a_file_of_several(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    two = json.loads((DATA / "cases" / "two_cases.json").read_text())
    two["cases"][1]["benefits"][0]["agency"] = "lancs-county"
    text = json.dumps(two).replace('"nhs"', '"pct"')
    response = analyst.post(
        f"{P}/cases",
        data={"csrf": csrf(analyst, f"{P}/cases")},
        files={"file": ("two.json", text.encode(), "application/json")},
    )
    assert response.status_code == 400
    assert "cases[1].benefits[0].agency" in response.text
    assert "is not an agency of this place" in response.text
    assert "No cases yet" in response.text


def test_delete_asks_first_then_restores(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    made = post(analyst, f"{P}/cases/new", FAMILY)
    path = made.headers["location"]
    confirm = analyst.get(f"{path}/delete")
    assert "Delete the business case “Intensive family support”?" in confirm.text
    gone = analyst.post(f"{path}/delete", data={"csrf": csrf(analyst, f"{path}/delete")})
    assert gone.status_code == 303 and gone.headers["location"] == f"{P}/deleted"
    assert analyst.get(path).status_code == 404
    bin_page = analyst.get(f"{P}/deleted")
    assert "Business case: Intensive family support" in bin_page.text
    number = re.search(r"/deleted/(\d+)/restore", bin_page.text)
    assert number
    back = analyst.post(
        f"{P}/deleted/{number.group(1)}/restore", data={"csrf": csrf(analyst, f"{P}/deleted")}
    )
    assert back.status_code == 200
    assert "Intensive family support is back where it was" in back.text
    assert "Nothing was deleted in the last 30 days" in back.text
    listing = analyst.get(f"{P}/cases").text
    assert "Intensive family support" in listing
    with workspace.store.sessions() as session:
        from totalplace.core.store import audit as audit_store

        actions = [e.action for e in audit_store.audit_log(session, "testshire")]
    assert actions[-2:] == ["delete-record", "restore-record"]
    # Restoring twice is refused: it is no longer in the bin.
    twice = analyst.post(
        f"{P}/deleted/{number.group(1)}/restore", data={"csrf": csrf(analyst, f"{P}/deleted")}
    )
    assert twice.status_code == 404


def test_a_viewer_reads_cases_without_changing_them(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    path = post(analyst, f"{P}/cases/new", FAMILY).headers["location"]
    viewer = workspace.client("viewer")
    page = viewer.get(path)
    assert page.status_code == 200 and "Who pays, who saves" in page.text
    assert "Change the case" not in page.text and "Delete the case" not in page.text
    listing = viewer.get(f"{P}/cases")
    assert "Build a case in the page" not in listing.text
    assert "analyst@testshire.test" not in listing.text
    assert viewer.get(f"{path}/edit").status_code == 403
    assert viewer.get(f"{path}.json").status_code == 200


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    amount=amounts,
    first=st.integers(0, 30),
    length=st.integers(0, 10),
    bias=st.decimals(min_value=0, max_value=500, places=1),
)
def test_form_and_spec_agree_both_ways(amount: Any, first: int, length: int, bias: Any) -> None:
    values = {
        "name": "x",
        "first_year": "2025-26",
        "optimism_bias": str(bias),
        "costs-0-agency": "council",
        "costs-0-from": str(first),
        "costs-0-to": str(first + length),
        "costs-0-amount": str(amount),
    }
    spec = case_form.to_spec(case_form.submitted(values))
    assert spec is not None
    again = case_form.to_spec(case_form.from_spec(spec))
    assert again is not None
    assert again.model_dump() == spec.model_dump()
    assert CaseSpec.model_validate(json.loads(spec.model_dump_json(by_alias=True))) == spec
