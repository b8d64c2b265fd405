"""Financial years as the field writes them: `2009-10`, April to March."""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar

from totalplace.core.problems import TotalplaceError

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class FinancialYearError(TotalplaceError, ValueError):
    """A financial year not written as the field writes it (2009-10)."""

    code: ClassVar[str] = "bad-financial-year"


def parse_financial_year(text: str) -> int:
    """The calendar year the financial year starts in; `2009-10` gives 2009."""
    match = _PATTERN.match(text.strip())
    if not match:
        raise FinancialYearError(
            f"{text!r} is not a financial year; write it as 2009-10 (start year, dash, "
            "two digits of the end year)"
        )
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise FinancialYearError(
            f"{text!r} does not run from one year to the next; did you mean "
            f"{start}-{(start + 1) % 100:02d}?"
        )
    return start


def is_financial_year(text: str) -> bool:
    try:
        parse_financial_year(text)
    except FinancialYearError:
        return False
    return True


def year_bounds(financial_year: str) -> tuple[date, date]:
    start = parse_financial_year(financial_year)
    return date(start, 4, 1), date(start + 1, 3, 31)
