"""Classifying a place's spending: what is still unclassified and by whom, the rules
in use, and changing them (one, many at once, an agency's default), every change in
the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from totalplace.core.reference import reference
from totalplace.core.store import audit as audit_store
from totalplace.core.store.db import Store
from totalplace.count import tables as count_tables
from totalplace.count.rules.classification import (
    FIELD_LABELS,
    MATCHED_FIELDS,
    Suggestion,
    agency_default_suggestion,
    match_key,
    normalise_cofog,
)
from totalplace.count.rules.count import CountInput, consolidated_lines
from totalplace.count.service.counting import all_columns, count_input
from totalplace.count.service.returns import OpenValue, unclassified_values
from totalplace.places.service import queries as place_queries

PER_PAGE = 50


class RuleError(ValueError):
    """A rule that cannot be saved; the message says which and why."""


@dataclass(frozen=True)
class RuleChange:
    agency_id: str
    field: str
    value: str
    cofog: str
    sercop: str | None = None


@dataclass(frozen=True)
class Rule:
    agency_id: str
    agency_name: str
    field: str
    value: str
    cofog: str
    sercop: str | None
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class AgencyState:
    """One agency's spending in the count, what of it is unclassified, its default."""

    agency_id: str
    name: str
    agency_type: str
    total_pence: int
    unclassified_pence: int
    default: str | None
    suggested_default: Suggestion | None


@dataclass(frozen=True)
class ClassifyView:
    year: str
    column: str
    search: str
    agency_id: str | None
    agencies: list[AgencyState]
    rows: list[OpenValue]
    row_count: int
    page: int
    pages: int
    rules: list[Rule]
    total_pence: int
    unclassified_pence: int

    @property
    def done(self) -> bool:
        """Done only when no amount at all is unclassified, not when no name is left."""
        return self.unclassified_pence == 0 and not any(a.unclassified_pence for a in self.agencies)


def classify_view(
    store: Store,
    place_id: str,
    year: str,
    column: str = "service",
    search: str = "",
    page: int = 1,
    agency_id: str | None = None,
    per_page: int = PER_PAGE,
) -> ClassifyView:
    """The classify page: values of `column` among the still unclassified lines of
    the count (after apportionment and transfers, so amounts agree with the count)."""
    column = column if column in MATCHED_FIELDS else "service"
    data = count_input(place_id, year, store)
    data = CountInput(**{**data.__dict__, "lines": all_columns(store, place_id, year)})
    lines = consolidated_lines(data).collect()
    with store.sessions() as session:
        agencies = place_queries.agencies(session, place_id)
        stored = count_tables.classification_rules(session, place_id)
    names = {a.agency_id: a.name for a in agencies}
    totals = dict(lines.group_by("agency_id").agg(pl.col("amount_pence").sum()).iter_rows())
    still = lines.filter(pl.col("cofog").is_null())
    open_totals = dict(still.group_by("agency_id").agg(pl.col("amount_pence").sum()).iter_rows())
    defaults = {r.agency_id: r.cofog for r in stored if r.field == "agency"}
    states = [
        AgencyState(
            a.agency_id,
            a.name,
            a.agency_type,
            int(totals.get(a.agency_id, 0)),
            int(open_totals.get(a.agency_id, 0)),
            defaults.get(a.agency_id),
            agency_default_suggestion(a.agency_type),
        )
        for a in agencies
    ]
    rows = unclassified_values(still, None, column)
    if agency_id:
        rows = [r for r in rows if r.agency_id == agency_id]
    wanted = match_key(search) if search.strip() else ""
    if wanted:
        rows = [r for r in rows if r.value and wanted in match_key(r.value)]
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    return ClassifyView(
        year=year,
        column=column,
        search=search,
        agency_id=agency_id,
        agencies=states,
        rows=rows[(page - 1) * per_page : page * per_page],
        row_count=len(rows),
        page=page,
        pages=pages,
        rules=[
            Rule(
                r.agency_id,
                names.get(r.agency_id, r.agency_id),
                r.field,
                r.value,
                r.cofog,
                r.sercop,
                r.set_by,
                r.set_at,
            )
            for r in stored
        ],
        total_pence=int(lines["amount_pence"].sum() or 0),
        unclassified_pence=int(still["amount_pence"].sum() or 0),
    )


def checked(change: RuleChange, agency_ids: set[str]) -> RuleChange:
    """The change with its codes normalised, or RuleError saying what is wrong."""
    ref = reference()
    label = FIELD_LABELS.get(change.field)
    if label is None:
        raise RuleError(f"{change.field!r} is not a column rules can match.")
    if change.agency_id not in agency_ids:
        raise RuleError(f"The place has no agency {change.agency_id!r}.")
    value = "" if change.field == "agency" else " ".join(change.value.split())
    if change.field != "agency" and not value:
        raise RuleError(f"Say which {label.lower()} the rule is for.")
    cofog = normalise_cofog(change.cofog)
    if cofog not in ref.cofog:
        shown = value or "the agency default"
        raise RuleError(f"Choose a COFOG code for {shown}: {change.cofog!r} is not one.")
    sercop = None
    if change.sercop:
        sercop = ref.sercop_code(change.sercop)
        if sercop is None:
            raise RuleError(f"{change.sercop!r} is not a SeRCOP division.")
    return RuleChange(change.agency_id, change.field, value, cofog, sercop)


def save_rules(store: Store, place_id: str, changes: Sequence[RuleChange], actor: str) -> int:
    """Save one rule or many at once (bulk coding): all or nothing."""
    with store.transaction() as session:
        agency_ids = {a.agency_id for a in place_queries.agencies(session, place_id)}
        good = [checked(c, agency_ids) for c in changes]
        for change in good:
            count_tables.set_classification_rule(
                session,
                place_id,
                change.agency_id,
                change.value,
                change.cofog,
                change.sercop,
                actor,
                field=change.field,
            )
            audit_store.audit(
                session,
                actor,
                "classify",
                place_id,
                {
                    "agency_id": change.agency_id,
                    "field": change.field,
                    "value": change.value,
                    "cofog": change.cofog,
                    "sercop": change.sercop,
                },
            )
    return len(good)


def delete_rule(
    store: Store, place_id: str, agency_id: str, field: str, value: str, actor: str
) -> None:
    with store.transaction() as session:
        gone = count_tables.delete_classification_rule(session, place_id, agency_id, field, value)
        if gone is None:
            raise RuleError("There is no such rule: it may have been deleted already.")
        audit_store.audit(
            session,
            actor,
            "delete-classification-rule",
            place_id,
            {"agency_id": agency_id, "field": field, "value": value, "cofog": gone.cofog},
        )
