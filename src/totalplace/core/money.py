"""Money as integer pence: exact, and cheap to sum in columnar engines."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

PENCE_PER_POUND = 100


def pounds_to_pence(value: Decimal) -> int:
    """Round half to even at the penny, the banker's rule finance teams expect."""
    return int((value * PENCE_PER_POUND).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def pence_to_pounds(pence: int) -> Decimal:
    return (Decimal(pence) / PENCE_PER_POUND).quantize(Decimal("0.01"))


def format_gbp(pence: int) -> str:
    """`£1,234.56`, with a leading minus for negatives."""
    pounds = pence_to_pounds(abs(pence))
    sign = "-" if pence < 0 else ""
    return f"{sign}£{pounds:,.2f}"


def share_as_fraction(share: Decimal) -> tuple[int, int]:
    """An exact numerator and denominator, so apportionment stays in integers."""
    numerator, denominator = share.as_integer_ratio()
    return numerator, denominator


def apportion_pence(pence: int, share: Decimal) -> int:
    """One line's amount times a share, rounded half to even at the penny."""
    numerator, denominator = share_as_fraction(share)
    return divide_half_even(pence * numerator, denominator)


def divide_half_even(dividend: int, divisor: int) -> int:
    quotient, remainder = divmod(dividend, divisor)
    twice = 2 * remainder
    if twice > divisor or (twice == divisor and quotient % 2 == 1):
        quotient += 1
    return quotient
