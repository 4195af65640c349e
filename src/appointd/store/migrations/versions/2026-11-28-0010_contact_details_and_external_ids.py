"""Contact details and integrators' own ids: a phone for staff, ``external_id`` on staff,
services and resources (clients have one already), and clients' phones, address, date of birth,
notes and face-private ``extra`` document. Each of the four tables gets an index on
(account_id, external_id), for the faces' "internal or external id" lookups.

Revision ID: 0010
Revises: 0001
Created: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_EXTERNAL = ("staff", "services", "resources", "clients")


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("phone", sa.String(64), nullable=True))
    for table in ("staff", "services", "resources"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("external_id", sa.String(200), nullable=True))
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("phones", JSON, server_default="[]", nullable=False))
        batch.add_column(sa.Column("address", JSON, nullable=True))
        batch.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch.add_column(sa.Column("extra", JSON, server_default="{}", nullable=False))
    for table in _EXTERNAL:
        # Not unique: integrators' ids are theirs, and an id may have been reused after an
        # archive; lookups prefer a live row, then the oldest.
        op.create_index(f"ix_{table}_account_external", table, ["account_id", "external_id"])


def downgrade() -> None:
    for table in _EXTERNAL:
        op.drop_index(f"ix_{table}_account_external", table_name=table)
    with op.batch_alter_table("clients") as batch:
        for column in ("extra", "notes", "date_of_birth", "address", "phones"):
            batch.drop_column(column)
    for table in ("resources", "services", "staff"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("external_id")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("phone")
