"""deleted records, kept 30 days to be restored

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
# Other branches add their own 0012+; the lead re-points this when merging.
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deleted_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("place_id", sa.String(length=100), nullable=False),
        sa.Column("resource", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("deleted_by", sa.String(length=320), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["places.place_id"],
            name=op.f("fk_deleted_records_place_id_places"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deleted_records")),
    )
    with op.batch_alter_table("deleted_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deleted_records_place_id"), ["place_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deleted_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deleted_records_place_id"))
    op.drop_table("deleted_records")
