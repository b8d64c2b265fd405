"""Queries and writes on the relational store, named as the domain speaks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from totalplace.store.models import (
    Agency,
    Apportionment,
    AuditEntry,
    ClassificationRule,
    ColumnMapping,
    Place,
    Population,
    Submission,
)


def now() -> datetime:
    return datetime.now(UTC)


def get_place(session: Session, place_id: str) -> Place | None:
    return session.get(Place, place_id)


def list_places(session: Session) -> list[Place]:
    return list(session.scalars(select(Place).order_by(Place.place_id)))


def delete_place(session: Session, place_id: str) -> list[str]:
    """Remove a place and all it holds; returns the line files it used."""
    files = list(
        session.scalars(select(Submission.lines_file).where(Submission.place_id == place_id))
    )
    for model in (ClassificationRule, ColumnMapping, Submission, Apportionment, Population):
        session.execute(delete(model).where(model.place_id == place_id))
    session.execute(delete(Agency).where(Agency.place_id == place_id))
    session.execute(delete(Place).where(Place.place_id == place_id))
    return files


def agencies(session: Session, place_id: str) -> list[Agency]:
    return list(
        session.scalars(
            select(Agency).where(Agency.place_id == place_id).order_by(Agency.agency_id)
        )
    )


def places_with_agency(session: Session, agency_id: str) -> list[str]:
    return list(session.scalars(select(Agency.place_id).where(Agency.agency_id == agency_id)))


def populations(session: Session, place_id: str) -> list[Population]:
    return list(
        session.scalars(
            select(Population)
            .where(Population.place_id == place_id)
            .order_by(Population.gss_code, Population.year)
        )
    )


def apportionments(session: Session, place_id: str) -> list[Apportionment]:
    return list(
        session.scalars(
            select(Apportionment)
            .where(Apportionment.place_id == place_id)
            .order_by(Apportionment.agency_id)
        )
    )


def shares(session: Session, place_id: str) -> dict[str, Decimal]:
    return {a.agency_id: Decimal(a.share) for a in apportionments(session, place_id)}


def current_submissions(
    session: Session, place_id: str, financial_year: str | None = None
) -> list[Submission]:
    query = select(Submission).where(
        Submission.place_id == place_id, Submission.status == "current"
    )
    if financial_year is not None:
        query = query.where(Submission.financial_year == financial_year)
    return list(session.scalars(query.order_by(Submission.agency_id, Submission.financial_year)))


def submissions_for(
    session: Session, place_id: str, agency_id: str, financial_year: str
) -> list[Submission]:
    return list(
        session.scalars(
            select(Submission)
            .where(
                Submission.place_id == place_id,
                Submission.agency_id == agency_id,
                Submission.financial_year == financial_year,
            )
            .order_by(Submission.version)
        )
    )


def next_version(session: Session, place_id: str, agency_id: str, financial_year: str) -> int:
    latest = session.scalar(
        select(func.max(Submission.version)).where(
            Submission.place_id == place_id,
            Submission.agency_id == agency_id,
            Submission.financial_year == financial_year,
        )
    )
    return (latest or 0) + 1


def supersede(session: Session, place_id: str, agency_id: str, financial_year: str) -> None:
    session.execute(
        update(Submission)
        .where(
            Submission.place_id == place_id,
            Submission.agency_id == agency_id,
            Submission.financial_year == financial_year,
            Submission.status == "current",
        )
        .values(status="superseded")
    )


def classification_rules(session: Session, place_id: str) -> list[ClassificationRule]:
    return list(
        session.scalars(
            select(ClassificationRule)
            .where(ClassificationRule.place_id == place_id)
            .order_by(ClassificationRule.agency_id, ClassificationRule.service)
        )
    )


def classification_frame(session: Session, place_id: str) -> pl.DataFrame:
    rules = classification_rules(session, place_id)
    return pl.DataFrame(
        {
            "agency_id": [r.agency_id for r in rules],
            "service": [r.service for r in rules],
            "cofog": [r.cofog for r in rules],
        },
        schema={"agency_id": pl.String, "service": pl.String, "cofog": pl.String},
    )


def set_classification_rule(
    session: Session,
    place_id: str,
    agency_id: str,
    service: str,
    cofog: str,
    sercop: str | None,
    actor: str,
) -> None:
    rule = session.get(ClassificationRule, (place_id, agency_id, service))
    if rule is None:
        session.add(
            ClassificationRule(
                place_id=place_id,
                agency_id=agency_id,
                service=service,
                cofog=cofog,
                sercop=sercop,
                set_by=actor,
                set_at=now(),
            )
        )
    else:
        rule.cofog, rule.sercop, rule.set_by, rule.set_at = cofog, sercop, actor, now()


def column_mapping(session: Session, place_id: str, agency_id: str) -> dict[str, object] | None:
    saved = session.get(ColumnMapping, (place_id, agency_id))
    return None if saved is None else dict(saved.mapping)


def save_column_mapping(
    session: Session, place_id: str, agency_id: str, mapping: dict[str, object], actor: str
) -> None:
    saved = session.get(ColumnMapping, (place_id, agency_id))
    if saved is None:
        session.add(
            ColumnMapping(
                place_id=place_id,
                agency_id=agency_id,
                mapping=mapping,
                saved_by=actor,
                saved_at=now(),
            )
        )
    else:
        saved.mapping, saved.saved_by, saved.saved_at = mapping, actor, now()


def audit(
    session: Session, actor: str, action: str, place_id: str | None, detail: dict[str, object]
) -> None:
    session.add(AuditEntry(at=now(), actor=actor, action=action, place_id=place_id, detail=detail))


def audit_log(session: Session, place_id: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if place_id is not None:
        query = query.where(AuditEntry.place_id == place_id)
    return list(session.scalars(query))
