"""The store's table of a place's public estate: one row per asset of an agency."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from totalplace.core.store.base import Base, of_an_agency


class AssetRow(Base):
    """An asset as the place data package carries it (docs/formats/assets.md): text
    columns keep coordinates and floor areas exactly as given; money in integer pence."""

    __tablename__ = "assets"
    __table_args__ = (of_an_agency(),)
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    asset_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(500))
    uprn: Mapped[str] = mapped_column(String(20), default="")
    latitude: Mapped[str] = mapped_column(String(40), default="")
    longitude: Mapped[str] = mapped_column(String(40), default="")
    tenure: Mapped[str] = mapped_column(String(40), default="")
    use: Mapped[str] = mapped_column(String(300), default="")
    gia_m2: Mapped[str] = mapped_column(String(40), default="")
    vacant: Mapped[str] = mapped_column(String(5), default="")  # true, false or blank
    running_cost_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lease_expiry: Mapped[str] = mapped_column(String(10), default="")  # ISO date or blank
    source: Mapped[str] = mapped_column(Text, default="")
    location_note: Mapped[str] = mapped_column(String(200), default="")
    extras: Mapped[str] = mapped_column(Text, default="{}")  # a JSON object, as text


def assets(session: Session, place_id: str) -> list[AssetRow]:
    return list(
        session.scalars(
            select(AssetRow)
            .where(AssetRow.place_id == place_id)
            .order_by(AssetRow.agency_id, AssetRow.asset_id)
        )
    )


def asset_ids(session: Session, place_id: str) -> dict[str, str]:
    """Each asset's agency, by asset id."""
    rows = session.execute(
        select(AssetRow.asset_id, AssetRow.agency_id).where(AssetRow.place_id == place_id)
    )
    return {a: g for a, g in rows}
