"""The store's tables and queries of journeys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from totalplace.core.store.base import Base


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
