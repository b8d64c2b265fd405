"""The store's table of barriers: one row per barrier of a place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from totalplace.core.store.base import Base


class BarrierRow(Base):
    """A barrier as the place data package carries it (docs/formats/barriers.md): its steps
    (status, date, reason) and what it blocks, as JSON lists."""

    __tablename__ = "barriers"
    place_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("places.place_id", ondelete="CASCADE"), primary_key=True
    )
    tracking_number: Mapped[str] = mapped_column(String(120), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str] = mapped_column(String(300))
    rule: Mapped[str] = mapped_column(String(300), default="")
    raised_by_agency: Mapped[str] = mapped_column(String(300))
    raised_by_person: Mapped[str] = mapped_column(String(300), default="")
    raised_on: Mapped[str] = mapped_column(String(10))
    steps: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    blocks: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    added_by: Mapped[str] = mapped_column(String(320))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
