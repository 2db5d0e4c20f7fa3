"""good deeds: good_deed and its evidence files

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "good_deed",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("person_id", BIG_ID, nullable=True),
        sa.Column("unit_id", BIG_ID, nullable=False),
        sa.Column("reporter_id", BIG_ID, nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", BIG_ID, nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["plan_period.id"], name=op.f("fk_good_deed_period_id_plan_period")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_good_deed_person_id_person")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_good_deed_unit_id_unit")),
        sa.ForeignKeyConstraint(["reporter_id"], ["person.id"], name=op.f("fk_good_deed_reporter_id_person")),
        sa.ForeignKeyConstraint(["decided_by"], ["person.id"], name=op.f("fk_good_deed_decided_by_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_good_deed")),
    )
    with op.batch_alter_table("good_deed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_good_deed_period_id"), ["period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_good_deed_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index("ix_good_deed_unit_state", ["unit_id", "state"], unique=False)
        batch_op.create_index("ix_good_deed_person_state", ["person_id", "state"], unique=False)

    op.create_table(
        "good_deed_file",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("good_deed_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("file_unique_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["good_deed_id"],
            ["good_deed.id"],
            name=op.f("fk_good_deed_file_good_deed_id_good_deed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_good_deed_file")),
        sa.UniqueConstraint("good_deed_id", "position", name="uq_good_deed_file_good_deed_id"),
    )
    with op.batch_alter_table("good_deed_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_good_deed_file_good_deed_id"), ["good_deed_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("good_deed_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_good_deed_file_good_deed_id"))
    op.drop_table("good_deed_file")
    with op.batch_alter_table("good_deed", schema=None) as batch_op:
        batch_op.drop_index("ix_good_deed_person_state")
        batch_op.drop_index("ix_good_deed_unit_state")
        batch_op.drop_index(batch_op.f("ix_good_deed_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_good_deed_period_id"))
    op.drop_table("good_deed")
