"""documents: the emulation fund's income and the certificates' blanks (issue 21)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fund_entry",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["person.id"], name=op.f("fk_fund_entry_created_by_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_entry")),
    )
    with op.batch_alter_table("fund_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_entry_year"), ["year"], unique=False)
    op.create_table(
        "certificate_layout",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("data", storage.db.JsonType, nullable=False),
        sa.Column("updated_by", BIG_ID, nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["person.id"], name=op.f("fk_certificate_layout_updated_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_layout")),
        sa.UniqueConstraint("name", name=op.f("uq_certificate_layout_name")),
    )


def downgrade() -> None:
    op.drop_table("certificate_layout")
    with op.batch_alter_table("fund_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_entry_year"))
    op.drop_table("fund_entry")
