"""Deleting a record of a place and putting it back within 30 days.

Generic by design: a record is kept as the place data package writes it (the resource
named by its capability's `TablesOfPlace`), and restored the way a package is loaded,
through that table's own checks. So any capability whose data is a table of the place can
offer delete and restore without a table of its own (decision 1101).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from totalplace.core.lifecycle import Table, TablesOfPlace
from totalplace.core.problems import ImportRejected, NotFound, Problem
from totalplace.core.registry import place_data
from totalplace.core.store import audit as audit_store
from totalplace.core.store import base as store_base
from totalplace.core.store import rows
from totalplace.core.store.db import Store
from totalplace.deleted.tables import DeletedRecord

KEPT_FOR = timedelta(days=30)
# What each resource is called on the Recently deleted page; others by their own name.
KINDS = {
    "business_cases": "Business case",
    "journeys": "Journey",
    "models": "Cost-of-failure model",
}


@dataclass(frozen=True)
class Deleted:
    number: int
    resource: str
    label: str
    deleted_by: str
    deleted_at: datetime
    restorable_until: datetime


def _table(resource: str) -> Table:
    for data in place_data():
        if isinstance(data, TablesOfPlace):
            for table in data.tables:
                if table.name == resource:
                    return table
    raise ValueError(f"no capability keeps a resource named {resource!r}")


def set_aside(
    session: Session, place_id: str, resource: str, row: Any, label: str, actor: str
) -> int:
    """Inside the caller's transaction: keep the row's exported form, then delete it."""
    table = _table(resource)
    # Both lists are in the primary key's order, from one session: the same row objects.
    index = next(i for i, one in enumerate(_rows(session, table, place_id)) if one is row)
    record = rows.records(session, table.model, place_id)[index]
    kept = DeletedRecord(
        place_id=place_id,
        resource=resource,
        label=label[:300],
        record=record,
        deleted_by=actor,
        deleted_at=store_base.now(),
    )
    session.add(kept)
    session.delete(row)
    session.flush()
    audit_store.audit(
        session,
        actor,
        "delete-record",
        place_id,
        {"what": resource, "label": label, "bin": kept.id},
    )
    return kept.id


def _rows(session: Session, table: Table, place_id: str) -> list[Any]:
    """The place's rows in the order `rows.records` writes them (the primary key's)."""
    model = table.model
    order = list(model.__table__.primary_key)
    return list(
        session.scalars(
            select(model).where(model.__table__.c.place_id == place_id).order_by(*order)
        )
    )


def _purge(session: Session, place_id: str) -> None:
    session.execute(
        delete(DeletedRecord).where(
            DeletedRecord.place_id == place_id,
            DeletedRecord.deleted_at < store_base.now() - KEPT_FOR,
        )
    )


def recently_deleted(store: Store, place_id: str) -> list[Deleted]:
    """What can still be restored, newest first; anything older than 30 days is gone."""
    with store.transaction() as session:
        _purge(session, place_id)
        found = session.scalars(
            select(DeletedRecord)
            .where(DeletedRecord.place_id == place_id)
            .order_by(DeletedRecord.id.desc())
        )
        return [_deleted(d) for d in found]


def _deleted(d: DeletedRecord) -> Deleted:
    # SQLite hands times back without their zone; they are stored in UTC.
    at = d.deleted_at if d.deleted_at.tzinfo else d.deleted_at.replace(tzinfo=UTC)
    return Deleted(d.id, d.resource, d.label, d.deleted_by, at, at + KEPT_FOR)


def restore(store: Store, place_id: str, number: int, actor: str) -> str:
    """Put a deleted record back as it was exported, through its table's checks (a case
    whose cited quote has since gone is refused, and says why). Returns its label."""
    with store.transaction() as session:
        _purge(session, place_id)
        kept = session.get(DeletedRecord, number)
        if kept is None or kept.place_id != place_id:
            raise NotFound(
                f"there is no deleted record {number} in this place, or it was deleted "
                "more than 30 days ago"
            )
        table = _table(kept.resource)
        record = dict(kept.record)
        if table.check is not None:
            table.check(record, kept.resource, 1)
        rows.add_records(session, table.model, place_id, [record], kept.resource)
        label = kept.label
        audit_store.audit(
            session, actor, "restore-record", place_id, {"what": kept.resource, "label": label}
        )
        session.delete(kept)
        return label


def _check_kept(record: dict[str, Any], file: str, number: int) -> None:
    """A deleted record in a package names a resource some capability keeps."""
    resource = record.get("resource")
    try:
        _table(str(resource))
    except ValueError as exc:
        raise ImportRejected(
            [Problem("bad-record", str(exc), file=file, row=number, column="resource")]
        ) from exc


PLACE_DATA = TablesOfPlace(
    (
        Table(
            DeletedRecord,
            "deleted_records",
            "deleted_records.json",
            "deleted.md",
            check=_check_kept,
        ),
    )
)
