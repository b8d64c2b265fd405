"""deep dives: funding flows, a place's themes and theme rules

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
# Other branches add 0012 and more; the lead re-points this when merging.
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funding_flows",
        sa.Column("place_id", sa.String(length=100), nullable=False),
        sa.Column("flow_id", sa.String(length=200), nullable=False),
        sa.Column("stream", sa.String(length=300), nullable=False),
        sa.Column("from_id", sa.String(length=200), nullable=False),
        sa.Column("to_id", sa.String(length=200), nullable=False),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("themes", sa.String(length=500), nullable=False),
        sa.Column("ring_fenced", sa.String(length=5), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("reporting", sa.Text(), nullable=False),
        sa.Column("from_name", sa.String(length=300), nullable=False),
        sa.Column("to_name", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("place_id", "flow_id", name=op.f("pk_funding_flows")),
    )
    with op.batch_alter_table("funding_flows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_flows_from_id"), ["from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_flows_to_id"), ["to_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funding_flows_financial_year"), ["financial_year"], unique=False
        )
    op.create_table(
        "deepdive_themes",
        sa.Column("place_id", sa.String(length=100), nullable=False),
        sa.Column("theme_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("place_id", "theme_id", name=op.f("pk_deepdive_themes")),
    )
    op.create_table(
        "theme_rules",
        sa.Column("place_id", sa.String(length=100), nullable=False),
        sa.Column("theme_id", sa.String(length=100), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("share", sa.String(length=40), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "place_id", "theme_id", "field", "value", name=op.f("pk_theme_rules")
        ),
    )


def downgrade() -> None:
    op.drop_table("theme_rules")
    op.drop_table("deepdive_themes")
    with op.batch_alter_table("funding_flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_flows_financial_year"))
        batch_op.drop_index(batch_op.f("ix_funding_flows_to_id"))
        batch_op.drop_index(batch_op.f("ix_funding_flows_from_id"))
    op.drop_table("funding_flows")
