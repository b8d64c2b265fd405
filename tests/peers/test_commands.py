"""Benchmarking from the command line: the peers, the comparison and the roll-up, in JSON
and as tables, and their refusals."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import HANDMADE, cli


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = dict(os.environ)
    environ["TOTALPLACE_HOME"] = str(tmp_path / "home")
    environ.pop("DATABASE_URL", None)
    return environ


def test_neighbours_with_weights(env: dict[str, str]) -> None:
    plain = json.loads(cli("peers", "neighbours", "E08000009", "-k", "5", "--json", env=env).stdout)
    assert plain["name"] == "Trafford" and len(plain["peers"]) == 5
    assert plain["peers"][0]["name"] == "Stockport"
    assert plain["weights"]["density"] == 1.5
    weighted = json.loads(
        cli(
            "peers",
            "neighbours",
            "E08000009",
            "-k",
            "5",
            "--weight",
            "income=10",
            "--weight",
            "rural=0",
            "--json",
            env=env,
        ).stdout
    )
    assert weighted["weights"]["income"] == 10 and weighted["weights"]["rural"] == 0
    assert [p["gss_code"] for p in weighted["peers"]] != [p["gss_code"] for p in plain["peers"]]
    table = cli("peers", "neighbours", "E08000009", "--set", "dfe-2025", env=env).stdout
    assert "Hertfordshire" in table and "Very close" in table


def test_refusals_exit_1_and_say_how_to_fix(env: dict[str, str]) -> None:
    bad = cli("peers", "neighbours", "E08000009", "--weight", "income", env=env, check=False)
    assert bad.returncode == 1 and "is not metric=number" in bad.stderr + bad.stdout
    county = cli("peers", "neighbours", "E10000017", env=env, check=False)
    assert county.returncode == 1 and "E08000009 for Trafford" in county.stderr + county.stdout
    k = cli("peers", "neighbours", "E08000009", "-k", "31", env=env, check=False)
    assert k.returncode == 1 and "from 1 to 30" in k.stderr + k.stdout


def test_compare_sets_the_district_beside_its_peers(env: dict[str, str]) -> None:
    body = json.loads(cli("peers", "compare", "E08000009", "-k", "5", "--json", env=env).stdout)
    assert body["available"] and body["population_year"] == 2017
    rows = {r["code"]: r for r in body["by_cofog_division"]}
    assert set(rows) == {f"{n:02d}" for n in range(1, 11)} | {"total"}
    total = rows["total"]
    assert float(total["peer_low_per_head_gbp"]) <= float(total["peer_median_per_head_gbp"])
    assert float(total["peer_median_per_head_gbp"]) <= float(total["peer_high_per_head_gbp"])
    later = json.loads(
        cli("peers", "compare", "E08000009", "--year", "2024-25", "--json", env=env).stdout
    )
    assert later["available"] is False and later["by_cofog_division"] == []


def test_rollup_counts_nothing_that_was_not_published(env: dict[str, str]) -> None:
    cli("import", str(HANDMADE), env=env)
    body = json.loads(cli("peers", "rollup", "--year", "2009-10", "--json", env=env).stdout)
    assert body["coverage"]["places"] == 0 and body["total_gbp"] == 0
    assert body["places"] == []
    bad = cli("peers", "rollup", "--year", "2009", env=env, check=False)
    assert bad.returncode == 1 and "Write the year as 2017-18" in bad.stderr + bad.stdout
