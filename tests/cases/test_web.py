"""Invest to save in the workspace: cases added, appraised, and their savings shared."""

from __future__ import annotations

import json
import re

from tests.helpers import DATA
from tests.workspace import Workspace, csrf

P = "/places/testshire"
CASES = DATA / "cases"


def case_text(name: str) -> str:
    """A case file of the tests, naming Testshire's own agencies (its NHS is the PCT)."""
    return (CASES / name).read_text().replace('"nhs"', '"pct"')


def add(client: object, content: bytes, name: str = "case.json") -> object:
    return client.post(
        f"{P}/cases",
        data={"csrf": csrf(client, f"{P}/cases")},  # type: ignore[attr-defined]
        files={"file": (name, content, "application/json")},
    )


def test_add_appraise_and_share(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    two = json.loads(case_text("two_cases.json"))["cases"]
    first = add(analyst, json.dumps(two[0]).encode())
    assert first.status_code == 303  # type: ignore[attr-defined]
    page = analyst.get(first.headers["location"])  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert re.search(r'id="npv">£80,602\.\d\d<', page.text)
    assert "Who pays, who saves" in page.text
    add(analyst, json.dumps(two[1]).encode())
    listing = analyst.get(f"{P}/cases")
    assert "Family support" in listing.text and "Drug treatment in custody" in listing.text
    # The old sharing page leads to the one that counts only the cases the pool runs.
    moved = analyst.get(f"{P}/cases/shares")
    assert moved.status_code == 303 and moved.headers["location"] == f"{P}/sharing"
    shares = analyst.get(f"{P}/sharing")
    assert shares.status_code == 200
    assert "£100,643.0" in shares.text  # the pooled saving, as derived by hand in the tests
    for rule in ("Shapley", "Nucleolus", "Proportional", "Equal", "Cost follows benefit"):
        assert rule in shares.text
    with workspace.store.sessions() as session:
        from totalplace.core.store import audit as audit_store

        assert [e.action for e in audit_store.audit_log(session, "testshire")][-2:] == [
            "add-case",
            "add-case",
        ]


def test_a_bad_case_file_is_refused_with_its_field(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    bad = {
        "name": "x",
        "first_year": "2025-26",
        "costs": [{"agency": "a", "year": 0, "amount": -1}],
    }
    response = add(analyst, json.dumps(bad).encode())
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "costs[0].amount" in response.text  # type: ignore[attr-defined]
    assert "No cases yet" in response.text  # type: ignore[attr-defined]
    assert add(analyst, b"{not json").status_code == 400  # type: ignore[attr-defined]


def test_cases_are_read_by_viewers_and_made_by_analysts(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    made = add(analyst, case_text("family_support.json").encode())
    path = made.headers["location"]  # type: ignore[attr-defined]
    assert workspace.client("contributor").get(path).status_code == 200
    assert workspace.client("viewer").get(path).status_code == 200
    assert workspace.client("viewer").get(f"{path}/edit").status_code == 403
    assert workspace.client("lead").get(path).status_code == 200
    missing = analyst.get(f"{P}/cases/999")
    assert missing.status_code == 404
    assert "There is no business case 999 in this place" in missing.text


def test_a_case_cites_quotes_from_a_learning_history(workspace: Workspace) -> None:
    analyst = workspace.client("analyst")
    analyst.post(
        f"{P}/history",
        data={"csrf": csrf(analyst, f"{P}/history"), "project": "pilot", "kind": "report"},
        files={"file": ("r.txt", (DATA / "history" / "report_extract.txt").read_bytes())},
    )
    spec = json.loads(case_text("family_support.json"))
    wrong = add(
        analyst, json.dumps({**spec, "evidence": [{"history": "pilot", "quote": "q99"}]}).encode()
    )
    assert wrong.status_code == 400  # type: ignore[attr-defined]
    assert "evidence[0].quote" in wrong.text  # type: ignore[attr-defined]
    made = add(
        analyst, json.dumps({**spec, "evidence": [{"history": "pilot", "quote": "q4"}]}).encode()
    )
    page = analyst.get(made.headers["location"])  # type: ignore[attr-defined]
    assert "In people's own words" in page.text
    assert "The barriers are national." in page.text and "Senior Civil Servant" in page.text


def test_the_old_sharing_page_leads_members_to_the_new_one(workspace: Workspace) -> None:
    for who in ("lead", "analyst", "contributor", "viewer"):
        moved = workspace.client(who).get(f"{P}/cases/shares")
        assert moved.status_code == 303, who
        assert moved.headers["location"] == f"{P}/sharing", who
    assert workspace.client("outsider").get(f"{P}/cases/shares").status_code == 403
    signed_out = workspace.client().get(f"{P}/cases/shares")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
