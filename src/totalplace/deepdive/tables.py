"""The store's tables of a place's deep dives: its funding flows, its themes (when it has
edited the shipped ones) and its theme rules."""

from __future__ import annotations

from sqlalchemy import BigInteger, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from totalplace.core.store.base import Base


class FundingFlowRow(Base):
    """A flow of money as the place data package carries it (docs/formats/funding-flows.md):
    from and to any identifier (an agency of the place or a body outside it), in pence."""

    __tablename__ = "funding_flows"
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    stream: Mapped[str] = mapped_column(String(300))
    from_id: Mapped[str] = mapped_column(String(200), index=True)
    to_id: Mapped[str] = mapped_column(String(200), index=True)
    financial_year: Mapped[str] = mapped_column(String(7), index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    themes: Mapped[str] = mapped_column(String(500), default="")
    ring_fenced: Mapped[str] = mapped_column(String(5), default="")  # true, false or blank
    conditions: Mapped[str] = mapped_column(Text, default="")
    reporting: Mapped[str] = mapped_column(Text, default="")
    from_name: Mapped[str] = mapped_column(String(300), default="")
    to_name: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(Text, default="")


class ThemeRow(Base):
    """A place's own theme; a place with none uses the shipped themes."""

    __tablename__ = "deepdive_themes"
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    theme_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class ThemeRuleRow(Base):
    """A theme rule: lines whose `field` has `value` belong to the theme, by `share`
    (exact decimal text) for the reason in `basis`."""

    __tablename__ = "theme_rules"
    place_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    theme_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)
    share: Mapped[str] = mapped_column(String(40), default="1")
    basis: Mapped[str] = mapped_column(Text, default="")


def flows(session: Session, place_id: str) -> list[FundingFlowRow]:
    return list(
        session.scalars(
            select(FundingFlowRow)
            .where(FundingFlowRow.place_id == place_id)
            .order_by(FundingFlowRow.flow_id)
        )
    )


def themes(session: Session, place_id: str) -> list[ThemeRow]:
    return list(
        session.scalars(
            select(ThemeRow).where(ThemeRow.place_id == place_id).order_by(ThemeRow.theme_id)
        )
    )


def theme_rules(session: Session, place_id: str) -> list[ThemeRuleRow]:
    return list(
        session.scalars(
            select(ThemeRuleRow)
            .where(ThemeRuleRow.place_id == place_id)
            .order_by(ThemeRuleRow.theme_id, ThemeRuleRow.field, ThemeRuleRow.value)
        )
    )
