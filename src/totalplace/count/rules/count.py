"""The count: every pound of public spending in a place, counted once.

Rules, in the order they apply (see docs/count.md):
1. Apportionment: an agency that serves more than the place has a share; the share
   multiplies every one of its lines (payments to other agencies included), each
   rounded half to even at the penny, before anything else.
2. Classification: a line without a COFOG code takes the one its agency's
   classification rules give its service name.
3. Elimination: a line paid to another agency of the place (`counterparty_agency_id`)
   is dropped from the payer and left with the spender, as in consolidated accounts.
   What the receiver says it got from the payer (`funding_source`) is reconciled with
   what the payer says it paid.
All sums are of integer pence, so totals are exact and every breakdown adds up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from totalplace.core.money import divide_half_even, pence_to_pounds, share_as_fraction
from totalplace.core.years import year_bounds
from totalplace.count.rules.classification import MATCHED_FIELDS, MISSING_VALUES

LINE_COLUMNS: dict[str, pl.DataType] = {
    "agency_id": pl.String(),
    "amount_pence": pl.Int64(),
    "cofog": pl.String(),
    "service": pl.String(),
    "themes": pl.String(),
    "spend_type": pl.String(),
    "estimate": pl.Boolean(),
    "counterparty_agency_id": pl.String(),
    "funding_source": pl.String(),
    "payment_date": pl.String(),
    # The columns classification rules may match; cost_centre and proclass only where
    # a ledger has them (null otherwise).
    "supplier": pl.String(),
    "expense_type": pl.String(),
    "description": pl.String(),
    "cost_centre": pl.String(),
    "proclass": pl.String(),
}


@dataclass(frozen=True)
class AgencyInfo:
    agency_id: str
    name: str
    agency_type: str


@dataclass(frozen=True)
class CountInput:
    place_id: str
    place_name: str
    financial_year: str
    agencies: Sequence[AgencyInfo]
    shares: Mapping[str, Decimal]
    population: int | None
    population_year: int | None
    lines: pl.LazyFrame
    classification_rules: pl.DataFrame | None = None
    notes: Sequence[str] = ()


@dataclass(frozen=True)
class Amount:
    key: str | None
    pence: int
    label: str | None = None


@dataclass(frozen=True)
class Reconciliation:
    payer: str
    receiver: str
    paid_pence: int
    received_pence: int

    @property
    def difference_pence(self) -> int:
        return self.received_pence - self.paid_pence


@dataclass(frozen=True)
class Coverage:
    agency_id: str
    status: str  # actual, estimate, mixed or missing
    actual_pence: int
    estimate_pence: int


@dataclass(frozen=True)
class CountResult:
    place_id: str
    place_name: str
    financial_year: str
    total_pence: int
    population: int | None
    population_year: int | None
    by_agency: list[Amount]
    by_cofog_division: list[Amount]
    by_cofog_group: list[Amount]
    by_theme: list[Amount]
    by_spend_type: list[Amount]
    transfers_eliminated_pence: int
    estimated_pence: int
    reconciliation: list[Reconciliation]
    coverage: list[Coverage]
    shares: dict[str, Decimal]
    line_count: int
    notes: list[str] = field(default_factory=list)
    unclassified_pence: int = 0
    unclassified_by_agency: list[Amount] = field(default_factory=list)

    @property
    def unclassified_share(self) -> Decimal:
        """Of the spending counted, the share no rule or line code gives a function;
        of the absolute amounts, so credits cannot hide debits."""
        if self.unclassified_pence == 0:
            return Decimal(0)
        if self.total_pence == 0:
            return Decimal(1)
        return (Decimal(self.unclassified_pence) / Decimal(self.total_pence)).quantize(
            Decimal("0.0001")
        )

    @property
    def per_head_pence(self) -> int | None:
        if not self.population:
            return None
        # Round half to even at the penny, like every other figure.
        return divide_half_even(self.total_pence, self.population)

    @property
    def estimated_share(self) -> Decimal:
        if self.total_pence == 0:
            return Decimal(0)
        return (Decimal(self.estimated_pence) / Decimal(self.total_pence)).quantize(
            Decimal("0.0001")
        )

    def to_json(self) -> dict[str, Any]:
        """The count's JSON contract (docs/formats/count-json.md). Money as pounds."""

        def gbp(pence: int | None) -> Decimal | None:
            return None if pence is None else pence_to_pounds(pence)

        def rows(items: list[Amount], key: str) -> list[dict[str, Any]]:
            out = []
            for item in items:
                row: dict[str, Any] = {key: item.key, "gbp": gbp(item.pence)}
                if item.label is not None:
                    row["label"] = item.label
                out.append(row)
            return out

        return {
            "place_id": self.place_id,
            "place_name": self.place_name,
            "financial_year": self.financial_year,
            "total_gbp": gbp(self.total_pence),
            "population": self.population,
            "population_year": self.population_year,
            "per_head_gbp": gbp(self.per_head_pence),
            "by_agency": rows(self.by_agency, "agency_id"),
            "by_cofog_division": rows(self.by_cofog_division, "code"),
            "by_cofog_group": rows(self.by_cofog_group, "code"),
            "by_theme": rows(self.by_theme, "theme"),
            "by_spend_type": rows(self.by_spend_type, "spend_type"),
            "transfers_eliminated_gbp": gbp(self.transfers_eliminated_pence),
            "estimated_gbp": gbp(self.estimated_pence),
            "estimated_share": self.estimated_share,
            "reconciliation": [
                {
                    "payer_agency_id": r.payer,
                    "receiver_agency_id": r.receiver,
                    "paid_gbp": gbp(r.paid_pence),
                    "received_gbp": gbp(r.received_pence),
                    "difference_gbp": gbp(r.difference_pence),
                }
                for r in self.reconciliation
            ],
            "coverage": [
                {
                    "agency_id": c.agency_id,
                    "status": c.status,
                    "actual_gbp": gbp(c.actual_pence),
                    "estimate_gbp": gbp(c.estimate_pence),
                }
                for c in self.coverage
            ],
            "apportionment": {k: v for k, v in sorted(self.shares.items())},
            "line_count": self.line_count,
            "notes": list(self.notes),
            "unclassified_gbp": gbp(self.unclassified_pence),
            "unclassified_share": self.unclassified_share,
            "unclassified_by_agency": rows(self.unclassified_by_agency, "agency_id"),
        }


def apportioned(lines: pl.LazyFrame, shares: Mapping[str, Decimal]) -> pl.LazyFrame:
    """Multiply each line by its agency's share, rounding half to even at the penny."""
    partial = {a: share_as_fraction(s) for a, s in shares.items() if s != 1}
    if not partial:
        return lines
    fractions = pl.LazyFrame(
        {
            "agency_id": list(partial),
            "_num": [n for n, _ in partial.values()],
            "_den": [d for _, d in partial.values()],
        },
        schema={"agency_id": pl.String, "_num": pl.Int128, "_den": pl.Int128},
    )
    product = pl.col("amount_pence").cast(pl.Int128) * pl.col("_num")
    quotient = product // pl.col("_den")
    twice_remainder = 2 * (product - quotient * pl.col("_den"))
    round_up = (twice_remainder > pl.col("_den")) | (
        (twice_remainder == pl.col("_den")) & (quotient % 2 == 1)
    )
    rounded = (quotient + round_up.cast(pl.Int128)).cast(pl.Int64)
    return (
        lines.join(fractions, on="agency_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_num").is_null())
            .then(pl.col("amount_pence"))
            .otherwise(rounded)
            .alias("amount_pence")
        )
        .drop("_num", "_den")
    )


def rules_frame(rules: pl.DataFrame | None) -> pl.DataFrame:
    """Rules as agency_id, field, value, cofog. A frame of the older shape
    (agency_id, service, cofog) holds service rules."""
    schema = {"agency_id": pl.String, "field": pl.String, "value": pl.String, "cofog": pl.String}
    if rules is None or rules.height == 0:
        return pl.DataFrame(schema=schema)
    if "field" not in rules.columns:
        rules = rules.rename({"service": "value"}).with_columns(pl.lit("service").alias("field"))
    return rules.select(list(schema)).cast(schema)  # type: ignore[arg-type]


def _key(column: str) -> pl.Expr:
    """The form a rule matches: spaces collapsed, case folded, missing values null."""
    cleaned = pl.col(column).cast(pl.String).str.strip_chars().str.replace_all(r"\s+", " ")
    folded = cleaned.str.to_lowercase()
    return pl.when(folded.is_in(list(MISSING_VALUES))).then(None).otherwise(folded)


def classified(lines: pl.LazyFrame, rules: pl.DataFrame | None) -> pl.LazyFrame:
    """Fill a missing COFOG code from the agency's rules, in the order of RULE_FIELDS,
    and say in `classified_by` what coded each line (`line` for its own code)."""
    frame = rules_frame(rules)
    names = lines.collect_schema().names()
    out = lines.with_columns(
        pl.when(pl.col("cofog").is_not_null())
        .then(pl.lit("line"))
        .otherwise(None)
        .alias("classified_by")
    )
    if frame.height == 0:
        return out
    frame = frame.with_columns(
        pl.col("value").str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()
    ).unique(subset=["agency_id", "field", "value"], keep="last")
    for column in MATCHED_FIELDS:
        chosen = frame.filter(pl.col("field") == column)
        if chosen.height == 0 or column not in names:
            continue
        code = _description_code(chosen) if column == "description" else None
        if code is None:
            lookup = chosen.lazy().select(
                "agency_id", pl.col("value").alias("_value"), pl.col("cofog").alias("_rule")
            )
            out = (
                out.with_columns(_key(column).alias("_value"))
                .join(lookup, on=["agency_id", "_value"], how="left", maintain_order="left")
                .drop("_value")
            )
        else:
            out = out.with_columns(code.alias("_rule"))
        out = _take(out, column)
    defaults = frame.filter(pl.col("field") == "agency")
    if defaults.height:
        lookup = defaults.lazy().select("agency_id", pl.col("cofog").alias("_rule"))
        out = _take(out.join(lookup, on="agency_id", how="left", maintain_order="left"), "agency")
    return out


def _take(lines: pl.LazyFrame, rule_field: str) -> pl.LazyFrame:
    """Lines still without a code take the rule's; the line records which rule it was."""
    taken = pl.col("cofog").is_null() & pl.col("_rule").is_not_null()
    return lines.with_columns(
        pl.when(taken)
        .then(pl.lit(rule_field))
        .otherwise(pl.col("classified_by"))
        .alias("classified_by"),
        pl.coalesce("cofog", "_rule").alias("cofog"),
    ).drop("_rule")


def _description_code(rules: pl.DataFrame) -> pl.Expr:
    """A word or phrase found in the description; longer phrases first, being more
    specific ("public health" before "health")."""
    text = pl.lit(" ") + _key("description").fill_null("") + pl.lit(" ")
    expr: Any = None
    ordered = sorted(rules.iter_rows(named=True), key=lambda r: -len(r["value"]))
    for rule in ordered:
        pattern = r"(?:^|[^a-z0-9])" + re.escape(rule["value"]) + r"(?:[^a-z0-9]|$)"
        condition = (pl.col("agency_id") == rule["agency_id"]) & text.str.contains(pattern)
        expr = (pl.when(condition) if expr is None else expr.when(condition)).then(
            pl.lit(rule["cofog"])
        )
    return pl.lit(None, dtype=pl.String) if expr is None else expr.otherwise(None)


def consolidated_lines(data: CountInput) -> pl.LazyFrame:
    """The lines the count adds up: apportioned, classified, transfers eliminated."""
    agency_ids = [a.agency_id for a in data.agencies]
    lines = classified(apportioned(data.lines, data.shares), data.classification_rules)
    return lines.filter(
        pl.col("counterparty_agency_id").is_null()
        | ~pl.col("counterparty_agency_id").is_in(agency_ids)
    )


# Every key any breakdown needs: the count aggregates the lines once by all of them and
# derives each breakdown from that small table (thousands of rows, not millions).
_KEYS = [
    "agency_id",
    "cofog",
    "themes",
    "spend_type",
    "estimate",
    "funding_source",
    "counterparty_agency_id",
    "_transfer",
]


def count(data: CountInput) -> CountResult:
    agency_ids = [a.agency_id for a in data.agencies]
    lines = classified(apportioned(data.lines, data.shares), data.classification_rules)
    is_transfer = pl.col("counterparty_agency_id").is_not_null() & pl.col(
        "counterparty_agency_id"
    ).is_in(agency_ids)
    # One pass over the lines, streamed: the lines are never all in memory at once.
    frame = (
        lines.with_columns(is_transfer.alias("_transfer"))
        .group_by(_KEYS)
        .agg(
            pl.col("amount_pence").sum(),
            pl.len().alias("_lines"),
            pl.col("payment_date").min().alias("_first"),
            pl.col("payment_date").max().alias("_last"),
        )
        .collect(engine="streaming")
    )
    kept = frame.lazy().filter(~pl.col("_transfer"))
    transfers = frame.lazy().filter(pl.col("_transfer"))

    total = _sum(kept)
    estimated = _sum(kept.filter(pl.col("estimate")))
    return CountResult(
        place_id=data.place_id,
        place_name=data.place_name,
        financial_year=data.financial_year,
        total_pence=total,
        population=data.population,
        population_year=data.population_year,
        by_agency=_by_agency(kept, data.agencies),
        by_cofog_division=_grouped(
            kept.with_columns(pl.col("cofog").str.slice(0, 2).alias("_key"))
        ),
        by_cofog_group=_grouped(
            kept.with_columns(
                pl.when(pl.col("cofog").str.len_chars() >= 4)
                .then(pl.col("cofog").str.slice(0, 4))
                .otherwise(None)
                .alias("_key")
            )
        ),
        by_theme=_by_theme(kept),
        by_spend_type=_grouped(kept.with_columns(pl.col("spend_type").alias("_key"))),
        transfers_eliminated_pence=_sum(transfers),
        estimated_pence=estimated,
        reconciliation=_reconcile(transfers, kept, agency_ids),
        coverage=_coverage(frame, data.agencies),
        shares=dict(data.shares),
        line_count=int(frame["_lines"].sum()),
        notes=[*data.notes, *_part_year_notes(frame, data.financial_year, data.agencies)],
        unclassified_pence=_sum(kept.filter(pl.col("cofog").is_null())),
        unclassified_by_agency=[
            a for a in _by_agency(kept.filter(pl.col("cofog").is_null()), data.agencies) if a.pence
        ],
    )


def _part_year_notes(
    frame: pl.DataFrame, financial_year: str, agencies: Sequence[AgencyInfo]
) -> list[str]:
    """Say when an agency's dated lines cover only part of the year, e.g. two months
    of a ledger, so nobody reads them as a whole year's spending."""
    start, end = year_bounds(financial_year)
    spans = (
        frame.filter(pl.col("_first").is_not_null())
        .group_by("agency_id")
        .agg(pl.col("_first").min().alias("first"), pl.col("_last").max().alias("last"))
        .sort("agency_id")
    )
    notes = []
    for agency_id, first, last in spans.iter_rows():
        if (
            first > (start + timedelta(days=31)).isoformat()
            or last < (end - timedelta(days=31)).isoformat()
        ):
            name = next((a.name for a in agencies if a.agency_id == agency_id), agency_id)
            notes.append(f"{name}'s dated lines run from {first} to {last} only: a part year.")
    return notes


def _sum(lines: pl.LazyFrame) -> int:
    return int(lines.select(pl.col("amount_pence").sum()).collect().item() or 0)


def _grouped(lines: pl.LazyFrame) -> list[Amount]:
    sums = lines.group_by("_key").agg(pl.col("amount_pence").sum()).collect()
    # Unclassified (null) last; the rest by code.
    items = [Amount(r["_key"], int(r["amount_pence"])) for r in sums.iter_rows(named=True)]
    return sorted(items, key=lambda a: (a.key is None, a.key or ""))


def _by_agency(kept: pl.LazyFrame, agencies: Sequence[AgencyInfo]) -> list[Amount]:
    sums = dict(kept.group_by("agency_id").agg(pl.col("amount_pence").sum()).collect().iter_rows())
    # Every agency of the place is listed, a missing return shows as zero.
    items = [Amount(a.agency_id, int(sums.get(a.agency_id, 0)), a.name) for a in agencies]
    return sorted(items, key=lambda a: (-a.pence, a.key or ""))


def _by_theme(kept: pl.LazyFrame) -> list[Amount]:
    """A line may carry several themes and counts in each: themes overlap by design.
    Summed by distinct list of themes first, then split: a few hundred lists, not a
    row per line and theme."""
    themed = (
        kept.filter(pl.col("themes").is_not_null())
        .group_by("themes")
        .agg(pl.col("amount_pence").sum())
        .with_columns(
            pl.col("themes")
            .str.split(";")
            .list.eval(pl.element().str.strip_chars())
            # A theme named twice on one line still counts the line once.
            .list.unique()
            .alias("_theme")
        )
        .explode("_theme")
        .filter(pl.col("_theme") != "")
    )
    sums = themed.group_by("_theme").agg(pl.col("amount_pence").sum()).collect()
    items = [Amount(r["_theme"], int(r["amount_pence"])) for r in sums.iter_rows(named=True)]
    return sorted(items, key=lambda a: (-a.pence, a.key or ""))


def _reconcile(
    transfers: pl.LazyFrame, kept: pl.LazyFrame, agency_ids: Sequence[str]
) -> list[Reconciliation]:
    paid = {
        (r[0], r[1]): int(r[2])
        for r in transfers.group_by("agency_id", "counterparty_agency_id")
        .agg(pl.col("amount_pence").sum())
        .collect()
        .iter_rows()
    }
    received = {
        (r[0], r[1]): int(r[2])
        for r in kept.filter(
            pl.col("funding_source").is_in(agency_ids)
            & (pl.col("funding_source") != pl.col("agency_id"))
        )
        .group_by("funding_source", "agency_id")
        .agg(pl.col("amount_pence").sum())
        .collect()
        .iter_rows()
    }
    pairs = sorted(set(paid) | set(received))
    return [
        Reconciliation(payer, receiver, paid.get(pair, 0), received.get(pair, 0))
        for pair in pairs
        for payer, receiver in [pair]
        if paid.get(pair, 0) != received.get(pair, 0)
    ]


def _coverage(frame: pl.DataFrame, agencies: Sequence[AgencyInfo]) -> list[Coverage]:
    sums = {
        (r[0], bool(r[1])): int(r[2])
        for r in frame.group_by("agency_id", "estimate")
        .agg(pl.col("amount_pence").filter(~pl.col("_transfer")).sum())
        .iter_rows()
    }
    has_lines = set(frame["agency_id"].unique().to_list())
    estimate_kinds: dict[str, set[bool]] = {}
    for agency_id, estimate in frame.select("agency_id", "estimate").unique().iter_rows():
        estimate_kinds.setdefault(agency_id, set()).add(bool(estimate))
    out = []
    for agency in agencies:
        kinds = estimate_kinds.get(agency.agency_id, set())
        if agency.agency_id not in has_lines:
            status = "missing"
        elif kinds == {True}:
            status = "estimate"
        elif kinds == {False}:
            status = "actual"
        else:
            status = "mixed"
        out.append(
            Coverage(
                agency.agency_id,
                status,
                sums.get((agency.agency_id, False), 0),
                sums.get((agency.agency_id, True), 0),
            )
        )
    return out


__all__ = [
    "LINE_COLUMNS",
    "AgencyInfo",
    "Amount",
    "CountInput",
    "CountResult",
    "Coverage",
    "Reconciliation",
    "apportioned",
    "classified",
    "consolidated_lines",
    "count",
]
