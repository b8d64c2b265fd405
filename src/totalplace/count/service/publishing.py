"""Publishing a count: an immutable snapshot of its figures and of the returns behind
them. A new publication is a new version; two versions can be compared line by line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import func, select

from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store.db import Store
from totalplace.count import tables as count_tables
from totalplace.count.service.counting import count_place
from totalplace.count.tables import Publication, Submission


def _plain(data: object) -> Any:
    """Decimals as exact text, so a stored snapshot keeps every penny."""
    return json.loads(json.dumps(data, default=lambda v: str(v) if isinstance(v, Decimal) else v))


def publish(store: Store, place_id: str, financial_year: str, actor: str) -> Publication:
    result = count_place(place_id, financial_year, store=store)
    # Under the lock, two publishes at once get consecutive versions (decision 0501).
    with store.locked(
        f"publications:{place_id}:{financial_year}",
        f"Someone else published the {financial_year} count of {place_id} a moment ago. "
        "Look at its publications, then publish again if you still need to.",
    ) as session:
        submissions = count_tables.current_submissions(session, place_id, financial_year)
        latest = session.scalar(
            select(func.max(Publication.version)).where(
                Publication.place_id == place_id, Publication.financial_year == financial_year
            )
        )
        publication = Publication(
            place_id=place_id,
            financial_year=financial_year,
            version=(latest or 0) + 1,
            published_by=actor,
            published_at=store_base.now(),
            figures=_plain(result.to_json()),
            returns=[_return_record(s) for s in submissions],
        )
        session.add(publication)
        session.flush()
        audit_store.audit(
            session,
            actor,
            "publish",
            place_id,
            {
                "financial_year": financial_year,
                "version": publication.version,
                "total_gbp": str(result.to_json()["total_gbp"]),
            },
        )
        return publication


def weaknesses(figures: dict[str, Any]) -> list[str]:
    """What a reader of the published count should know is weak in it, said before
    anyone publishes: unclassified spending, agencies with no return, estimates, part
    years."""
    found = []
    share = Decimal(str(figures.get("unclassified_share") or 0))
    if share:
        whose = "; ".join(
            f"{a.get('label') or a['agency_id']} £{Decimal(str(a['gbp'])):,.2f}"
            for a in figures.get("unclassified_by_agency", [])
        )
        found.append(
            f"{share * 100:.1f}% of the total (£{Decimal(str(figures['unclassified_gbp'])):,.2f}) "
            f"has no function yet: {whose}."
        )
    names = {a["agency_id"]: a.get("label") or a["agency_id"] for a in figures["by_agency"]}
    missing = [
        names.get(c["agency_id"], c["agency_id"])
        for c in figures["coverage"]
        if c["status"] == "missing"
    ]
    if missing:
        found.append(
            f"No return from {len(missing)} agenc{'y' if len(missing) == 1 else 'ies'}: "
            f"{', '.join(missing)}."
        )
    estimated = Decimal(str(figures.get("estimated_share") or 0))
    if estimated:
        found.append(f"{estimated * 100:.1f}% of the total is top-down estimate, not actual spend.")
    found.extend(str(n) for n in figures.get("notes", []) if "part year" in str(n))
    return found


def _return_record(submission: Submission) -> dict[str, object]:
    return {
        "submission_id": submission.id,
        "agency_id": submission.agency_id,
        "version": submission.version,
        "uploaded_by": submission.uploaded_by,
        "uploaded_at": submission.uploaded_at.isoformat(),
        "line_count": submission.line_count,
        "total_pence": submission.total_pence,
        "lines_sha256": submission.lines_sha256,
        "lines_file": submission.lines_file,
    }


def publications(
    store: Store, place_id: str, financial_year: str | None = None
) -> list[Publication]:
    with store.sessions() as session:
        query = select(Publication).where(Publication.place_id == place_id)
        if financial_year is not None:
            query = query.where(Publication.financial_year == financial_year)
        return list(
            session.scalars(query.order_by(Publication.financial_year, Publication.version.desc()))
        )


def publication(
    store: Store, place_id: str, financial_year: str, version: int
) -> Publication | None:
    with store.sessions() as session:
        return session.scalar(
            select(Publication).where(
                Publication.place_id == place_id,
                Publication.financial_year == financial_year,
                Publication.version == version,
            )
        )


@dataclass(frozen=True)
class FigureChange:
    section: str
    key: str
    label: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class ReturnChange:
    agency_id: str
    before_version: int | None
    after_version: int | None
    changed_by: str | None
    lines_added: int
    lines_removed: int
    before_total_pence: int
    after_total_pence: int


@dataclass(frozen=True)
class Comparison:
    before: Publication
    after: Publication
    figures: list[FigureChange]
    returns: list[ReturnChange]


def compare(store: Store, before: Publication, after: Publication) -> Comparison:
    """What changed between two publications, figure by figure, and who changed it."""
    figures: list[FigureChange] = []
    figures.extend(
        _figure_changes(
            "Total",
            {"total": ("all agencies", before.figures["total_gbp"])},
            {"total": ("all agencies", after.figures["total_gbp"])},
        )
    )
    for section, key in (("Agency", "agency_id"), ("COFOG division", "code"), ("Theme", "theme")):
        source = {
            "Agency": "by_agency",
            "COFOG division": "by_cofog_division",
            "Theme": "by_theme",
        }[section]
        figures.extend(
            _figure_changes(
                section, _rows(before.figures[source], key), _rows(after.figures[source], key)
            )
        )
    return Comparison(before, after, figures, _return_changes(store, before, after))


def _rows(rows: Any, key: str) -> dict[str, tuple[str, object]]:
    return {str(r[key]): (str(r.get("label") or r[key] or "Unclassified"), r["gbp"]) for r in rows}


def _figure_changes(
    section: str, before: dict[str, tuple[str, object]], after: dict[str, tuple[str, object]]
) -> list[FigureChange]:
    out = []
    for key in sorted(set(before) | set(after)):
        old = Decimal(str(before.get(key, ("", 0))[1]))
        new = Decimal(str(after.get(key, ("", 0))[1]))
        if old != new:
            label = (after.get(key) or before.get(key) or (key, 0))[0]
            out.append(FigureChange(section, key, label, old, new))
    return out


def _return_changes(store: Store, before: Publication, after: Publication) -> list[ReturnChange]:
    old = {str(r["agency_id"]): r for r in before.returns}
    new = {str(r["agency_id"]): r for r in after.returns}
    changes = []
    for agency in sorted(set(old) | set(new)):
        a, b = old.get(agency), new.get(agency)
        if a is not None and b is not None and a["lines_sha256"] == b["lines_sha256"]:
            continue
        added, removed = _line_differences(store, a, b)
        changes.append(
            ReturnChange(
                agency_id=agency,
                before_version=None if a is None else int(str(a["version"])),
                after_version=None if b is None else int(str(b["version"])),
                changed_by=None if b is None else str(b["uploaded_by"]),
                lines_added=added,
                lines_removed=removed,
                before_total_pence=0 if a is None else int(str(a["total_pence"])),
                after_total_pence=0 if b is None else int(str(b["total_pence"])),
            )
        )
    return changes


_COMPARED = [
    "description",
    "amount_pence",
    "cofog",
    "sercop",
    "themes",
    "funding_source",
    "counterparty_agency_id",
    "spend_type",
    "estimate",
    "service",
    "supplier",
    "payment_date",
]


def _line_differences(
    store: Store, a: dict[str, object] | None, b: dict[str, object] | None
) -> tuple[int, int]:
    """Lines in the new return and not the old (added), and the other way (removed)."""

    def lines(record: dict[str, object] | None) -> pl.DataFrame:
        if record is None:
            return pl.DataFrame(schema={c: pl.String for c in _COMPARED})
        frame = store.lines.read(str(record["lines_file"]))
        return frame.select([pl.col(c).cast(pl.String) for c in _COMPARED])

    old, new = lines(a), lines(b)
    # Counted as multisets: two identical lines are two lines.
    old = old.with_columns(pl.int_range(pl.len()).over(_COMPARED).alias("_n"))
    new = new.with_columns(pl.int_range(pl.len()).over(_COMPARED).alias("_n"))
    keys = [*_COMPARED, "_n"]
    added = new.join(old, on=keys, how="anti", nulls_equal=True).height
    removed = old.join(new, on=keys, how="anti", nulls_equal=True).height
    return added, removed


def return_by_id(store: Store, submission_id: int) -> Submission | None:
    with store.sessions() as session:
        return session.get(Submission, submission_id)
