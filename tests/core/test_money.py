from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from totalplace.core.money import (
    apportion_pence,
    divide_half_even,
    format_gbp,
    pence_to_pounds,
    pounds_to_pence,
)


def test_rounding_is_half_to_even() -> None:
    assert pounds_to_pence(Decimal("0.005")) == 0
    assert pounds_to_pence(Decimal("0.015")) == 2
    assert pounds_to_pence(Decimal("-0.025")) == -2
    assert divide_half_even(-5, 2) == -2
    assert divide_half_even(7, 2) == 4


def test_format_gbp() -> None:
    assert format_gbp(123456789) == "£1,234,567.89"
    assert format_gbp(-5) == "-£0.05"


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_pence_round_trip(pence: int) -> None:
    assert pounds_to_pence(pence_to_pounds(pence)) == pence


@given(
    st.integers(min_value=-(10**13), max_value=10**13),
    st.decimals(min_value=0, max_value=1, places=12, allow_nan=False, allow_infinity=False),
)
def test_apportion_matches_decimal_arithmetic(pence: int, share: Decimal) -> None:
    expected = pounds_to_pence(Decimal(pence) * share / 100)
    assert apportion_pence(pence, share) == expected
