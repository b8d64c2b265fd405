"""Spend lines: check and normalise a table of text into typed lines, all at once.

Both the package importer and the return importer end here, so a line means the same
whichever door it came through. Work is vectorised: a five-million-line file is checked
in seconds, and each kind of problem is reported with its first rows and a count.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import polars as pl

from totalplace.domain.classification import Reference
from totalplace.io.errors import Problem, ProblemList
from totalplace.io.schemas import PROVENANCE_COLUMNS, RETURNS

_AMOUNT = r"^([+-]?)(\d{1,15})(?:\.(\d{1,2}))?$"
_TOO_PRECISE = r"^[+-]?\d+\.\d{3,}$"
_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")

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


def normalise_lines(
    raw: pl.DataFrame,
    agencies: Collection[str],
    reference: Reference,
    problems: ProblemList,
    amount_column: str = "amount_gbp",
) -> pl.DataFrame:
    """Typed lines from text columns named as in the returns resource.

    `raw` also carries `source_file`, `source_sheet` and `source_row` so that every
    problem names where it is. Extra columns are kept as they are.
    """
    frame = _with_defaults(_blank_to_null(raw))
    checks = _Checks(frame, problems)
    checks.required("agency_id")
    checks.required("financial_year")
    checks.required(amount_column)
    checks.run(
        pl.col("agency_id").is_not_null() & ~pl.col("agency_id").is_in(list(agencies)),
        "unknown-agency",
        lambda r: f"agency {r['agency_id']!r} is not one of the place's agencies",
        "agency_id",
    )
    _check_financial_year(checks)
    checks.run(
        pl.col(amount_column).is_not_null()
        & ~pl.col(amount_column).str.contains(_AMOUNT)
        & pl.col(amount_column).str.contains(_TOO_PRECISE),
        "too-many-decimals",
        lambda r: f"{r[amount_column]!r} has more than two decimal places",
        amount_column,
    )
    checks.run(
        pl.col(amount_column).is_not_null()
        & ~pl.col(amount_column).str.contains(_AMOUNT)
        & ~pl.col(amount_column).str.contains(_TOO_PRECISE),
        "not-a-number",
        lambda r: f"{r[amount_column]!r} is not an amount of money",
        amount_column,
    )
    frame = checks.frame = _normalised_codes(frame, reference)
    checks.run(
        pl.col("cofog").is_not_null() & ~pl.col("cofog").is_in(list(reference.cofog)),
        "bad-cofog",
        lambda r: f"{r['_cofog_raw']!r} is not a COFOG code",
        "cofog",
    )
    checks.run(
        pl.col("_sercop_raw").is_not_null() & pl.col("sercop").is_null(),
        "bad-sercop",
        lambda r: f"{r['_sercop_raw']!r} is not a SeRCOP division",
        "sercop",
    )
    checks.run(
        ~pl.col("spend_type").is_in(["revenue", "capital"]),
        "bad-spend-type",
        lambda r: f"{r['_spend_type_raw']!r} is neither revenue nor capital",
        "spend_type",
    )
    checks.run(
        pl.col("estimate").is_null(),
        "bad-boolean",
        lambda r: f"{r['_estimate_raw']!r} is neither true nor false",
        "estimate",
    )
    checks.run(
        pl.col("counterparty_agency_id").is_not_null()
        & ~pl.col("counterparty_agency_id").is_in(list(agencies)),
        "unknown-agency",
        lambda r: (
            f"counterparty {r['counterparty_agency_id']!r} is not one of the place's agencies"
        ),
        "counterparty_agency_id",
    )
    checks.run(
        pl.col("counterparty_agency_id").is_not_null()
        & (pl.col("counterparty_agency_id") == pl.col("agency_id")),
        "self-payment",
        lambda r: f"the line is a payment from {r['agency_id']!r} to itself",
        "counterparty_agency_id",
    )
    checks.run(
        pl.col("payment_date").is_not_null()
        & pl.col("payment_date").str.to_date("%Y-%m-%d", strict=False).is_null(),
        "bad-date",
        lambda r: f"{r['payment_date']!r} is not a date written as YYYY-MM-DD",
        "payment_date",
    )
    if problems:
        return frame.clear()
    return _typed(frame, amount_column)


class _Checks:
    def __init__(self, frame: pl.DataFrame, problems: ProblemList) -> None:
        self.frame = frame
        self.problems = problems

    def run(
        self,
        bad: pl.Expr,
        code: str,
        message: Callable[[dict[str, Any]], str],
        column: str,
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
            for row in failing.head(self.problems.limit).iter_rows(named=True)
        ]
        self.problems.add_count(shown, failing.height)

    def required(self, column: str) -> None:
        self.run(
            pl.col(column).is_null(),
            "blank-value",
            lambda _r: f"{column} is blank",
            column,
        )


def _blank_to_null(raw: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, t in raw.schema.items() if t == pl.String]
    return raw.with_columns(
        [
            pl.when(pl.col(c).str.strip_chars() == "")
            .then(None)
            .otherwise(pl.col(c).str.strip_chars())
            .alias(c)
            for c in text
        ]
    )


def _with_defaults(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [
        pl.lit(None, dtype=pl.String).alias(name)
        for name in (*STRING_FIELDS, "spend_type", "estimate", "source_sheet")
        if name not in frame.columns
    ]
    frame = frame.with_columns(missing) if missing else frame
    if "source_row" not in frame.columns:
        frame = frame.with_row_index("source_row", offset=2).with_columns(
            pl.col("source_row").cast(pl.Int64)
        )
    if "source_file" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("source_file"))
    return frame


def _check_financial_year(checks: _Checks) -> None:
    year = pl.col("financial_year")
    pattern_ok = year.str.contains(r"^\d{4}-\d{2}$")
    start = year.str.slice(0, 4).cast(pl.Int32, strict=False)
    end = year.str.slice(5, 2).cast(pl.Int32, strict=False)
    checks.run(
        year.is_not_null() & (~pattern_ok | (((start + 1) % 100) != end)),
        "bad-financial-year",
        lambda r: f"{r['financial_year']!r} is not a financial year such as 2009-10",
        "financial_year",
    )


def _normalised_codes(frame: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """COFOG `7.3` becomes `07.3`; SeRCOP names become codes; words are lower-cased."""
    cofog_head = pl.col("cofog").str.extract(r"^(\d{1,2})((?:\.\d){0,2})\.?$", 1)
    cofog_tail = pl.col("cofog").str.extract(r"^(\d{1,2})((?:\.\d){0,2})\.?$", 2)
    sercop_lookup: dict[str, str] = {}
    for item in reference.sercop.values():
        for key in (item.code, item.label, item.rs_line):
            sercop_lookup[key.casefold()] = item.code
    estimate_text = pl.col("estimate").cast(pl.String).str.to_lowercase()
    return frame.with_columns(
        pl.col("cofog").alias("_cofog_raw"),
        pl.col("sercop").alias("_sercop_raw"),
        pl.col("spend_type").alias("_spend_type_raw"),
        pl.col("estimate").cast(pl.String).alias("_estimate_raw"),
    ).with_columns(
        pl.when(cofog_head.is_not_null())
        .then(cofog_head.str.zfill(2) + cofog_tail.fill_null(""))
        .otherwise(pl.col("cofog"))
        .alias("cofog"),
        pl.col("sercop")
        .str.to_lowercase()
        .replace_strict(sercop_lookup, default=None)
        .alias("sercop"),
        pl.col("spend_type").str.to_lowercase().fill_null("revenue").alias("spend_type"),
        pl.when(estimate_text.is_null())
        .then(False)
        .when(estimate_text.is_in(list(_TRUE)))
        .then(True)
        .when(estimate_text.is_in(list(_FALSE)))
        .then(False)
        .otherwise(None)
        .alias("estimate"),
    )


def _typed(frame: pl.DataFrame, amount_column: str) -> pl.DataFrame:
    parts = pl.col(amount_column).str.extract_groups(_AMOUNT)
    sign = pl.when(parts.struct.field("1") == "-").then(-1).otherwise(1)
    pounds = parts.struct.field("2").cast(pl.Int64)
    pence = parts.struct.field("3").fill_null("").str.pad_end(2, "0").cast(pl.Int64)
    amount = (sign * (pounds * 100 + pence)).alias("amount_pence")
    scratch = ["_cofog_raw", "_sercop_raw", "_spend_type_raw", "_estimate_raw", amount_column]
    extras = [c for c in frame.columns if c not in LINE_SCHEMA and c not in scratch]
    return frame.with_columns(amount).select(
        [pl.col(name).cast(dtype) for name, dtype in LINE_SCHEMA.items()]
        + [pl.col(c).cast(pl.String) for c in extras]
    )


def extra_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in LINE_SCHEMA]


def reserved_columns() -> set[str]:
    return set(PROVENANCE_COLUMNS) - set(RETURNS.field_names())


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
