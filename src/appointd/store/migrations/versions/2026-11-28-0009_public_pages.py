"""Public pages: online booking per location, staff calendar feeds, shared rate-limit counters.

Revision ID: 0009
Revises: 0001
Created: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("online_booking", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("booking_slug", sa.String(length=60), nullable=True))
        # The slug is the public address of a booking page, so it is unique across accounts,
        # like an API key's hash (a routing key, not tenant data).
        batch_op.create_index("uq_locations_booking_slug", ["booking_slug"], unique=True)

    op.create_table(
        "calendar_feeds",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("staff_id", _ID, nullable=False),
        # sha256 of the secret token in the feed's URL; never the token itself.
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_calendar_feeds_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_calendar_feeds_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.UniqueConstraint("account_id", "staff_id", name="uq_calendar_feeds_account_staff"),
    )

    op.create_table(
        "rate_limit_hits",
        # "<bucket>:<client address>"; not tenant data, so no account_id.
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "window_start", name=op.f("pk_rate_limit_hits")),
    )
    op.create_index("ix_rate_limit_hits_window", "rate_limit_hits", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_hits_window", table_name="rate_limit_hits")
    op.drop_table("rate_limit_hits")
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index("uq_locations_booking_slug")
        batch_op.drop_column("booking_slug")
        batch_op.drop_column("online_booking")
