"""outbox: batches, idempotency keys, cancelling, uploads (outbox_file), edits, machine-readable errors

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox_file",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("path", sa.String(length=1000), nullable=True),
        sa.Column("bot_id", sa.BigInteger(), nullable=True),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_file")),
        sa.UniqueConstraint("sha256", "kind", "name", name="uq_outbox_file_content"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_file_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("error", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("batch", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("edit_of_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("edit_message_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_batch"), ["batch"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_idempotency_key"), ["idempotency_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_outbox_file_id_outbox_file"), "outbox_file", ["outbox_file_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_edit_of_id_outbox"), "outbox", ["edit_of_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    # Rows the old code cannot handle must not be left for it to send.
    op.execute(
        "UPDATE outbox SET status = 'failed', last_error = 'downgraded' "
        "WHERE status IN ('pending', 'sending') AND (method LIKE 'edit%' OR outbox_file_id IS NOT NULL)"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_edit_of_id_outbox"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_outbox_outbox_file_id_outbox_file"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_outbox_idempotency_key"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_outbox_batch"))
        batch_op.drop_column("edit_message_id")
        batch_op.drop_column("edit_of_id")
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("batch")
        batch_op.drop_column("error")
        batch_op.drop_column("outbox_file_id")
    op.drop_table("outbox_file")
