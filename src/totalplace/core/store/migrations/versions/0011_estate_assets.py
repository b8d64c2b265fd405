"""the public estate: assets

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
# Other branches add 0007-0010; the lead re-points this when merging.
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("place_id", sa.String(length=100), nullable=False),
        sa.Column("asset_id", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("uprn", sa.String(length=20), nullable=False),
        sa.Column("latitude", sa.String(length=40), nullable=False),
        sa.Column("longitude", sa.String(length=40), nullable=False),
        sa.Column("tenure", sa.String(length=40), nullable=False),
        sa.Column("use", sa.String(length=300), nullable=False),
        sa.Column("gia_m2", sa.String(length=40), nullable=False),
        sa.Column("vacant", sa.String(length=5), nullable=False),
        sa.Column("running_cost_pence", sa.Integer(), nullable=True),
        sa.Column("lease_expiry", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("location_note", sa.String(length=200), nullable=False),
        sa.Column("extras", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id", "agency_id"],
            ["agencies.place_id", "agencies.agency_id"],
            name=op.f("fk_assets_place_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("place_id", "asset_id", name=op.f("pk_assets")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assets_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assets_agency_id"))
    op.drop_table("assets")
