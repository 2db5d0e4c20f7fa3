"""join claims: tries at the date of birth, claims waiting for the unit head, joins that can be undone

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "join_claim",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("invite_id", BIG_ID, nullable=True),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("granted", sa.String(length=200), nullable=True),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_join_claim_person_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invite_id"], ["invite.id"], name=op.f("fk_join_claim_invite_id_invite"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_claim")),
        sa.UniqueConstraint("telegram_id", "person_id", name="uq_join_claim_account_person"),
    )
    with op.batch_alter_table("join_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_join_claim_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("join_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_join_claim_person_id"))
    op.drop_table("join_claim")
