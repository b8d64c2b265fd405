"""The store's tables and queries of models."""

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
