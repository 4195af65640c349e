"""Repeating time off: ``repeated_from_id`` links a repeat to the first time off of its rule,
``repeat_rule`` keeps the rule as given (``{"rrule": ...}``), and ``updated_at`` records an
in-place change (filled from ``created_at`` for existing rows).

Revision ID: 0011
Revises: 0001
Created: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("time_off") as batch:
        batch.add_column(sa.Column("repeated_from_id", ID, nullable=True))
        batch.add_column(sa.Column("repeat_rule", JSON, nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            "fk_time_off_repeated_from_id_time_off", "time_off", ["repeated_from_id"], ["id"]
        )
        batch.create_index("ix_time_off_repeated_from_id", ["repeated_from_id"], unique=False)
    op.execute("UPDATE time_off SET updated_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("time_off") as batch:
        batch.drop_index("ix_time_off_repeated_from_id")
        batch.drop_constraint("fk_time_off_repeated_from_id_time_off", type_="foreignkey")
        for column in ("updated_at", "repeat_rule", "repeated_from_id"):
            batch.drop_column(column)
