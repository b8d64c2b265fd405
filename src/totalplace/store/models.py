"""The relational schema. Money is integer pence; shares are exact decimal text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _of_an_agency() -> ForeignKeyConstraint:
    """Rows that belong to one agency of one place go when the agency goes."""
    return ForeignKeyConstraint(
        ["place_id", "agency_id"], ["agencies.place_id", "agencies.agency_id"], ondelete="CASCADE"
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Place(Base):
    __tablename__ = "places"
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    gss_codes: Mapped[str] = mapped_column(Text)  # `;`-separated, as in the package
    extras: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Population(Base):
    __tablename__ = "populations"
    place_id: Mapped[str] = mapped_column(
        ForeignKey("places.place_id", ondelete="CASCADE"), primary_key=True
    )
    gss_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    population: Mapped[int] = mapped_column(BigInteger)
    extras: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Agency(Base):
    __tablename__ = "agencies"
    place_id: Mapped[str] = mapped_column(
        ForeignKey("places.place_id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    agency_type: Mapped[str] = mapped_column(String(100))
    extras: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Apportionment(Base):
    __tablename__ = "apportionments"
    __table_args__ = (_of_an_agency(),)
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    share: Mapped[str] = mapped_column(String(40))  # exact decimal text, 0 to 1
    basis: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    extras: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class Submission(Base):
    """One version of one agency's return for one year; its lines are a Parquet file."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("place_id", "agency_id", "financial_year", "version"),
        _of_an_agency(),
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


class ClassificationRule(Base):
    """An agency's own service or cost-centre name, mapped to COFOG and SeRCOP."""

    __tablename__ = "classification_rules"
    __table_args__ = (_of_an_agency(),)
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    service: Mapped[str] = mapped_column(String(300), primary_key=True)
    cofog: Mapped[str] = mapped_column(String(10))
    sercop: Mapped[str | None] = mapped_column(String(10), nullable=True)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ColumnMapping(Base):
    """The column mapping an agency's files were last read with, to reuse next time."""

    __tablename__ = "column_mappings"
    __table_args__ = (_of_an_agency(),)
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    mapping: Mapped[dict[str, object]] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    place_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Membership(Base):
    """A user's role in a place: lead, analyst, contributor (for one agency) or viewer."""

    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[str] = mapped_column(
        ForeignKey("places.place_id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Invitation(Base):
    __tablename__ = "invitations"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    place_id: Mapped[str] = mapped_column(ForeignKey("places.place_id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    invited_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


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


class BusinessCase(Base):
    """An invest-to-save case of a place, kept as its case file (docs/formats/case.md)."""

    __tablename__ = "business_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    place_id: Mapped[str] = mapped_column(
        ForeignKey("places.place_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    spec: Mapped[dict[str, object]] = mapped_column(JSON)
    added_by: Mapped[str] = mapped_column(String(320))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JourneyRecord(Base):
    """A citizen's journey of a place, kept pseudonymised (docs/formats/journeys.md)."""

    __tablename__ = "journeys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    place_id: Mapped[str] = mapped_column(
        ForeignKey("places.place_id", ondelete="CASCADE"), index=True
    )
    journey_id: Mapped[str] = mapped_column(String(200))
    steps: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    person: Mapped[str] = mapped_column(String(40))
    cohort_per_year: Mapped[float] = mapped_column(default=0.0)
    price_year: Mapped[str | None] = mapped_column(String(7), nullable=True)
    quotes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    added_by: Mapped[str] = mapped_column(String(320))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ModelRecord(Base):
    """A cost-of-failure model of a place, kept as its model file (docs/formats/model.md)."""

    __tablename__ = "models"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    place_id: Mapped[str] = mapped_column(
        ForeignKey("places.place_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    spec: Mapped[dict[str, object]] = mapped_column(JSON)
    added_by: Mapped[str] = mapped_column(String(320))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HistoryProject(Base):
    """A learning history: its quote bank, codes, sections and glossary, as one document."""

    __tablename__ = "history_projects"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
