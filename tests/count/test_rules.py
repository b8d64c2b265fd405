"""The count's rules on frames built here, and the invariants that must always hold."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.core.money import apportion_pence
from totalplace.count.rules.count import LINE_COLUMNS, AgencyInfo, CountInput, apportioned, count

AGENCIES = ["a", "b", "c"]


def lines(rows: list[dict[str, object]]) -> pl.LazyFrame:
    defaults = {name: None for name in LINE_COLUMNS}
    defaults.update({"spend_type": "revenue", "estimate": False})
    return pl.LazyFrame([{**defaults, **row} for row in rows], schema=LINE_COLUMNS)


def run(
    rows: list[dict[str, object]],
    shares: dict[str, Decimal] | None = None,
    rules: pl.DataFrame | None = None,
):  # type: ignore[no-untyped-def]
    return count(
        CountInput(
            place_id="p",
            place_name="P",
            financial_year="2009-10",
            agencies=[AgencyInfo(a, a.upper(), "other") for a in AGENCIES],
            shares=shares or {},
            population=1000,
            population_year=2009,
            lines=lines(rows),
            classification_rules=rules,
        )
    )


def test_a_payment_to_an_agency_outside_the_place_is_spending() -> None:
    result = run([{"agency_id": "a", "amount_pence": 500, "counterparty_agency_id": "elsewhere"}])
    assert result.total_pence == 500
    assert result.transfers_eliminated_pence == 0


def test_unclassified_lines_are_listed_under_null() -> None:
    result = run(
        [
            {"agency_id": "a", "amount_pence": 500},
            {"agency_id": "a", "amount_pence": 700, "cofog": "07.3"},
        ]
    )
    assert [(x.key, x.pence) for x in result.by_cofog_division] == [("07", 700), (None, 500)]
    assert result.to_json()["by_cofog_division"][-1] == {"code": None, "gbp": Decimal("5.00")}


def test_classification_rules_fill_missing_codes_only() -> None:
    rules = pl.DataFrame(
        {"agency_id": ["a", "a"], "service": ["Libraries", "Parks"], "cofog": ["08.2", "08.1"]}
    )
    result = run(
        [
            {"agency_id": "a", "amount_pence": 100, "service": "Libraries"},
            {"agency_id": "a", "amount_pence": 200, "service": "Parks", "cofog": "05.1"},
            {"agency_id": "b", "amount_pence": 400, "service": "Libraries"},
        ],
        rules=rules,
    )
    groups = {x.key: x.pence for x in result.by_cofog_group}
    assert groups == {"08.2": 100, "05.1": 200, None: 400}


def test_a_theme_named_twice_on_a_line_counts_once() -> None:
    result = run([{"agency_id": "a", "amount_pence": 100, "themes": "housing; housing;"}])
    assert [(x.key, x.pence) for x in result.by_theme] == [("housing", 100)]


def test_missing_agency_shows_as_missing_with_zero() -> None:
    result = run([{"agency_id": "a", "amount_pence": 100}])
    assert {c.agency_id: c.status for c in result.coverage} == {
        "a": "actual",
        "b": "missing",
        "c": "missing",
    }
    assert {x.key: x.pence for x in result.by_agency}["b"] == 0


def test_mixed_actuals_and_estimates() -> None:
    result = run(
        [
            {"agency_id": "a", "amount_pence": 100},
            {"agency_id": "a", "amount_pence": 300, "estimate": True},
        ]
    )
    assert result.coverage[0].status == "mixed"
    assert result.estimated_share == Decimal("0.75")


line = st.fixed_dictionaries(
    {
        "agency_id": st.sampled_from(AGENCIES),
        "amount_pence": st.integers(min_value=-(10**11), max_value=10**11),
        "cofog": st.sampled_from([None, "01", "07.3", "10.1", "10.2.1"]),
        "spend_type": st.sampled_from(["revenue", "capital"]),
        "estimate": st.booleans(),
        "counterparty_agency_id": st.sampled_from([None, None, "a", "b", "c", "outside"]),
        "funding_source": st.sampled_from([None, "a", "b", "HM Treasury"]),
        "themes": st.sampled_from([None, "x", "x;y"]),
    }
)
share = st.decimals(min_value=0, max_value=1, places=6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(line, max_size=40), st.dictionaries(st.sampled_from(AGENCIES), share))
def test_totals_conserve(rows: list[dict[str, object]], shares: dict[str, Decimal]) -> None:
    rows = [r for r in rows if r["counterparty_agency_id"] != r["agency_id"]]
    result = run(rows, shares)
    apportioned_total = sum(
        apportion_pence(int(r["amount_pence"]), shares.get(str(r["agency_id"]), Decimal(1)))  # type: ignore[call-overload]
        for r in rows
    )
    # Every pound is either counted once or eliminated as a transfer.
    assert result.total_pence + result.transfers_eliminated_pence == apportioned_total
    for breakdown in (result.by_agency, result.by_cofog_division, result.by_spend_type):
        assert sum(item.pence for item in breakdown) == result.total_pence
    assert sum(c.actual_pence + c.estimate_pence for c in result.coverage) == result.total_pence
    assert sum(x.pence for x in result.by_cofog_group) == result.total_pence


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-(10**13), max_value=10**13), min_size=1, max_size=30), share)
def test_vectorised_apportionment_matches_the_scalar_rule(amounts: list[int], s: Decimal) -> None:
    frame = lines([{"agency_id": "a", "amount_pence": a} for a in amounts])
    got = apportioned(frame, {"a": s}).collect()["amount_pence"].to_list()
    assert got == [apportion_pence(a, s) for a in amounts]


# ---- the one-pass count equals a naive pass per breakdown --------------------------

from tests.count import naive_count  # noqa: E402

COFOGS = st.sampled_from([None, "07", "07.3", "07.3.1", "10.1", "", "03.2"])
THEMES = st.sampled_from(
    [None, "", "housing", "housing;health", " health ; housing", "health;health", ";"]
)
WHO = st.sampled_from(["a", "b", "c", "x", None])
DATES = st.sampled_from([None, "2009-04-01", "2009-06-30", "2010-03-31", "2009-12-25"])


@st.composite
def random_lines(draw: st.DrawFn) -> list[dict[str, object]]:
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=40))):
        rows.append(
            {
                "agency_id": draw(st.sampled_from(AGENCIES)),
                "amount_pence": draw(st.integers(min_value=-(10**9), max_value=10**9)),
                "cofog": draw(COFOGS),
                "service": draw(st.sampled_from([None, "Care", "Roads"])),
                "themes": draw(THEMES),
                "spend_type": draw(st.sampled_from(["revenue", "capital", None])),
                "estimate": draw(st.booleans()),
                "counterparty_agency_id": draw(WHO),
                "funding_source": draw(WHO),
                "payment_date": draw(DATES),
            }
        )
    return rows


SHARES = st.dictionaries(
    st.sampled_from(AGENCIES),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1), places=3),
    max_size=3,
)
RULES = pl.DataFrame(
    {"agency_id": ["a", "b"], "service": ["Care", "Roads"], "cofog": ["10.1", "04.5"]}
)


@settings(max_examples=200, deadline=None)
@given(random_lines(), SHARES, st.booleans())
def test_one_pass_equals_a_pass_per_breakdown(
    rows: list[dict[str, object]], shares: dict[str, Decimal], with_rules: bool
) -> None:
    data = CountInput(
        place_id="p",
        place_name="P",
        financial_year="2009-10",
        agencies=[AgencyInfo(a, a.upper(), "other") for a in AGENCIES],
        shares=shares,
        population=1000,
        population_year=2009,
        lines=lines(rows),
        classification_rules=RULES if with_rules else None,
        notes=["given"],
    )
    assert count(data).to_json() == naive_count.count(data).to_json()
