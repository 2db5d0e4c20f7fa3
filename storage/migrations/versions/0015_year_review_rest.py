"""the rest of issue 18 and the council's vote in chat (issue 19, phase 2): the outbox's expiry and claims
by process, the council's review meeting, registration's returns and extensions, the vote's chat

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

Migration 0013 landed with some of its parts empty, so what those parts were to hold comes here (decision
27). Each part keeps its own function below, so parts built side by side do not collide.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.db  # noqa: F401

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.db.UTCDateTime(timezone=True)


# --- the outbox: expiry, claims by process, heartbeats (issue 18, items 1-3, 25) -----------------
def _outbox_up() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=32), nullable=True))
    op.create_table(
        "process_heartbeat",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("seen_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_heartbeat")),
    )


def _outbox_down() -> None:
    op.drop_table("process_heartbeat")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("expires_at")


# --- reminders: the council's review meeting (issue 18, items 21, 24, 30) ------------------------
def _reminders_up() -> None:
    # the council's review meeting (họp Hội đồng bình xét), apart from the award ceremony (item 21)
    with op.batch_alter_table("plan_round") as batch:
        batch.add_column(sa.Column("review_meeting_at", WHEN, nullable=True))
        batch.add_column(sa.Column("review_meeting_place", sa.String(300), nullable=True))


def _reminders_down() -> None:
    with op.batch_alter_table("plan_round") as batch:
        batch.drop_column("review_meeting_place")
        batch.drop_column("review_meeting_at")


# --- registration: returns and extensions (issue 18, items 16, 17, 20) ---------------------------
def _registration_up() -> None:
    pass


def _registration_down() -> None:
    pass


# --- the council's vote in chat (issue 19, phase 2) ----------------------------------------------
def _voting_up() -> None:
    pass


def _voting_down() -> None:
    pass


def upgrade() -> None:
    _outbox_up()
    _reminders_up()
    _registration_up()
    _voting_up()


def downgrade() -> None:
    _voting_down()
    _registration_down()
    _reminders_down()
    _outbox_down()
