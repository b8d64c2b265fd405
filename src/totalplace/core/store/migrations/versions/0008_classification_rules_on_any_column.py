"""classification rules match any column of a line, and an agency default; a return
sent back carries the analyst's comment

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every rule so far matched the service name; the key gains the column matched.
    with op.batch_alter_table("classification_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "field",
                sa.String(length=30),
                nullable=False,
                server_default=sa.text("'service'"),
            )
        )
        batch_op.alter_column("service", new_column_name="value", existing_type=sa.String(300))
        # SQLite's copy of the table has an unnamed key, which the new one replaces.
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint("pk_classification_rules", type_="primary")
        batch_op.create_primary_key(
            "pk_classification_rules", ["place_id", "agency_id", "field", "value"]
        )
    with op.batch_alter_table("classification_rules", schema=None) as batch_op:
        batch_op.alter_column("field", server_default=None, existing_type=sa.String(30))

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("comment")
    op.execute("DELETE FROM classification_rules WHERE field <> 'service'")
    with op.batch_alter_table("classification_rules", schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint("pk_classification_rules", type_="primary")
        batch_op.alter_column("value", new_column_name="service", existing_type=sa.String(300))
        batch_op.drop_column("field")
        batch_op.create_primary_key("pk_classification_rules", ["place_id", "agency_id", "service"])
