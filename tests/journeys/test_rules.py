"""Journeys: what a citizen's path costs each agency, and the unit costs that price it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import DATA, cli, exact_json
from totalplace.core.problems import ImportRejected
from totalplace.core.reference import gdp_deflator
from totalplace.journeys.files.journeys import read_journeys, write_journeys
from totalplace.journeys.files.swimlane import swimlane_svg
from totalplace.journeys.files.unitcosts import unit_costs
from totalplace.journeys.rules.journeys import summarise
from totalplace.journeys.rules.unitcosts import PriceYearError, uprate

LEAVER = DATA / "journeys" / "prison_leaver.csv"


def journeys(path: Path, price_year: str | None = None):  # type: ignore[no-untyped-def]
    return read_journeys(path, unit_costs(), gdp_deflator(), price_year)


def test_a_prison_leavers_journey_by_hand() -> None:
    (journey,) = journeys(LEAVER)
    summary = summarise(journey)
    assert summary.contacts == 7
    assert summary.agencies == 5
    assert summary.hand_offs == 6  # every step is with another agency than the last
    assert summary.dead_ends == 1  # the first benefit claim, dropped
    assert summary.loops == 1  # the second benefit claim
    assert summary.days == 45  # 1 April to 6 May, then a 10-day wait
    assert summary.waiting_days == 50
    # NHS: emergency department £367.49 + substance misuse team £157.01 (NCC 2024/25).
    assert summary.cost_by_agency["NHS"] == pytest.approx(367.49 + 157.01)
    assert summary.cost_gbp == pytest.approx(250 + 180 + 420 + 367.49 + 180 + 95 + 157.01)
    assert summary.annual_cost_by_agency["DWP/Jobcentre Plus"] == pytest.approx(360 * 120)


def test_names_never_survive_reading() -> None:
    (journey,) = journeys(LEAVER)
    assert journey.person.startswith("person-") and "Jane" not in journey.person
    assert journey.person == journeys(LEAVER)[0].person  # the same pseudonym each time


def test_export_is_pseudonymised_and_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    write_journeys(journeys(LEAVER), out)
    text = out.read_text()
    assert "Jane" not in text and "2025-04" not in text
    (again,) = journeys(out)
    assert summarise(again).cost_gbp == pytest.approx(summarise(journeys(LEAVER)[0]).cost_gbp)


def test_uprating_with_the_gdp_deflator() -> None:
    deflator = gdp_deflator()
    # Index 163.677656 (2009-10) to 178.383195 (2013-14): x 1.0898445.
    assert uprate(1000.0, "2009-10", "2013-14", deflator) == pytest.approx(1089.8445, abs=0.001)
    with pytest.raises(PriceYearError, match="runs from 1989-90 to 2017-18"):
        uprate(100.0, "2013-14", "2024-25", deflator)


def test_steps_in_older_prices_are_uprated(tmp_path: Path) -> None:
    path = tmp_path / "j.csv"
    path.write_text(
        "journey_id,person,step,agency,service,day,outcome,cost_gbp,price_year\n"
        "a,X,1,Police,Arrest,0,referred,1000,2009-10\n"
        "a,X,2,Court,Hearing,30,resolved,500,2013-14\n"
    )
    (journey,) = journeys(path)
    assert journey.price_year == "2013-14"
    assert summarise(journey).cost_by_agency["Police"] == pytest.approx(1089.8445, abs=0.001)


def test_bad_journey_files_name_the_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "j.csv"
    path.write_text(
        "journey_id,person,step,agency,service,day,outcome,unit_cost_id\n"
        "a,X,1,NHS,A&E,0,resolved,ncc-nope\n"
        "a,X,2,NHS,A&E,3,lost,ncc-emergency-care-VB07Z\n"
    )
    with pytest.raises(ImportRejected) as caught:
        journeys(path)
    found = [(p.row, p.column) for p in caught.value.problems]
    assert found == [(2, "unit_cost_id"), (3, "outcome")]
    path.write_text("journey_id,step,agency\na,1,NHS\n")
    with pytest.raises(ImportRejected) as missing:
        journeys(path)
    assert {p.column for p in missing.value.problems} >= {"person", "service", "outcome"}
    # Journeys have no column mapping, so the fix must not point to one.
    assert all("--mapping" not in p.how_to_fix for p in missing.value.problems)
    assert any("cost_gbp" in p.how_to_fix for p in missing.value.problems)


def test_swimlane_escapes_and_describes() -> None:
    (journey,) = journeys(LEAVER)
    svg = swimlane_svg(journey)
    assert svg.startswith("<svg") and "7 contacts with 5 agencies" in svg
    assert "Council housing options" in svg
    assert "<script" not in swimlane_svg(
        journey.__class__(
            "x",
            "person-1",
            [journey.steps[0].__class__(1, "<script>", "s", "", 0, 0, "resolved", 1.0)],
        )
    )


def test_cli() -> None:
    body = exact_json(cli("journey", "summary", str(LEAVER), "--json").stdout)
    assert body[0]["contacts"] == 7 and body[0]["cohort_per_year"] == 120
    found = exact_json(cli("unitcost", "search", "substance misuse", "--json").stdout)
    assert any(u["unit_cost_id"] == "ncc-mental-health-care-contact-D01" for u in found)
    refused = cli("unitcost", "uprate", "100", "--from", "2013-14", "--to", "2024-25", check=False)
    assert refused.returncode == 1 and "2017-18" in refused.stderr


def test_a_place_adds_its_own_unit_costs(tmp_path: Path) -> None:
    own = tmp_path / "own.csv"
    own.write_text(
        "unit_cost_id,item,unit,cost_gbp,agency_type,price_year,source\n"
        "police-arrest,Arrest,per arrest,1000,police,2009-10,GMCA UCD\n"
    )
    steps = tmp_path / "j.csv"
    steps.write_text(
        "journey_id,person,step,agency,service,day,outcome,unit_cost_id,quantity,"
        "cost_gbp,price_year\n"
        "a,X,1,Police,Arrest,0,referred,police-arrest,2,,\n"
        "a,X,2,Court,Hearing,9,resolved,,,500,2013-14\n"
    )
    body = exact_json(
        cli("journey", "summary", str(steps), "--unit-costs", str(own), "--json").stdout
    )
    # Two arrests at £1,000 in 2009-10 prices, uprated to 2013-14: x 1.0898445.
    assert float(body[0]["cost_by_agency"]["Police"]) == pytest.approx(2179.689, abs=0.001)
    own.write_text("unit_cost_id,cost_gbp,price_year\nx,lots,2009-10\n")
    refused = cli("journey", "summary", str(steps), "--unit-costs", str(own), check=False)
    assert refused.returncode == 1 and "own.csv, row 2, column 'cost_gbp'" in refused.stderr
