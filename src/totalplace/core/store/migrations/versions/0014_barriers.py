"""barriers to joint working

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
# Other branches add 0012-0013; the lead re-points this when merging.
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "barriers",
        sa.Column("place_id", sa.String(length=100), nullable=False),
        sa.Column("tracking_number", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("rule", sa.String(length=300), nullable=False),
        sa.Column("raised_by_agency", sa.String(length=300), nullable=False),
        sa.Column("raised_by_person", sa.String(length=300), nullable=False),
        sa.Column("raised_on", sa.String(length=10), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("added_by", sa.String(length=320), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["places.place_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("place_id", "tracking_number"),
    )


def downgrade() -> None:
    op.drop_table("barriers")
