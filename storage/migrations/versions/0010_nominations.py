"""nominations: commendation nominations, their good deeds, the nomination window's extensions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0010"
down_revision: str | None = "0009"
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
        "nomination",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("round_id", BIG_ID, nullable=False),
        sa.Column("subject", sa.String(length=12), nullable=False),
        sa.Column("owner", sa.String(length=24), nullable=False),
        sa.Column("person_id", BIG_ID, nullable=True),
        sa.Column("unit_id", BIG_ID, nullable=False),
        sa.Column("commendation_id", BIG_ID, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("report_state", sa.String(length=10), nullable=False),
        sa.Column("report_text", sa.Text(), nullable=True),
        sa.Column("report_file_id", sa.String(length=255), nullable=True),
        sa.Column("report_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        _fk("nomination", "round_id", "plan_round"),
        _fk("nomination", "person_id", "person"),
        _fk("nomination", "unit_id", "unit"),
        _fk("nomination", "commendation_id", "plan_commendation"),
        _fk("nomination", "created_by", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination")),
        sa.UniqueConstraint(
            "round_id", "owner", "commendation_id", name="uq_nomination_round_owner_commendation"
        ),
    )
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        for column in ("round_id", "person_id", "unit_id", "commendation_id"):
            batch_op.create_index(batch_op.f(f"ix_nomination_{column}"), [column], unique=False)
        batch_op.create_index(
            "ix_nomination_round_unit_state", ["round_id", "unit_id", "state"], unique=False
        )

    op.create_table(
        "nomination_good_deed",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("nomination_id", BIG_ID, nullable=False),
        sa.Column("good_deed_id", BIG_ID, nullable=False),
        _fk("nomination_good_deed", "nomination_id", "nomination", ondelete="CASCADE"),
        _fk("nomination_good_deed", "good_deed_id", "good_deed"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_good_deed")),
        sa.UniqueConstraint("nomination_id", "good_deed_id", name="uq_nomination_good_deed_nomination_id"),
    )
    with op.batch_alter_table("nomination_good_deed", schema=None) as batch_op:
        for column in ("nomination_id", "good_deed_id"):
            batch_op.create_index(batch_op.f(f"ix_nomination_good_deed_{column}"), [column], unique=False)

    op.create_table(
        "nomination_extension",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("round_id", BIG_ID, nullable=False),
        sa.Column("closes_at", WHEN, nullable=False),
        sa.Column("set_by", BIG_ID, nullable=True),
        sa.Column("set_at", WHEN, nullable=False),
        _fk("nomination_extension", "round_id", "plan_round"),
        _fk("nomination_extension", "set_by", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_extension")),
        sa.UniqueConstraint("round_id", name=op.f("uq_nomination_extension_round_id")),
    )


def downgrade() -> None:
    op.drop_table("nomination_extension")
    with op.batch_alter_table("nomination_good_deed", schema=None) as batch_op:
        for column in ("good_deed_id", "nomination_id"):
            batch_op.drop_index(batch_op.f(f"ix_nomination_good_deed_{column}"))
    op.drop_table("nomination_good_deed")
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.drop_index("ix_nomination_round_unit_state")
        for column in ("commendation_id", "unit_id", "person_id", "round_id"):
            batch_op.drop_index(batch_op.f(f"ix_nomination_{column}"))
    op.drop_table("nomination")
