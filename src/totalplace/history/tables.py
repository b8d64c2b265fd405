"""The store's tables and queries of history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from totalplace.core.store.base import Base


class HistoryProject(Base):
    """A learning history: its quote bank, codes, sections and glossary, as one document."""

    __tablename__ = "history_projects"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
