"""difficulty: difficulties raised to the council's standing office

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "difficulty",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("author_id", BIG_ID, nullable=False),
        sa.Column("unit_id", BIG_ID, nullable=True),
        sa.Column("on_behalf_of_unit", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("file_kind", sa.String(length=10), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("topic_kind", sa.String(length=10), nullable=True),
        sa.Column("topic_code", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", BIG_ID, nullable=True),
        sa.Column("answered_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("forwarded_by", BIG_ID, nullable=True),
        sa.Column("forwarded_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("principal_reply", sa.Text(), nullable=True),
        sa.Column("principal_reply_by", BIG_ID, nullable=True),
        sa.Column("principal_replied_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"], name=op.f("fk_difficulty_author_id_person")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_difficulty_unit_id_unit")),
        sa.ForeignKeyConstraint(["answered_by"], ["person.id"], name=op.f("fk_difficulty_answered_by_person")),
        sa.ForeignKeyConstraint(["forwarded_by"], ["person.id"], name=op.f("fk_difficulty_forwarded_by_person")),
        sa.ForeignKeyConstraint(
            ["principal_reply_by"], ["person.id"], name=op.f("fk_difficulty_principal_reply_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_difficulty")),
    )
    with op.batch_alter_table("difficulty", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_difficulty_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_difficulty_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index("ix_difficulty_state_created", ["state", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("difficulty", schema=None) as batch_op:
        batch_op.drop_index("ix_difficulty_state_created")
        batch_op.drop_index(batch_op.f("ix_difficulty_unit_id"))
        batch_op.drop_index(batch_op.f("ix_difficulty_author_id"))
    op.drop_table("difficulty")
