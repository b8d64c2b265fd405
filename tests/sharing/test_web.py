"""The sharing page: every member sees where each agency stands if the place's cases are
pooled; a case naming an agency the place does not have is refused, naming it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.workspace import Workspace
from totalplace.cases.service import cases as case_service
from totalplace.core.problems import ImportRejected
from totalplace.places.service.packages import export_package, import_package
from totalplace.sharing.service import place_shares

P = "/places/testshire"
# The handmade place's agencies: council, pct, police, dwp.
FAMILY = {
    "name": "Family support",
    "first_year": "2025-26",
    "discount_rate": 0.0,
    "costs": [{"agency": "council", "year": 0, "amount": 100000}],
    "benefits": [
        {"agency": "pct", "year": 1, "amount": 120000},
        {"agency": "police", "year": 1, "amount": 30000},
    ],
}
# Costs more than it saves: the pool does not run it, so the DWP's saving counts for no one.
ADVICE = {
    "name": "Custody advice",
    "first_year": "2025-26",
    "discount_rate": 0.0,
    "costs": [{"agency": "police", "year": 0, "amount": 50000}],
    "benefits": [{"agency": "dwp", "year": 1, "amount": 20000}],
}


def add(workspace: Workspace, case: dict[str, object]) -> int:
    return case_service.add_case(
        workspace.store, "testshire", json.dumps(case).encode(), "case.json", "lead@testshire.test"
    )


def test_only_the_cases_the_pool_runs_count(workspace: Workspace) -> None:
    add(workspace, FAMILY)
    add(workspace, ADVICE)
    shares = place_shares(workspace.store, "testshire")
    assert shares.run == ["Family support"] and shares.not_run == ["Custody advice"]
    assert shares.total == pytest.approx(50_000)
    where = {p.agency: p for p in shares.positions["shapley"]}
    assert where["dwp"].benefits == 0 and where["dwp"].share == pytest.approx(0)
    assert where["police"].costs == 0  # it pays only for the case nobody runs
    assert where["council"].costs == pytest.approx(100_000)
    assert sum(p.share for p in where.values()) == pytest.approx(50_000)
    assert sum(p.contribution for p in where.values()) == pytest.approx(0, abs=1e-6)


def test_a_viewer_reads_costs_benefits_contribution_and_net(workspace: Workspace) -> None:
    add(workspace, FAMILY)
    add(workspace, ADVICE)
    page = workspace.client("viewer").get(f"{P}/sharing")
    assert page.status_code == 200
    text = page.text
    assert "Testshire Primary Care Trust" in text  # agencies by name, not id
    for heading in ("Its costs", "Its benefits", "Its own net", "Puts in", "Net position"):
        assert heading in text
    assert "Custody advice: not run" in text
    assert "Estimates: present values" in text
    # The council pays £100,000 and, under Shapley, is paid back its cost and its share.
    table = text.split('id="positions-shapley"')[1].split("</table>")[0]
    council = re.search(r"Testshire Council</th>(.*?)</tr>", table)
    assert council is not None
    assert [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", council[1])][
        :3
    ] == ["£100,000.00", "£0.00", "-£100,000.00"]
    assert "<form" not in text.split("<main")[1]  # read-only: nothing to change here


def test_a_case_naming_an_agency_the_place_lacks_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    add(workspace, FAMILY)
    typo = {**ADVICE, "benefits": [{"agency": "lancs-county", "year": 1, "amount": 90000}]}
    # Added from a file or the form, the typo is refused on its field at once.
    with pytest.raises(ImportRejected) as refused:
        add(workspace, typo)
    assert "'lancs-county' is not an agency of this place" in str(refused.value)
    # A case can still reach the place inside a whole place data package; sharing refuses
    # it there too, rather than give the unknown agency a share.
    folder = export_package("testshire", tmp_path / "package", store=workspace.store)
    stored = json.loads((folder / "business_cases.json").read_text())
    stored.append({**stored[0], "name": "Custody advice", "spec": typo})
    (folder / "business_cases.json").write_text(json.dumps(stored))
    import_package(folder, store=workspace.store, replace=True)
    with pytest.raises(ImportRejected) as caught:
        place_shares(workspace.store, "testshire")
    [problem] = caught.value.problems
    assert problem.code == "unknown-agency"
    assert "'lancs-county'" in problem.message and "'Custody advice'" in problem.message
    page = workspace.client("analyst").get(f"{P}/sharing")
    assert page.status_code == 409
    assert "lancs-county" in page.text and "govuk-error-summary" in page.text
    assert 'id="shares"' not in page.text  # no agency is given a share


def test_no_cases_yet(workspace: Workspace) -> None:
    page = workspace.client("contributor").get(f"{P}/sharing")
    assert page.status_code == 200 and "There are no business cases yet" in page.text
