"""The store's table of deleted records: one row per deleted record, whatever it was."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from totalplace.core.store.base import Base


class DeletedRecord(Base):
    """A record taken out of its table, kept as the place data package writes it (its
    table's resource name and the record's fields), so that it can be put back."""

    __tablename__ = "deleted_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    place_id: Mapped[str] = mapped_column(
        ForeignKey("places.place_id", ondelete="CASCADE"), index=True
    )
    resource: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(300))
    record: Mapped[dict[str, object]] = mapped_column(JSON)
    deleted_by: Mapped[str] = mapped_column(String(320))
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
