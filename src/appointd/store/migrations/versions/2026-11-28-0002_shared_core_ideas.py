"""What the faces share: reference, manage token, price/paid, custom statuses, form fields,
cancellation, actors, external id and metadata, and the account-wide change sequence.

Revision ID: 0002
Revises: 0001
Created: 2026-11-28
"""

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = sa.DateTime(timezone=True)
# Copied here, not imported: a migration keeps meaning what it meant when it was written.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "custom_statuses",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("base_status", sa.String(20), nullable=False),
        sa.Column("archived_at", WHEN, nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_custom_statuses_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_statuses")),
    )
    op.create_index("ix_custom_statuses_account_id", "custom_statuses", ["account_id"])
    op.create_table(
        "form_fields",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("required", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("service_ids", JSON, nullable=False),
        sa.Column("value_format", sa.String(500), nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("archived_at", WHEN, nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_form_fields_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_fields")),
    )
    op.create_index("ix_form_fields_account_id", "form_fields", ["account_id"])
    op.create_table(
        "change_counters",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("change_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_change_counters_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_change_counters")),
    )
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("reference", sa.String(16), nullable=True))
        batch.add_column(sa.Column("manage_token", sa.String(64), nullable=True))
        batch.add_column(sa.Column("price", sa.Numeric(12, 2), nullable=True))
        batch.add_column(sa.Column("currency", sa.String(3), nullable=True))
        batch.add_column(sa.Column("paid", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(sa.Column("custom_status_id", ID, nullable=True))
        batch.add_column(sa.Column("form", JSON, server_default="[]", nullable=False))
        batch.add_column(sa.Column("cancellation_code", sa.String(40), nullable=True))
        batch.add_column(sa.Column("cancellation_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("cancelled_at", WHEN, nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("created_by", sa.String(200), server_default="", nullable=False))
        batch.add_column(sa.Column("updated_by", sa.String(200), server_default="", nullable=False))
        batch.add_column(sa.Column("external_id", sa.String(200), nullable=True))
        batch.add_column(sa.Column("metadata", JSON, server_default="{}", nullable=False))
        batch.add_column(
            sa.Column("change_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
    _backfill_codes()
    with op.batch_alter_table("appointments") as batch:
        batch.alter_column("reference", existing_type=sa.String(16), nullable=False)
        batch.alter_column("manage_token", existing_type=sa.String(64), nullable=False)
        batch.create_foreign_key(
            "fk_appointments_custom_status_id_custom_statuses",
            "custom_statuses",
            ["custom_status_id"],
            ["id"],
        )
        batch.create_unique_constraint(
            "uq_appointments_account_reference", ["account_id", "reference"]
        )
        batch.create_index("ix_appointments_manage_token", ["manage_token"], unique=True)
        batch.create_index("ix_appointments_account_change_seq", ["account_id", "change_seq"])
        batch.create_index("ix_appointments_account_updated", ["account_id", "updated_at"])
        batch.create_index("ix_appointments_account_created", ["account_id", "created_at"])
        batch.create_index("ix_appointments_account_external", ["account_id", "external_id"])


def _backfill_codes() -> None:
    """Give every existing appointment a reference (unique in its account) and a token."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, account_id FROM appointments")).all()
    taken: set[tuple[int, str]] = set()
    update = sa.text("UPDATE appointments SET reference = :r, manage_token = :t WHERE id = :id")
    batch = []
    for row in rows:
        while True:
            ref = "".join(secrets.choice(ALPHABET) for _ in range(8))
            if (row.account_id, ref) not in taken:
                break
        taken.add((row.account_id, ref))
        batch.append({"id": row.id, "r": ref, "t": secrets.token_urlsafe(24)})
        if len(batch) == 1000:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        for index in (
            "ix_appointments_manage_token",
            "ix_appointments_account_change_seq",
            "ix_appointments_account_updated",
            "ix_appointments_account_created",
            "ix_appointments_account_external",
        ):
            batch.drop_index(index)
        batch.drop_constraint("uq_appointments_account_reference", type_="unique")
        batch.drop_constraint(
            "fk_appointments_custom_status_id_custom_statuses", type_="foreignkey"
        )
        for column in (
            "reference",
            "manage_token",
            "price",
            "currency",
            "paid",
            "custom_status_id",
            "form",
            "cancellation_code",
            "cancellation_note",
            "cancelled_at",
            "cancelled_by",
            "created_by",
            "updated_by",
            "external_id",
            "metadata",
            "change_seq",
        ):
            batch.drop_column(column)
    op.drop_table("change_counters")
    op.drop_table("form_fields")
    op.drop_table("custom_statuses")
