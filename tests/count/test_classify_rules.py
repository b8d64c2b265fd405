"""Classification a finance team can finish: rules on any column in a stated order, an
agency default, missing values, honest suggestions, and a count that says how much is
still unclassified."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from tests.count.test_rules import lines, run
from tests.workspace import Workspace, csrf
from totalplace.core.reference import reference
from totalplace.core.store import audit as audit_store
from totalplace.core.store.db import Store
from totalplace.count.rules.classification import agency_default_suggestion, suggest
from totalplace.count.rules.count import classified
from totalplace.count.service import classifying
from totalplace.count.service.counting import count_place
from totalplace.count.service.returns import import_return, unclassified

P = "/places/testshire"


def rules(*items: tuple[str, str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [dict(zip(("agency_id", "field", "value", "cofog"), item, strict=True)) for item in items]
    )


def test_rules_apply_in_the_stated_order() -> None:
    table = rules(
        ("a", "service", "Libraries", "08.2"),
        ("a", "expense_type", "Books", "09.1"),
        ("a", "supplier", "Acme", "04.1"),
        ("a", "description", "fuel", "04.3"),
        ("a", "agency", "", "01.1"),
    )
    frame = lines(
        [
            {"agency_id": "a", "amount_pence": 1, "cofog": "07.3", "service": "Libraries"},
            {"agency_id": "a", "amount_pence": 2, "service": " libraries ", "supplier": "Acme"},
            {"agency_id": "a", "amount_pence": 3, "expense_type": "BOOKS", "supplier": "Acme"},
            {"agency_id": "a", "amount_pence": 4, "supplier": "Acme", "description": "fuel"},
            {"agency_id": "a", "amount_pence": 5, "description": "Diesel FUEL for vans"},
            {"agency_id": "a", "amount_pence": 6, "description": "refuelling"},
            {"agency_id": "b", "amount_pence": 7, "service": "Libraries"},
        ]
    )
    out = classified(frame, table).collect()
    assert out["cofog"].to_list() == ["07.3", "08.2", "09.1", "04.1", "04.3", "01.1", None]
    assert out["classified_by"].to_list() == [
        "line",
        "service",
        "expense_type",
        "supplier",
        "description",
        "agency",
        None,
    ]


def test_na_and_dash_are_missing_not_a_service() -> None:
    frame = pl.DataFrame(
        {
            "agency_id": ["a"] * 4,
            "amount_pence": [2_370_000_000, 100, 200, 300],
            "cofog": [None] * 4,
            "service": ["NA", "N/A", "-", "Parks"],
        },
        schema={
            "agency_id": pl.String,
            "amount_pence": pl.Int64,
            "cofog": pl.String,
            "service": pl.String,
        },
    )
    found = {u.service: u.pence for u in unclassified(frame, None)}
    assert found == {None: 2_370_000_300, "Parks": 300}
    # A rule for "NA" would code missing values as a service: it never matches.
    out = classified(frame.lazy(), rules(("a", "service", "NA", "01.1"))).collect()
    assert out["cofog"].to_list() == [None, None, None, None]


def test_suggestions_give_reasons_and_spelling_alone_suggests_nothing() -> None:
    ref = reference()
    assert all(s.cofog != "03.1" for s in suggest("payroll services sla", ref))
    assert suggest("NA", ref) == []
    assert all(s.reason for s in suggest("Public Health Grant", ref))
    police = agency_default_suggestion("police")
    assert police is not None and police.cofog == "03.1" and "police" in police.reason
    assert agency_default_suggestion("fire and rescue").cofog == "03.2"  # type: ignore[union-attr]
    assert agency_default_suggestion("NHS commissioner").cofog == "07"  # type: ignore[union-attr]
    assert agency_default_suggestion("unitary council") is None


def test_the_count_says_how_much_is_unclassified_and_whose() -> None:
    result = run(
        [
            {"agency_id": "a", "amount_pence": 300, "cofog": "07.3"},
            {"agency_id": "b", "amount_pence": 100},
        ]
    )
    assert result.unclassified_pence == 100
    assert result.unclassified_share == Decimal("0.25")
    assert [(a.key, a.pence) for a in result.unclassified_by_agency] == [("b", 100)]
    figures = result.to_json()
    assert figures["unclassified_gbp"] == Decimal("1.00")
    assert figures["unclassified_by_agency"] == [
        {"agency_id": "b", "gbp": Decimal("1.00"), "label": "B"}
    ]


def police_ledger(folder: Path) -> Path:
    """A police ledger as published: no service column at all."""
    path = folder / "police.csv"
    path.write_text(
        "Date,Supplier,Expense Type,Amount\n"
        "01/05/2010,Vehicle Hire Ltd,Transport,1000.00\n"
        "02/05/2010,Payroll Bureau,Payroll services sla,2500.00\n"
        "03/05/2010,Vehicle Hire Ltd,Transport,-250.00\n",
        encoding="utf-8",
    )
    return path


def test_an_agency_default_classifies_a_ledger_with_no_service_column(
    workspace: Workspace, tmp_path: Path
) -> None:
    store = workspace.store
    import_return("police", [police_ledger(tmp_path)], "2010-11", store=store, place_id="testshire")
    before = count_place("testshire", "2010-11", store=store)
    # The police serve a quarter of the place: £3,250 of ledger is £812.50 of count.
    assert before.unclassified_pence == 81_250
    lead = workspace.client("lead")
    page = lead.get(f"{P}/classify?year=2010-11")
    assert page.status_code == 200
    assert "Every service name" not in page.text
    assert "has no function yet" in page.text
    assert "Suggested: 03.1 Police services" in page.text
    assert "the agency is a police" in page.text
    saved = lead.post(
        f"{P}/classify/default",
        data={
            "csrf": csrf(lead, f"{P}/classify?year=2010-11"),
            "year": "2010-11",
            "agency_id": "police",
            "cofog": "03.1",
        },
    )
    assert saved.status_code == 303
    after = count_place("testshire", "2010-11", store=store)
    assert after.unclassified_pence == 0 and after.unclassified_by_agency == []
    assert "0.0% unclassified" in lead.get(f"{P}/classify?year=2010-11").text
    groups = {g.key: g.pence for g in after.by_cofog_group}
    assert groups["03.1"] >= 81_250
    lines = lead.get(f"{P}/count/2010-11/functions/03/agencies/police").text
    assert "by the agency default" in lines  # each line says what coded it
    with store.sessions() as session:
        actions = [e.action for e in audit_store.audit_log(session, "testshire")]
    assert "classify" in actions


def test_bulk_coding_paging_search_change_and_delete(workspace: Workspace, tmp_path: Path) -> None:
    store = workspace.store
    ledger = tmp_path / "council.csv"
    rows = [f"Cost centre {n:03d},{1000 + n}.00" for n in range(120)]
    ledger.write_text("Service Area,Amount\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_return("council", [ledger], "2011-12", store=store, place_id="testshire")
    view = classifying.classify_view(store, "testshire", "2011-12")
    assert view.row_count == 120 and view.pages == 3 and len(view.rows) == 50
    assert view.rows[0].value == "Cost centre 119"  # biggest first
    searched = classifying.classify_view(store, "testshire", "2011-12", search="centre 00")
    assert [r.value for r in searched.rows] == [f"Cost centre 00{n}" for n in range(9, -1, -1)]

    lead = workspace.client("lead")
    where = f"{P}/classify?year=2011-12&page=2"
    page = lead.get(where)
    assert 'aria-current="page">2<' in page.text
    assert "hx-trigger" not in page.text and "hx-post" not in page.text
    # No select starts on a code: "Not yet" is first, so a stray key press saves nothing.
    assert '<option value="">Not yet</option>' in page.text
    form: dict[str, object] = {
        "csrf": csrf(lead, where),
        "year": "2011-12",
        "page": "2",
        "field": "service",
        "bulk_cofog": "08.2",
        "tick": ["1", "2", "3"],
    }
    form["row"] = ["1", "2", "3", "4"]
    for number, value in enumerate(
        ["Cost centre 069", "Cost centre 068", "Cost centre 067", "Cost centre 066"], start=1
    ):
        form[f"agency_id:{number}"] = "council"
        form[f"value:{number}"] = value
    form["cofog:4"] = "04.5"
    saved = lead.post(f"{P}/classify", data=form)  # type: ignore[arg-type]
    assert saved.status_code == 303 and "saved=4" in saved.headers["location"]
    assert "4 rules saved" in lead.get(saved.headers["location"]).text
    view = classifying.classify_view(store, "testshire", "2011-12")
    assert view.row_count == 116
    coded = {r.value: r.cofog for r in view.rules if r.agency_id == "council"}
    assert coded["Cost centre 069"] == "08.2" and coded["Cost centre 066"] == "04.5"

    # Changed, then deleted: both in the audit log.
    changed = dict(form, row=["1"], tick=[], bulk_cofog="", **{"cofog:1": "08.1"})
    lead.post(f"{P}/classify", data=changed)  # type: ignore[arg-type]
    view = classifying.classify_view(store, "testshire", "2011-12")
    assert {r.value: r.cofog for r in view.rules}["Cost centre 069"] == "08.1"
    gone = lead.post(
        f"{P}/classify/rules/delete",
        data={
            "csrf": csrf(lead, where),
            "year": "2011-12",
            "agency_id": "council",
            "field": "service",
            "value": "Cost centre 069",
        },
    )
    assert gone.status_code == 303
    view = classifying.classify_view(store, "testshire", "2011-12")
    assert "Cost centre 069" not in {r.value for r in view.rules}
    assert view.row_count == 117
    with store.sessions() as session:
        actions = [e.action for e in audit_store.audit_log(session, "testshire")]
    assert "delete-classification-rule" in actions


def test_a_bad_code_is_refused_with_a_reason(workspace: Workspace) -> None:
    lead = workspace.client("lead")
    where = f"{P}/classify?year=2009-10"
    refused = lead.post(
        f"{P}/classify",
        data={
            "csrf": csrf(lead, where),
            "year": "2009-10",
            "field": "service",
            "row": "1",
            "agency_id:1": "council",
            "value:1": "Parks",
            "cofog:1": "99",
        },
    )
    assert refused.status_code == 400
    assert "is not one" in refused.text
    nothing = lead.post(f"{P}/classify", data={"csrf": csrf(lead, where), "year": "2009-10"})
    assert nothing.status_code == 400 and "Choose a COFOG code" in nothing.text


@pytest.mark.parametrize("agency_type", ["police", "fire and rescue", "NHS commissioner"])
def test_every_suggested_default_is_a_real_code(agency_type: str) -> None:
    suggestion = agency_default_suggestion(agency_type)
    assert suggestion is not None and suggestion.cofog in reference().cofog


def test_store_rule_rejects_unknown_columns(workspace: Workspace) -> None:
    store: Store = workspace.store
    with pytest.raises(classifying.RuleError, match="not a column"):
        classifying.save_rules(
            store, "testshire", [classifying.RuleChange("council", "colour", "red", "01")], "x"
        )


def test_the_task_list_is_not_done_while_any_amount_is_unclassified(
    workspace: Workspace, tmp_path: Path
) -> None:
    store = workspace.store
    import_return("police", [police_ledger(tmp_path)], "2010-11", store=store, place_id="testshire")
    lead = workspace.client("lead")
    page = lead.get(f"{P}?year=2010-11").text
    task = page[page.index("Classify spending by function") :][:600]
    assert "% unclassified)" in task and "0.0% unclassified" not in task
    assert "Incomplete" in task
    classifying.save_rules(
        store, "testshire", [classifying.RuleChange("police", "agency", "", "03.1")], "lead"
    )
    page = lead.get(f"{P}?year=2010-11").text
    task = page[page.index("Classify spending by function") :][:600]
    assert "(0.0% unclassified)" in task and "Completed" in task


def test_a_rules_file_may_name_the_column_and_an_agency_default(
    workspace: Workspace, tmp_path: Path
) -> None:
    from totalplace.core.problems import ImportRejected
    from totalplace.count.service.returns import classify

    store = workspace.store
    import_return("police", [police_ledger(tmp_path)], "2010-11", store=store, place_id="testshire")
    rules_file = tmp_path / "rules.csv"
    rules_file.write_text("field,service,cofog\nsupplier,vehicle hire ltd,04.5\nagency,,03.1\n")
    assert classify("police", rules_file, store=store, place_id="testshire") == 2
    groups = {
        g.key: g.pence for g in count_place("testshire", "2010-11", store=store).by_cofog_group
    }
    assert groups["04.5"] == 18_750 and groups["03.1"] == 62_500  # a quarter of each
    bad = tmp_path / "bad.csv"
    bad.write_text("field,service,cofog\ncolour,red,01\n")
    with pytest.raises(ImportRejected) as caught:
        classify("police", bad, store=store, place_id="testshire")
    assert caught.value.problems[0].code == "bad-rule-field"
