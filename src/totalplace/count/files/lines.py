"""Spend lines: check and normalise a table of text into typed lines, all at once.

Both the package importer and the return importer end here, so a line means the same
whichever door it came through. Coded columns (years, agencies, COFOG, SeRCOP, flags)
hold few distinct values even in millions of lines, so each distinct value is checked
once in plain Python and the verdicts are mapped back over the column; amounts are
checked with one vectorised pattern. Each kind of problem is reported with its first
rows and a count of the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from totalplace.core.problems import Problem, ProblemList
from totalplace.core.years import is_financial_year
from totalplace.count.rules.classification import Reference, normalise_cofog

_AMOUNT = r"^([+-]?)(\d{1,15})(?:\.(\d{1,2}))?$"
_TOO_PRECISE = r"^[+-]?\d+\.\d{3,}$"
_TOO_LARGE = r"^[+-]?\d{16,}(?:\.\d{1,2})?$"
# Amounts are stored as int64 pence; the file's amounts, added without their signs, must
# stay below this so that every total made from them (by agency, function, year) fits.
INT64_MAX = 2**63 - 1
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}

STRING_FIELDS = (
    "agency_id",
    "financial_year",
    "description",
    "cofog",
    "sercop",
    "themes",
    "funding_source",
    "counterparty_agency_id",
    "service",
    "supplier",
    "payment_date",
    "expense_type",
)

LINE_SCHEMA: dict[str, pl.DataType] = {
    **{name: pl.String() for name in STRING_FIELDS},
    "amount_pence": pl.Int64(),
    "spend_type": pl.String(),
    "estimate": pl.Boolean(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
}


class _Invalid:
    """The verdict on a value that fails its check."""


INVALID = _Invalid()


@dataclass(frozen=True)
class _CodedColumn:
    """A column checked value by value: `convert` gives the stored value or INVALID."""

    column: str
    convert: Callable[[str], Any]
    dtype: pl.DataType
    code: str
    message: Callable[[str], str]


def _coded_columns(agencies: Collection[str], reference: Reference) -> list[_CodedColumn]:
    known = set(agencies)

    def agency(value: str) -> Any:
        return value if value in known else INVALID

    def cofog(value: str) -> Any:
        code = normalise_cofog(value)
        return code if code in reference.cofog else INVALID

    def sercop(value: str) -> Any:
        code = reference.sercop_code(value)
        return INVALID if code is None else code

    def spend_type(value: str) -> Any:
        lowered = value.lower()
        return lowered if lowered in ("revenue", "capital") else INVALID

    def estimate(value: str) -> Any:
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        return False if lowered in _FALSE else INVALID

    def payment_date(value: str) -> Any:
        try:
            return date.fromisoformat(value).isoformat() if len(value) == 10 else INVALID
        except ValueError:
            return INVALID

    return [
        _CodedColumn(
            "agency_id",
            agency,
            pl.String(),
            "unknown-agency",
            lambda v: f"agency {v!r} is not one of the place's agencies",
        ),
        _CodedColumn(
            "financial_year",
            lambda v: v if is_financial_year(v) else INVALID,
            pl.String(),
            "bad-financial-year",
            lambda v: f"{v!r} is not a financial year such as 2009-10",
        ),
        _CodedColumn(
            "cofog", cofog, pl.String(), "bad-cofog", lambda v: f"{v!r} is not a COFOG code"
        ),
        _CodedColumn(
            "sercop", sercop, pl.String(), "bad-sercop", lambda v: f"{v!r} is not a SeRCOP division"
        ),
        _CodedColumn(
            "spend_type",
            spend_type,
            pl.String(),
            "bad-spend-type",
            lambda v: f"{v!r} is neither revenue nor capital",
        ),
        _CodedColumn(
            "estimate",
            estimate,
            pl.Boolean(),
            "bad-boolean",
            lambda v: f"{v!r} is neither true nor false",
        ),
        _CodedColumn(
            "counterparty_agency_id",
            agency,
            pl.String(),
            "unknown-agency",
            lambda v: f"counterparty {v!r} is not one of the place's agencies",
        ),
        _CodedColumn(
            "payment_date",
            payment_date,
            pl.String(),
            "bad-date",
            lambda v: f"{v!r} is not a date written as YYYY-MM-DD",
        ),
    ]


def normalise_lines(
    raw: pl.DataFrame,
    agencies: Collection[str],
    reference: Reference,
    problems: ProblemList,
    amount_column: str = "amount_gbp",
) -> pl.DataFrame:
    """Typed lines from text columns named as in the returns resource.

    `raw` may carry `source_file`, `source_sheet` and `source_row` so that every problem
    names where it is. Extra columns are kept as they are.
    """
    frame = _with_defaults(_blank_to_null(raw))
    report = _Reporter(frame, problems)
    for column in ("agency_id", "financial_year", amount_column):
        report.rows(pl.col(column).is_null(), "blank-value", _blank_message(column), column)
    conversions = []
    for coded in _coded_columns(agencies, reference):
        mapping, bad = _verdicts(frame[coded.column], coded.convert)
        if bad:
            report.rows(
                pl.col(coded.column).is_in(bad),
                coded.code,
                _value_message(coded),
                coded.column,
            )
        if any(key != value for key, value in mapping.items()) or coded.dtype != pl.String():
            conversions.append(
                pl.col(coded.column).replace_strict(mapping, default=None, return_dtype=coded.dtype)
            )
    amount = pl.col(amount_column).str.strip_chars()
    failed = amount.is_not_null() & ~amount.str.contains(_AMOUNT)
    report.rows(
        failed & amount.str.contains(_TOO_PRECISE),
        "too-many-decimals",
        lambda r: f"{r[amount_column]!r} has more than two decimal places",
        amount_column,
    )
    report.rows(
        failed & amount.str.contains(_TOO_LARGE),
        "amount-too-large",
        lambda r: f"{r[amount_column]!r} is more than the largest amount totalplace holds",
        amount_column,
    )
    report.rows(
        failed & ~amount.str.contains(_TOO_PRECISE) & ~amount.str.contains(_TOO_LARGE),
        "not-a-number",
        lambda r: f"{r[amount_column]!r} is not an amount of money",
        amount_column,
    )
    report.rows(
        pl.col("counterparty_agency_id").is_not_null()
        & (
            pl.col("counterparty_agency_id").str.strip_chars()
            == pl.col("agency_id").str.strip_chars()
        ),
        "self-payment",
        lambda r: f"the line is a payment from {r['agency_id']!r} to itself",
        "counterparty_agency_id",
    )
    if problems:
        return pl.DataFrame(schema=LINE_SCHEMA)
    pence = (amount.cast(pl.Decimal(17, 2), strict=False) * 100).cast(pl.Int64)
    frame = frame.with_columns(*conversions, pence.alias("amount_pence"))
    _check_total(frame, amount_column, problems)
    if problems:
        return pl.DataFrame(schema=LINE_SCHEMA)
    return _typed(frame, amount_column)


def _check_total(frame: pl.DataFrame, amount_column: str, problems: ProblemList) -> None:
    """Refuse a file whose amounts add up past int64 pence: Polars' sum would wrap round
    silently (100 lines of £999,999,999,999,999.99 once made -£8.4e16).

    The sum is exact: each amount splits into high and low 32-bit halves, whose sums
    cannot overflow for any file this side of 2 billion lines."""
    magnitude = pl.col("amount_pence").abs()
    high, low = magnitude // 2**32, magnitude % 2**32
    sums = frame.select(high.sum().alias("high"), low.sum().alias("low")).row(0)
    if int(sums[0] or 0) * 2**32 + int(sums[1] or 0) <= INT64_MAX:
        return
    running = high.cum_sum().cast(pl.Float64) * 2.0**32 + low.cum_sum().cast(pl.Float64)
    first = frame.filter(running > float(INT64_MAX)).head(1).row(0, named=True)
    problems.add(
        Problem(
            "total-too-large",
            "the amounts add up, without their signs, to more than "
            "£92,233,720,368,547,758.07 by this row, more than totalplace can hold",
            file=first["source_file"],
            sheet=first["source_sheet"],
            row=first["source_row"],
            column=amount_column,
        )
    )


Message = Callable[[dict[str, Any]], str]


def _blank_message(column: str) -> Message:
    return lambda _row: f"{column} is blank"


def _value_message(coded: _CodedColumn) -> Message:
    return lambda row: coded.message(row[coded.column])


class _Reporter:
    def __init__(self, frame: pl.DataFrame, problems: ProblemList) -> None:
        self.frame = frame
        self.problems = problems

    def rows(
        self, bad: pl.Expr, code: str, message: Callable[[dict[str, Any]], str], column: str
    ) -> None:
        failing = self.frame.filter(bad)
        if failing.height == 0:
            return
        shown = [
            Problem(
                code,
                message(row),
                file=row["source_file"],
                sheet=row["source_sheet"],
                row=row["source_row"],
                column=column,
            )
            for row in failing.head(self.problems.keep).iter_rows(named=True)
        ]
        self.problems.add_count(shown, failing.height)


def _verdicts(values: pl.Series, convert: Callable[[str], Any]) -> tuple[dict[str, Any], list[str]]:
    mapping: dict[str, Any] = {}
    bad: list[str] = []
    for value in values.unique().to_list():
        if value is None:
            continue
        if not value.strip():
            mapping[value] = None
            continue
        verdict = convert(value.strip())
        if verdict is INVALID:
            bad.append(value)
        else:
            mapping[value] = verdict
    return mapping, bad


def _blank_to_null(raw: pl.DataFrame) -> pl.DataFrame:
    """An empty cell is a missing value. Free text is otherwise kept exactly as given;
    coded values and amounts are read without surrounding white space."""
    text = [c for c, t in raw.schema.items() if t == pl.String]
    return raw.with_columns(
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in text]
    )


def _with_defaults(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [
        pl.lit(None, dtype=pl.String).alias(name)
        for name in (*STRING_FIELDS, "spend_type", "estimate", "source_sheet", "source_file")
        if name not in frame.columns
    ]
    frame = frame.with_columns(missing) if missing else frame
    if "source_row" not in frame.columns:
        frame = frame.with_row_index("source_row", offset=2)
    return frame


def _typed(frame: pl.DataFrame, amount_column: str) -> pl.DataFrame:
    frame = frame.with_columns(
        pl.col("spend_type").fill_null("revenue"),
        pl.col("estimate").fill_null(False),
    )
    extras = [c for c in frame.columns if c not in LINE_SCHEMA and c != amount_column]
    return frame.select(
        [pl.col(name).cast(dtype) for name, dtype in LINE_SCHEMA.items()]
        + [pl.col(c).cast(pl.String) for c in extras]
    )


def extra_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in LINE_SCHEMA]


def format_amount(pence: pl.Expr) -> pl.Expr:
    """Integer pence as pounds text with two decimals, e.g. -1234 -> "-12.34"."""
    magnitude = pence.abs()
    sign = pl.when(pence < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return (
        sign
        + (magnitude // 100).cast(pl.String)
        + pl.lit(".")
        + (magnitude % 100).cast(pl.String).str.zfill(2)
    )
