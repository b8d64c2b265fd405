"""`totalplace national count`, run as a user runs it."""

from __future__ import annotations

from decimal import Decimal

from tests.helpers import cli, exact_json


def test_national_count_json_contract() -> None:
    result = exact_json(cli("national", "count", "--year", "2017-18", "--json").stdout)
    assert result["financial_year"] == "2017-18"
    places = result["places"]
    assert len(places) == 309
    for place in places:
        for key in (
            "gss_code",
            "name",
            "population",
            "population_year",
            "total_gbp",
            "per_head_gbp",
            "local_government_actual_gbp",
            "estimated_share",
            "by_cofog_division",
            "warnings",
        ):
            assert key in place, key
        assert [d["code"] for d in place["by_cofog_division"]] == [f"{n:02d}" for n in range(1, 11)]
        assert sum(d["gbp"] for d in place["by_cofog_division"]) == place["total_gbp"]
        assert Decimal(0) < place["estimated_share"] < 1
        assert all(isinstance(w, str) for w in place["warnings"])
    trafford = next(p for p in places if p["gss_code"] == "E08000009")
    assert trafford["population"] == 234917 and trafford["population_year"] == 2017
    assert trafford["per_head_gbp"] == (trafford["total_gbp"] / 234917).quantize(Decimal("0.01"))


def test_national_count_table_and_a_year_not_held() -> None:
    table = cli("national", "count").stdout
    assert "Trafford" in table and "309 districts" in table
    bad = cli("national", "count", "--year", "2030-31", check=False)
    assert bad.returncode == 1
    assert "2017-18" in bad.stderr and "Traceback" not in bad.stderr
