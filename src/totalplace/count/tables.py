"""The store's tables and queries of count."""

from __future__ import annotations

from datetime import datetime

import polars as pl
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from totalplace.core.store.base import Base, now, of_an_agency


class Submission(Base):
    """One version of one agency's return for one year; its lines are a Parquet file."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("place_id", "agency_id", "financial_year", "version"),
        of_an_agency(),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    place_id: Mapped[str] = mapped_column(String(100), index=True)
    agency_id: Mapped[str] = mapped_column(String(100))
    financial_year: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # current or superseded
    kind: Mapped[str] = mapped_column(String(20))  # package or return
    source_files: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mapping: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    line_count: Mapped[int] = mapped_column(Integer)
    total_pence: Mapped[int] = mapped_column(BigInteger)
    lines_file: Mapped[str] = mapped_column(String(300))
    lines_sha256: Mapped[str] = mapped_column(String(64))
    # Why an analyst sent the return back to its agency, for the agency to read.
    comment: Mapped[str | None] = mapped_column(String(2000), nullable=True)


class ClassificationRule(Base):
    """A value in one column of an agency's lines (its service, cost centre, supplier,
    a word of its descriptions, ...) mapped to COFOG and SeRCOP; `field` "agency" with an
    empty value is the agency's default, for every line nothing else codes."""

    __tablename__ = "classification_rules"
    __table_args__ = (of_an_agency(),)
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    field: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)
    cofog: Mapped[str] = mapped_column(String(10))
    sercop: Mapped[str | None] = mapped_column(String(10), nullable=True)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ColumnMapping(Base):
    """The column mapping an agency's files were last read with, to reuse next time."""

    __tablename__ = "column_mappings"
    __table_args__ = (of_an_agency(),)
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    mapping: Mapped[dict[str, object]] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Publication(Base):
    """A published count: an immutable snapshot of the figures and the returns behind them."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("place_id", "financial_year", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    place_id: Mapped[str] = mapped_column(ForeignKey("places.place_id", ondelete="CASCADE"))
    financial_year: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)
    published_by: Mapped[str] = mapped_column(String(320))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    figures: Mapped[dict[str, object]] = mapped_column(JSON)
    returns: Mapped[list[dict[str, object]]] = mapped_column(JSON)


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
            .order_by(
                ClassificationRule.agency_id, ClassificationRule.field, ClassificationRule.value
            )
        )
    )


def classification_frame(session: Session, place_id: str) -> pl.DataFrame:
    rules = classification_rules(session, place_id)
    return pl.DataFrame(
        {
            "agency_id": [r.agency_id for r in rules],
            "field": [r.field for r in rules],
            "value": [r.value for r in rules],
            "cofog": [r.cofog for r in rules],
        },
        schema={
            "agency_id": pl.String,
            "field": pl.String,
            "value": pl.String,
            "cofog": pl.String,
        },
    )


def set_classification_rule(
    session: Session,
    place_id: str,
    agency_id: str,
    service: str,
    cofog: str,
    sercop: str | None,
    actor: str,
    field: str = "service",
) -> None:
    """Add or change the rule for `service`, a value of column `field`."""
    rule = session.get(ClassificationRule, (place_id, agency_id, field, service))
    if rule is None:
        session.add(
            ClassificationRule(
                place_id=place_id,
                agency_id=agency_id,
                field=field,
                value=service,
                cofog=cofog,
                sercop=sercop,
                set_by=actor,
                set_at=now(),
            )
        )
    else:
        rule.cofog, rule.sercop, rule.set_by, rule.set_at = cofog, sercop, actor, now()


def delete_classification_rule(
    session: Session, place_id: str, agency_id: str, field: str, value: str
) -> ClassificationRule | None:
    rule = session.get(ClassificationRule, (place_id, agency_id, field, value))
    if rule is not None:
        session.delete(rule)
    return rule


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
