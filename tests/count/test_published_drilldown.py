"""The drill-down of a published count: every member reads a function by agency,
computed from the return versions the publication records, adding up to its totals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.workspace import Workspace, csrf
from totalplace.core.money import pounds_to_pence
from totalplace.core.store.db import Memo
from totalplace.count.service import publishing
from totalplace.count.service import returns as return_service
from totalplace.count.service.classifying import RuleChange, save_rules
from totalplace.count.service.published import published_function
from totalplace.count.tables import Publication

P = "/places/testshire"


def _v1(workspace: Workspace) -> Publication:
    found = publishing.publication(workspace.store, "testshire", "2009-10", 1)
    assert found is not None
    return found


def _drill(
    workspace: Workspace, publication: Publication
) -> dict[str | None, list[tuple[str, int]]]:
    return {
        row["code"]: [
            (a.agency_id, a.pence)
            for a in published_function(workspace.store, publication, row["code"]).agencies
        ]
        for row in publication.figures["by_cofog_division"]
    }


def test_functions_by_agency_add_up_to_the_publication(workspace: Workspace) -> None:
    publication = _v1(workspace)
    divisions = publication.figures["by_cofog_division"]
    assert len(divisions) > 1
    total = 0
    for row in divisions:
        function = published_function(workspace.store, publication, row["code"])
        assert function.agencies, row
        assert function.adds_up, row
        assert function.total_pence == pounds_to_pence(Decimal(str(row["gbp"])))
        total += function.total_pence
    assert total == pounds_to_pence(Decimal(str(publication.figures["total_gbp"])))
    by_agency = {
        a["agency_id"]: pounds_to_pence(Decimal(str(a["gbp"])))
        for a in publication.figures["by_agency"]
    }
    summed: dict[str, int] = {}
    for rows in _drill(workspace, publication).values():
        for agency, pence in rows:
            summed[agency] = summed.get(agency, 0) + pence
    assert summed == {a: p for a, p in by_agency.items() if p}


def test_a_newer_return_leaves_the_published_drilldown_alone(
    workspace: Workspace, tmp_path: Path
) -> None:
    publication = _v1(workspace)
    before = _drill(workspace, publication)
    ledger = tmp_path / "council.csv"
    ledger.write_text("Date,Service,Amount,COFOG\n2009-05-01,Libraries,1000000.00,08\n")
    return_service.import_return(
        "council", [ledger], "2009-10", store=workspace.store, place_id="testshire"
    )
    publishing.publish(workspace.store, "testshire", "2009-10", "lead@testshire.test")
    # Made again from the store, not read back from the cache.
    workspace.store.memo = Memo()
    assert _drill(workspace, _v1(workspace)) == before
    newer = publishing.publication(workspace.store, "testshire", "2009-10", 2)
    assert newer is not None
    assert _drill(workspace, newer) != before
    for row in newer.figures["by_cofog_division"]:
        assert published_function(workspace.store, newer, row["code"]).adds_up


def test_a_function_with_no_spending_is_empty(workspace: Workspace) -> None:
    function = published_function(workspace.store, _v1(workspace), "99")
    assert function.agencies == []
    assert function.published_pence == 0
    assert function.adds_up


def test_a_rule_changed_after_publishing_is_said_not_hidden(
    workspace: Workspace, tmp_path: Path
) -> None:
    ledger = tmp_path / "council.csv"
    ledger.write_text("Date,Service,Amount\n2009-05-01,Libraries,100.00\n")
    return_service.import_return(
        "council", [ledger], "2009-10", store=workspace.store, place_id="testshire"
    )
    newer = publishing.publish(workspace.store, "testshire", "2009-10", "lead@testshire.test")
    before = published_function(workspace.store, newer, None)
    assert before.adds_up and before.published_pence == 10000
    saved = save_rules(
        workspace.store,
        "testshire",
        [RuleChange("council", "service", "Libraries", "08.2")],
        "analyst@testshire.test",
    )
    assert saved == 1
    after = published_function(workspace.store, newer, None)
    assert not after.adds_up
    assert after.published_pence == 10000
    page = workspace.client("viewer").get(
        f"{P}/publications/2009-10/{newer.version}/functions/unclassified"
    )
    assert page.status_code == 200
    assert "classification rules have changed since this version was published" in page.text


def test_every_member_reads_the_drilldown_and_no_lines(workspace: Workspace) -> None:
    publication = _v1(workspace)
    row = next(r for r in publication.figures["by_cofog_division"] if r["code"])
    code = row["code"]
    function = published_function(workspace.store, publication, code)
    page_path = f"{P}/publications/2009-10/1/functions/{code}"
    viewer = workspace.client("viewer")
    listing = viewer.get(f"{P}/publications/2009-10/1")
    assert page_path in listing.text
    page = viewer.get(page_path)
    assert page.status_code == 200
    for agency in function.agencies:
        assert agency.name in page.text
    assert "/count/2009-10/functions" not in page.text  # no way to the live lines
    assert "adds up" not in page.text and "Warning" not in page.text
    frame = workspace.store.lines.read(str(publication.returns[0]["lines_file"]))
    descriptions = [d for d in frame["description"].drop_nulls().to_list() if len(d) > 6]
    assert descriptions
    assert not any(d in page.text for d in descriptions[:20])


def test_missing_publications_and_functions_are_not_found(workspace: Workspace) -> None:
    viewer = workspace.client("viewer")
    assert csrf(viewer, P)
    assert viewer.get(f"{P}/publications/2009-10/9/functions/07").status_code == 404
    assert viewer.get(f"{P}/publications/2009-10/1/functions/77").status_code == 404
    assert viewer.get(f"{P}/publications/2009-10/1/functions/all").status_code == 404
    assert viewer.get(f"{P}/publications/2010-11/1/functions/07").status_code == 404
    assert (
        workspace.client("outsider").get(f"{P}/publications/2009-10/1/functions/07").status_code
        == 403
    )
