"""The store's tables and queries of core."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    String,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from totalplace.core.store.base import Base, now


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    place_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


def audit(
    session: Session, actor: str, action: str, place_id: str | None, detail: dict[str, object]
) -> None:
    session.add(AuditEntry(at=now(), actor=actor, action=action, place_id=place_id, detail=detail))


def audit_log(session: Session, place_id: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if place_id is not None:
        query = query.where(AuditEntry.place_id == place_id)
    return list(session.scalars(query))
