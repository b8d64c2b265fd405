"""The store's tables and queries of places."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from totalplace.core.store.base import Base, of_an_agency


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
    __table_args__ = (of_an_agency(),)
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    share: Mapped[str] = mapped_column(String(40))  # exact decimal text, 0 to 1
    basis: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    extras: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


def get_place(session: Session, place_id: str) -> Place | None:
    return session.get(Place, place_id)


def list_places(session: Session) -> list[Place]:
    return list(session.scalars(select(Place).order_by(Place.place_id)))


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
