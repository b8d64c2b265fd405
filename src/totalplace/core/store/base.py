"""The store's tables and queries of core."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    ForeignKeyConstraint,
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def of_an_agency() -> ForeignKeyConstraint:
    """Rows that belong to one agency of one place go when the agency goes."""
    return ForeignKeyConstraint(
        ["place_id", "agency_id"], ["agencies.place_id", "agencies.agency_id"], ondelete="CASCADE"
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def now() -> datetime:
    return datetime.now(UTC)
