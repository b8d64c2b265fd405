"""The store's table of issued reports: each version kept whole, never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from totalplace.core.store.base import Base


class ReportRow(Base):
    """An issued report (docs/formats/reports.md): its whole content as JSON, with the
    SHA-256 of that content so a changed copy is seen."""

    __tablename__ = "reports"
    place_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("places.place_id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7))
    stage: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(320))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
