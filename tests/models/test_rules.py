"""The cohort model against a published worked example, the person-level run against the
cohort, and model files with mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import DATA, cli, exact_json
from totalplace.core.problems import ImportRejected
from totalplace.models.files import ModelSpec, base_values, model_from_spec, read_model
from totalplace.models.rules.statemodel import run_cohort, run_individuals
from totalplace.models.service.modelling import run_model_file

HIV = DATA / "models" / "hiv_chancellor_1997.json"


def test_reproduces_briggs_exercise_2_5() -> None:
    # Briggs, Claxton and Sculpher (2006), Decision Modelling for Health Economic
    # Evaluation, exercise 2.5, replicating Chancellor et al. (1997): monotherapy
    # £44,663 and 7.991 life-years (the spreadsheet's figure; the text rounds to 7.996),
    # combination £50,602 and 8.937 life-years, £6,276 per life-year gained.
    result = run_model_file(HIV)
    mono, combo = result["strategies"]
    assert round(mono["total_cost"]) == 44_663
    assert round(mono["outcomes"]["life_years"], 3) == 7.991
    assert round(combo["total_cost"]) == 50_602
    assert round(combo["outcomes"]["life_years"], 3) == 8.937
    assert round(result["increments"][0]["cost_per_unit"]["life_years"]) == 6_276
    # Who pays more: hospitals (the drug) more than community care.
    extra = result["increments"][0]["costs"]
    assert extra["hospital"] > extra["community care"] > 0


def test_half_cycle_correction() -> None:
    # The same exercise with the half-cycle correction: 8.475 life-years on monotherapy.
    spec = ModelSpec.model_validate({**json.loads(HIV.read_text()), "half_cycle": True})
    result = run_cohort(model_from_spec(spec), base_values(spec))
    assert result.strategies[0].outcomes[0, 0] == pytest.approx(8.475, abs=0.005)


def test_people_one_by_one_agree_with_the_cohort() -> None:
    spec, model = read_model(HIV)
    cohort = run_cohort(model, base_values(spec))
    for index in (0, 1):
        people = run_individuals(model, base_values(spec), index, 200_000, seed=11)
        expected_cost = cohort.strategies[index].costs[0].sum()
        assert people.costs.sum() == pytest.approx(expected_cost, rel=0.01)
        assert people.outcomes[0] == pytest.approx(
            cohort.strategies[index].outcomes[0, 0], rel=0.01
        )
    # Everyone starts in A; in this model nobody returns to a state, so no one enters
    # AIDS (C) twice.
    assert people.entries["A"][1] == 1.0
    assert people.entries["C"][2:].sum() == 0.0


def test_probabilistic_runs_give_intervals() -> None:
    result = run_model_file(HIV, draws=2_000, seed=3)
    combo = result["uncertainty"]["strategies"][1]["total_cost"]
    assert combo["p025"] < combo["mean"] < combo["p975"]
    base = result["strategies"][1]["total_cost"]
    assert combo["mean"] == pytest.approx(base, rel=0.05)  # costs are linear in the means


def test_cycle_dependent_probabilities_and_complements() -> None:
    spec = ModelSpec.model_validate(
        {
            "name": "ageing",
            "states": ["well", "dead"],
            "start": {"well": 1},
            "cycles": 3,
            "discount_costs": 0,
            "discount_outcomes": 0,
            "parameters": {"base": 0.1},
            "costs": {"well": {"council": 100}},
            "outcomes": {"years": {"well": 1}},
            "strategies": [
                {"name": "now", "phases": [{"matrix": [["C", "base * cycle"], [0, 1]]}]}
            ],
        }
    )
    result = run_cohort(model_from_spec(spec), base_values(spec))
    alive = np.cumprod([0.9, 0.8, 0.7])
    assert result.strategies[0].outcomes[0, 0] == pytest.approx(alive.sum())
    assert result.strategies[0].costs[0, 0] == pytest.approx(100 * alive.sum())


def mistakes(tmp_path: Path, change: dict[str, object]) -> list[tuple[str | None, str]]:
    path = tmp_path / "model.json"
    path.write_text(json.dumps({**json.loads(HIV.read_text()), **change}))
    with pytest.raises(ImportRejected) as caught:
        run_model_file(path)
    return [(p.column, p.message) for p in caught.value.problems]


def test_model_file_mistakes_point_at_the_field(tmp_path: Path) -> None:
    strategies = json.loads(HIV.read_text())["strategies"]
    broken = json.loads(json.dumps(strategies))
    broken[0]["phases"][0]["matrix"][1][2] = "n_bx / 2"
    found = mistakes(tmp_path, {"strategies": broken})
    assert found == [
        ("strategies[0].phases[0].matrix[1][2]", "n_bx in 'n_bx / 2' is not parameters")
    ]
    assert mistakes(tmp_path, {"start": {"Z": 1}})[0][0] == "start.Z"
    assert mistakes(tmp_path, {"cycles": 0})[0][0] == "cycles"
    short = json.loads(json.dumps(strategies))
    short[0]["phases"][0]["matrix"] = [[1]]
    assert mistakes(tmp_path, {"strategies": short})[0][0] == "strategies[0].phases[0].matrix"
    unfinished = json.loads(json.dumps(strategies))
    unfinished[1]["phases"][1]["until"] = 5
    assert mistakes(tmp_path, {"strategies": unfinished})[0][0] == "strategies[1].phases"


def test_rows_must_add_up(tmp_path: Path) -> None:
    strategies = json.loads(HIV.read_text())["strategies"]
    strategies[0]["phases"][0]["matrix"][3] = [0, 0, 0.5, 0.6]
    path = tmp_path / "model.json"
    path.write_text(json.dumps({**json.loads(HIV.read_text()), "strategies": strategies}))
    result = cli("model", "run", str(path), check=False)
    assert result.returncode == 1
    assert "matrix[3]" in result.stderr and "does not add up to 1" in result.stderr


def test_cli_json() -> None:
    body = exact_json(cli("model", "run", str(HIV), "--json").stdout)
    assert [s["name"] for s in body["strategies"]] == ["monotherapy", "combination"]
    assert round(float(body["increments"][0]["cost_per_unit"]["life_years"])) == 6_276


def test_the_published_schema_is_the_one_the_product_uses() -> None:
    from totalplace.models.files import schema

    root = Path(__file__).resolve().parents[2]
    published = json.loads((root / "docs" / "formats" / "model.schema.json").read_text())
    assert published == schema()


def test_a_business_case_from_the_strategy_difference(tmp_path: Path) -> None:
    from totalplace.cases.service.appraising import appraise_file
    from totalplace.models.service.modelling import case_from_model

    spec = case_from_model(HIV, "combination", "2025-26")
    assert {c["agency"] for c in spec["costs"]} >= {"hospital"}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(spec))
    (appraised,) = appraise_file(path)
    # Appraised at the model's 6% with each cycle a year later than year 0, the case's
    # NPV is minus the model's discounted extra cost: £5,938.20 (the £6,276 per life-year
    # of exercise 2.5 times 0.94618 life-years).
    model = run_model_file(HIV)
    extra = model["increments"][0]["cost"]
    assert appraised.appraisal.npv == pytest.approx(-extra, abs=0.05)
    assert extra == pytest.approx(5_938.20, abs=0.01)
    written = tmp_path / "c.json"
    cli(
        "case",
        "from-model",
        str(HIV),
        "--strategy",
        "combination",
        "--first-year",
        "2025-26",
        "--out",
        str(written),
    )
    assert json.loads(written.read_text())["costs"] == spec["costs"]
    wrong = cli(
        "case",
        "from-model",
        str(HIV),
        "--strategy",
        "monotherapy",
        "--first-year",
        "2025-26",
        "--out",
        str(written),
        check=False,
    )
    assert wrong.returncode == 1 and "choose one of the model's strategies" in wrong.stderr
