"""channels and announcements: bound chats, broadcasts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.db.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str, **kw: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), **kw
    )


def upgrade() -> None:
    op.create_table(
        "chat_binding",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_type", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=True),
        sa.Column("unit_id", BIG_ID, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_by", BIG_ID, nullable=True),
        sa.Column("bound_by", BIG_ID, nullable=True),
        sa.Column("retired_reason", sa.String(length=40), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("chat_binding", "unit_id", "unit"),
        _fk("chat_binding", "added_by", "person"),
        _fk("chat_binding", "bound_by", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_binding")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_chat_binding_chat_id")),
    )
    op.create_table(
        "broadcast",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("created_by", BIG_ID, nullable=False),
        sa.Column("sender_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo_file_id", sa.String(length=255), nullable=True),
        sa.Column("targets", storage.db.JsonType, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("scheduled_at", WHEN, nullable=True),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("batch", sa.String(length=64), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("progress_row_id", BIG_ID, nullable=True),
        sa.Column("progress_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("broadcast", "created_by", "person"),
        _fk("broadcast", "progress_row_id", "outbox", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast")),
    )
    op.create_index(op.f("ix_broadcast_created_by"), "broadcast", ["created_by"])
    op.create_index(op.f("ix_broadcast_batch"), "broadcast", ["batch"])
    op.create_index("ix_broadcast_state_scheduled", "broadcast", ["state", "scheduled_at"])


def downgrade() -> None:
    op.drop_index("ix_broadcast_state_scheduled", table_name="broadcast")
    op.drop_index(op.f("ix_broadcast_batch"), table_name="broadcast")
    op.drop_index(op.f("ix_broadcast_created_by"), table_name="broadcast")
    op.drop_table("broadcast")
    op.drop_table("chat_binding")
