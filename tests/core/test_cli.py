"""The `totalplace` command, run as a user runs it, in a child process."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import DATA, HANDMADE, cli, exact_json


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = dict(os.environ)
    environ["TOTALPLACE_HOME"] = str(tmp_path / "home")
    environ.pop("DATABASE_URL", None)
    return environ


def test_count_json_contract(env: dict[str, str]) -> None:
    cli("import", str(HANDMADE), env=env)
    result = exact_json(cli("count", "testshire", "--year", "2009-10", "--json", env=env).stdout)
    for key in (
        "place_id",
        "financial_year",
        "total_gbp",
        "population",
        "per_head_gbp",
        "by_agency",
        "by_cofog_division",
        "transfers_eliminated_gbp",
        "estimated_share",
        "reconciliation",
    ):
        assert key in result, key
    assert result["place_id"] == "testshire"
    assert result["financial_year"] == "2009-10"
    assert result["total_gbp"] == Decimal("4300000.52")
    assert result["per_head_gbp"] == Decimal("8.60")
    assert {
        "agency_id": "police",
        "gbp": Decimal("250000.02"),
        "label": "Four Counties Police",
    } in result["by_agency"]
    assert {"code": "07", "gbp": Decimal("2090000.00")} in result["by_cofog_division"]
    assert result["transfers_eliminated_gbp"] == Decimal("110000.00")
    assert result["reconciliation"][0]["difference_gbp"] == Decimal("-10000.00")


def test_count_for_people(env: dict[str, str]) -> None:
    cli("import", str(HANDMADE), env=env)
    text = cli("count", "testshire", "--year", "2009-10", env=env).stdout
    assert "£4,300,000.52" in text
    assert "per head £8.60" in text
    assert "Reconciliation" in text


def test_bad_input_exits_1_with_located_message(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("place.csv", "agencies.csv", "returns.csv"):
        (broken / name).write_text((HANDMADE / name).read_text())
    text = (broken / "returns.csv").read_text().replace("2000000.00", "two million")
    (broken / "returns.csv").write_text(text)
    result = cli("import", str(broken), env=env, check=False)
    assert result.returncode == 1
    assert (
        "returns.csv, row 7, column 'amount_gbp': 'two million' is not an amount" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert cli("places", "--json", env=env).stdout.strip() == "[]"


def test_bad_year(env: dict[str, str]) -> None:
    cli("import", str(HANDMADE), env=env)
    result = cli("count", "testshire", "--year", "2009", env=env, check=False)
    assert result.returncode == 1
    assert "write it as 2009-10" in result.stderr


def test_import_return_asks_before_guessing(env: dict[str, str]) -> None:
    cli("import", str(HANDMADE), env=env)
    ledger = str(DATA / "manchester_spend_over_500_2022-01.csv")
    refused = cli("import-return", "council", ledger, "--year", "2021-22", env=env, check=False)
    assert refused.returncode == 1
    assert "amount_gbp ← 'Net Amount'" in refused.stderr
    assert "--yes" in refused.stderr
    accepted = cli(
        "import-return", "council", ledger, "--year", "2021-22", "--yes", "--json", env=env
    )
    body = exact_json(accepted.stdout)
    assert body["total_gbp"] == Decimal("66343303.84")
    assert body["version"] == 1
    assert any(u["service"] == "Adult Social Care" for u in body["unclassified"])


def test_export_template_and_places(env: dict[str, str], tmp_path: Path) -> None:
    cli("import", str(HANDMADE), env=env)
    cli("export", "testshire", str(tmp_path / "out.zip"), env=env)
    assert (tmp_path / "out.zip").stat().st_size > 0
    cli("template", "testshire", str(tmp_path / "t.xlsx"), "--year", "2010-11", env=env)
    assert (tmp_path / "t.xlsx").exists()
    places = exact_json(cli("places", "--json", env=env).stdout)
    assert places == [{"place_id": "testshire", "name": "Testshire", "gss_codes": "E06000047"}]


def test_import_return_options_for_the_wrong_year(env: dict[str, str], tmp_path: Path) -> None:
    cli("import", str(HANDMADE), env=env)
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("Date,Supplier,Amount\n2021-04-01,Acme,10\n2022-04-01,Acme,20\n")
    refused = cli(
        "import-return",
        "council",
        str(ledger),
        "--year",
        "2021/22",
        "--yes",
        env=env,
        check=False,
    )
    assert refused.returncode == 1
    assert "1 of 2 dates are outside 2021-22" in refused.stderr
    assert "--only-in-year" in refused.stderr
    inside = exact_json(
        cli(
            "import-return",
            "council",
            str(ledger),
            "--year",
            "2021-22",
            "--yes",
            "--only-in-year",
            "--json",
            env=env,
        ).stdout
    )
    assert inside["total_gbp"] == Decimal("10.00")
    assert inside["left_out"] == [
        {
            "file": "ledger.csv",
            "sheet": None,
            "row": 3,
            "amount_gbp": "20.00",
            "reason": "dated 2022-04-01, outside 2021-22",
        }
    ]
    split = exact_json(
        cli(
            "import-return",
            "council",
            str(ledger),
            "--year",
            "2021-22",
            "--yes",
            "--split-years",
            "--json",
            env=env,
        ).stdout
    )
    assert [(y["financial_year"], y["total_gbp"]) for y in split["years"]] == [
        ("2021-22", Decimal("10.00")),
        ("2022-23", Decimal("20.00")),
    ]
