"""The national count's arithmetic: exact shares, and every county's money conserved."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace.national.rules import (
    AllocationError,
    Body,
    District,
    DistrictResult,
    Line,
    age_bands,
    allocate,
    impute_lines,
    key_weights,
    share_body,
)

weights = st.lists(st.fractions(min_value=0, max_value=10_000), min_size=1, max_size=30).filter(
    lambda ws: sum(ws) > 0
)


@given(st.integers(-(10**15), 10**15), weights)
def test_allocate_is_exact_and_fair(pence: int, ws: list[Fraction]) -> None:
    shares = allocate(pence, ws)
    assert sum(shares) == pence
    total = sum(ws)
    for share, w in zip(shares, ws, strict=True):
        # Each share is its exact share rounded down or up, never further off.
        assert abs(share - pence * w / total) < 1


def test_allocate_gives_leftover_pennies_to_largest_remainders() -> None:
    assert allocate(10, [Fraction(1)] * 3) == [4, 3, 3]
    assert allocate(-10, [Fraction(1)] * 3) == [-4, -3, -3]
    assert allocate(100, [Fraction(1), Fraction(2), Fraction(0)]) == [33, 67, 0]


def test_allocate_refuses_a_key_with_no_weight() -> None:
    with pytest.raises(AllocationError):
        allocate(100, [Fraction(0), Fraction(0)])
    with pytest.raises(AllocationError):
        allocate(100, [Fraction(2), Fraction(-1)])


def _district(code: str, ages: list[int], population: int) -> District:
    return District(code, code, "england_test", population, age_bands(population, ages))


@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 5_000), min_size=91, max_size=91).filter(lambda a: sum(a)),
            st.integers(1, 2_000_000),
            st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(5969, 47361)]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.dictionaries(
        st.sampled_from([190, 290, 330, 360, 601, 711]),
        st.integers(-(10**12), 10**13),
        min_size=1,
    ),
)
def test_two_tier_splitting_conserves_every_county_line(
    members: list[tuple[list[int], int, Fraction]], lines: dict[int, int]
) -> None:
    districts = {
        f"E0700{i:04d}": _district(f"E0700{i:04d}", ages, people)
        for i, (ages, people, _) in enumerate(members)
    }
    county = Body(
        "E10000099",
        "Testshire County Council",
        "county",
        lines,
        tuple((code, m[2]) for code, m in zip(districts, members, strict=True)),
    )
    results = {code: DistrictResult(d) for code, d in districts.items()}
    keys = {190: "age_0_19", 330: "age_0_17", 360: "adult_social_care"}
    share_body(county, districts, {n: Line(str(n), "01") for n in lines}, keys, results)
    for number, pence in lines.items():
        shared = [
            c.pence for r in results.values() for c in r.components if c.line == f"RS {number}"
        ]
        assert len(shared) == len(districts)
        assert sum(shared) == pence


def test_county_lines_follow_their_service_keys() -> None:
    young = _district("E07000001", [100] * 20 + [0] * 71, 2_000)  # everyone 0 to 19
    old = _district("E07000002", [0] * 65 + [100] * 26, 2_600)  # everyone 65 and over
    districts = {d.gss_code: d for d in (young, old)}
    body = Body(
        "E10000099",
        "Testshire",
        "county",
        {190: 1_000_00, 360: 1_000_00, 290: 4_600_00},
        ((young.gss_code, Fraction(1)), (old.gss_code, Fraction(1))),
    )
    results = {code: DistrictResult(d) for code, d in districts.items()}
    keys = {190: "age_0_19", 360: "adult_social_care"}
    share_body(body, districts, {n: Line(str(n), "09") for n in body.lines}, keys, results)

    def got(code: str, line: str) -> int:
        (c,) = [c for c in results[code].components if c.line == line]
        return c.pence

    assert got(young.gss_code, "RS 190") == 1_000_00  # education all to the young
    # Adult social care: half by 65+ (all in the old district), half by 18-64 (the young
    # district's 18 and 19 year olds are the only ones).
    assert got(old.gss_code, "RS 360") == got(young.gss_code, "RS 360") == 500_00
    children = _district("E07000003", [100] * 18 + [0] * 73, 1_800)
    assert key_weights("adult_social_care", [(children, Fraction(1))]) == [0]
    assert got(old.gss_code, "RS 290") == 2_600_00  # the rest by population


def test_age_bands_add_up_to_the_population() -> None:
    bands = age_bands(1_000, [10] * 91)
    assert bands["population"] == 1_000
    assert bands["age_0_17"] + bands["age_18_64"] + bands["age_65_plus"] == 1_000
    assert bands["age_0_19"] == Fraction(1_000 * 20, 91)


def test_a_missing_return_is_imputed_per_head_from_its_peers() -> None:
    peers = [
        Body("A", "A", "council", {190: 300_00, 290: 100}, (("A", Fraction(1)),)),
        Body("B", "B", "council", {190: 100_00}, (("B", Fraction(1)),)),
    ]
    missing = Body("C", "C", "council", {}, (("C", Fraction(1)),), missing=True)
    got = impute_lines(missing, peers, {"A": 300, "B": 100}, 50)
    assert got == {190: 50_00, 290: 12}  # £1 a head; 100p * 50 / 400 = 12.5 -> 12 (even)
    assert impute_lines(missing, [], {}, 50) == {}
