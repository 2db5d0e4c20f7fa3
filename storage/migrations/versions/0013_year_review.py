"""what a school year in the console and a review found (issue 18): joins waiting for the head's word
(its parts for the outbox and reminders landed empty; they moved to 0015)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

Each part of the issue keeps its own function below, so parts built side by side do not collide.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.db  # noqa: F401

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.db.UTCDateTime(timezone=True)


# --- the outbox: expiry, claims by process, heartbeats (items 1-3) -------------------------------
def _outbox_up() -> None:
    pass


def _outbox_down() -> None:
    pass


# --- joins waiting for the unit head's confirmation (items 14, 15, 32) ---------------------------
def _join_up() -> None:
    """A claim of someone not on the roster (no person yet: the name and unit typed); a head's invite that
    replaces the unit's head."""
    with op.batch_alter_table("join_claim", schema=None) as batch_op:
        batch_op.alter_column("person_id", existing_type=BIG_ID, nullable=True)
        batch_op.add_column(sa.Column("unit_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("full_name", sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_join_claim_unit_id_unit"), "unit", ["unit_id"], ["id"])
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.BigInteger(), nullable=True))


def _join_down() -> None:
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_column("replaces_id")
    op.execute("DELETE FROM join_claim WHERE person_id IS NULL")
    with op.batch_alter_table("join_claim", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_join_claim_unit_id_unit"), type_="foreignkey")
        batch_op.drop_column("full_name")
        batch_op.drop_column("unit_id")
        batch_op.alter_column("person_id", existing_type=BIG_ID, nullable=False)


# --- reminders: the council's review meeting (item 21) -------------------------------------------
def _reminders_up() -> None:
    pass


def _reminders_down() -> None:
    pass


# --- registration, nominations and announcements (items 16-29) -----------------------------------
def _features_up() -> None:
    pass


def _features_down() -> None:
    pass


def upgrade() -> None:
    _outbox_up()
    _join_up()
    _reminders_up()
    _features_up()


def downgrade() -> None:
    _features_down()
    _reminders_down()
    _join_down()
    _outbox_down()
