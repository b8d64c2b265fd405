"""The count as first written, one pass over the lines per breakdown: the naive reference
that the one-pass count (totalplace.count.rules.count) is tested against."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal

import polars as pl

from totalplace.core.money import share_as_fraction
from totalplace.core.years import year_bounds
from totalplace.count.rules.count import (
    AgencyInfo,
    Amount,
    CountInput,
    CountResult,
    Coverage,
    Reconciliation,
)


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


def classified(lines: pl.LazyFrame, rules: pl.DataFrame | None) -> pl.LazyFrame:
    """Fill a missing COFOG code from the agency's rules for that service name."""
    if rules is None or rules.height == 0:
        return lines
    lookup = (
        rules.lazy()
        .unique(subset=["agency_id", "service"], keep="last")
        .select(pl.col("agency_id"), pl.col("service"), pl.col("cofog").alias("_rule_cofog"))
    )
    return (
        lines.join(
            lookup,
            on=["agency_id", "service"],
            how="left",
            nulls_equal=False,
            maintain_order="left",
        )
        .with_columns(pl.coalesce("cofog", "_rule_cofog").alias("cofog"))
        .drop("_rule_cofog")
    )


def consolidated_lines(data: CountInput) -> pl.LazyFrame:
    """The lines the count adds up: apportioned, classified, transfers eliminated."""
    agency_ids = [a.agency_id for a in data.agencies]
    lines = classified(apportioned(data.lines, data.shares), data.classification_rules)
    return lines.filter(
        pl.col("counterparty_agency_id").is_null()
        | ~pl.col("counterparty_agency_id").is_in(agency_ids)
    )


def count(data: CountInput) -> CountResult:
    agency_ids = [a.agency_id for a in data.agencies]
    lines = classified(apportioned(data.lines, data.shares), data.classification_rules)
    is_transfer = pl.col("counterparty_agency_id").is_not_null() & pl.col(
        "counterparty_agency_id"
    ).is_in(agency_ids)
    frame = lines.with_columns(is_transfer.alias("_transfer")).collect()
    # Lazy views: each breakdown gathers only the columns it needs, so the lines are
    # held in memory once however many ways they are cut.
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
        line_count=frame.height,
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
        frame.filter(pl.col("payment_date").is_not_null())
        .group_by("agency_id")
        .agg(
            pl.col("payment_date").min().alias("first"), pl.col("payment_date").max().alias("last")
        )
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
    """A line may carry several themes and counts in each: themes overlap by design."""
    themed = (
        kept.filter(pl.col("themes").is_not_null())
        .with_row_index("_row")
        .with_columns(pl.col("themes").str.split(";").alias("_theme"))
        .explode("_theme")
        .with_columns(pl.col("_theme").str.strip_chars())
        .filter(pl.col("_theme") != "")
        # A theme named twice on one line still counts the line once.
        .unique(subset=["_row", "_theme"])
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
