"""`totalplace case appraise`, games derived from cases, and case files with mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import DATA, cli, exact_json
from totalplace.cases.files import read_cases, schema
from totalplace.cases.service.appraising import appraise_file, game_from_cases
from totalplace.core.problems import ImportRejected
from totalplace.sharing.service import allocate_file

CASES = DATA / "cases"
ROOT = Path(__file__).resolve().parents[2]


def test_cli_json() -> None:
    body = exact_json(cli("case", "appraise", str(CASES / "family_support.json"), "--json").stdout)
    assert float(body["npv_gbp"]) == pytest.approx(35_451.57)
    assert float(body["bcr"]) == pytest.approx(1.3545)
    assert body["payback_year"] == 4
    assert [a["agency"] for a in body["agencies"]] == ["council", "nhs"]
    assert [float(x) for x in body["who_pays_who_saves"]["council"]] == [-100000, 0, 0, 0, 0, 0]


def test_game_from_cases_by_hand() -> None:
    # Case 1 (council pays 100,000): NHS saves 135,451.57, police 45,150.52 (present values).
    # Case 2 (NHS pays 50,000): police save 25,000 a year for 3 years = 70,040.92.
    # A coalition runs a case only if it holds the payer, and only if it gains by it.
    game, benefits = game_from_cases([c for c, _ in read_cases(CASES / "two_cases.json")])
    worth = {"+".join(sorted(game.members(m))): game.value(m) for m in range(1, game.grand + 1)}
    assert worth["council"] == worth["nhs"] == worth["police"] == 0
    assert worth["council+nhs"] == pytest.approx(35_451.57, abs=0.01)
    assert worth["council+police"] == 0
    assert worth["nhs+police"] == pytest.approx(20_040.92, abs=0.01)
    assert worth["council+nhs+police"] == pytest.approx(35_451.57 + 45_150.52 + 20_040.92, abs=0.02)
    assert benefits["police"] == pytest.approx(45_150.52 + 70_040.92, abs=0.02)


def test_allocating_cases_gives_contributions_and_net_positions() -> None:
    result = allocate_file(CASES / "two_cases.json", "cost-follows-benefit")
    body = result.as_json()
    total = sum(body["allocation"].values())
    assert total == pytest.approx(result.total)
    # Everyone pays its costs, keeps its benefits, and puts in the rest of its own net
    # so that it ends with its share; what is put in, is paid out.
    for agency, share in body["allocation"].items():
        own_net = body["benefits"][agency] - body["costs"][agency]
        assert own_net - body["contributions"][agency] == pytest.approx(share)
    assert sum(body["contributions"].values()) == pytest.approx(0, abs=0.05)
    assert sum(body["costs"].values()) == pytest.approx(150_000, abs=0.05)
    assert body["allocation"]["council"] == 0  # it saves nothing, so it pays nothing


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))
    return path


def problems(tmp_path: Path, data: object) -> list[tuple[str | None, str]]:
    with pytest.raises(ImportRejected) as caught:
        appraise_file(write(tmp_path, data))
    return [(p.column, p.message) for p in caught.value.problems]


GOOD = {
    "name": "x",
    "first_year": "2025-26",
    "costs": [{"agency": "a", "year": 0, "amount": 10}],
    "benefits": [{"agency": "b", "from": 1, "to": 2, "amount": 8}],
}


def test_case_file_mistakes_point_at_the_field(tmp_path: Path) -> None:
    found = problems(tmp_path, {**GOOD, "costs": [{"agency": "a", "year": 0, "amount": -5}]})
    assert found[0][0] == "costs[0].amount"
    found = problems(tmp_path, {**GOOD, "benefits": [{"agency": "b", "amount": 8}]})
    assert found == [("benefits[0]", 'give either "year", or "from" and "to"')]
    found = problems(tmp_path, {**GOOD, "adjustments": {"deadweight": 1.5}})
    assert found[0][0] == "adjustments.deadweight"
    found = problems(tmp_path, {**GOOD, "first_year": "2025"})
    assert found[0][0] == "first_year"
    found = problems(tmp_path, {**GOOD, "costs": [{"agency": "a", "year": "2024-25", "amount": 1}]})
    assert found == [("costs[0].year", "2024-25 is before the case's first year")]
    found = problems(tmp_path, {**GOOD, "prices": "nominal"})
    assert found[0][0] == "deflator"
    found = problems(
        tmp_path,
        {**GOOD, "uncertainty": {"inputs": {"deadweight": {"distribution": "beta", "alpha": 2}}}},
    )
    assert found[0][0] == "uncertainty.inputs.deadweight"
    assert "needs alpha, beta" in found[0][1]
    found = problems(
        tmp_path,
        {**GOOD, "uncertainty": {"inputs": {"benefits:zz": {"distribution": "fixed", "value": 1}}}},
    )
    assert found[0][0] == "uncertainty.inputs.benefits:zz"
    found = problems(tmp_path, {**GOOD, "colour": "blue"})
    assert found[0][0] == "colour"


def test_nominal_prices_are_deflated(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            **GOOD,
            "prices": "nominal",
            "price_base_year": "2025-26",
            "discount_rate": 0.0,
            "deflator": {"2025-26": 100, "2026-27": 102, "2027-28": 104.04},
        },
    )
    (result,) = appraise_file(path)
    assert result.appraisal.pv_benefits == pytest.approx(8 / 1.02 + 8 / 1.0404)


def test_the_published_schema_is_the_one_the_product_uses() -> None:
    published = json.loads((ROOT / "docs" / "formats" / "case.schema.json").read_text())
    assert published == schema()


def test_uncertain_entries_must_exist(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        {**GOOD, "uncertainty": {"inputs": {"costs[3]": {"distribution": "fixed", "value": 1}}}},
    )
    assert found[0][0] == "uncertainty.inputs.costs[3]"
    (ok,) = appraise_file(
        write(
            tmp_path,
            {
                **GOOD,
                "uncertainty": {
                    "draws": 200,
                    "inputs": {"costs[0]": {"distribution": "uniform", "low": 0.5, "high": 1.5}},
                },
            },
        )
    )
    assert ok.simulation is not None and ok.simulation.npv.low < ok.simulation.npv.high
