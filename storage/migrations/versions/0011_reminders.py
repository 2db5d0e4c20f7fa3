"""reminders: rules keyed by content, the acknowledgement and province-report deadlines, the ceremony's
time and place, pauses, mutes and the due work's marks

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.db.UTCDateTime(timezone=True)


def _rule_keys() -> None:
    """Each existing rule's key: its deadline and sorted audiences (a repeat gets its position)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, period_id, position, deadline, audience FROM plan_reminder_rule"))
    seen: set[tuple[int, str]] = set()
    for rid, period_id, position, deadline, audience in rows.fetchall():
        names = json.loads(audience) if isinstance(audience, str) else audience
        key = f"{deadline}:{','.join(sorted(set(names)))}"  # as bot.plan.schema.rule_key
        if (period_id, key) in seen:
            key = f"{key}#{position + 1}"
        seen.add((period_id, key))
        bind.execute(sa.text("UPDATE plan_reminder_rule SET key = :k WHERE id = :i"), {"k": key, "i": rid})


def upgrade() -> None:
    with op.batch_alter_table("plan_reminder_rule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=200), nullable=True))
    _rule_keys()
    with op.batch_alter_table("plan_reminder_rule", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_constraint("uq_plan_reminder_rule_period_position", type_="unique")
        batch_op.create_unique_constraint("uq_plan_reminder_rule_period_key", ["period_id", "key"])

    with op.batch_alter_table("plan_school_year", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acknowledgement_closes_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("province_report_at", WHEN, nullable=True))
    with op.batch_alter_table("plan_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ceremony_set_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("ceremony_place", sa.String(length=300), nullable=True))

    op.create_table(
        "reminder_pause",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("scope", sa.String(length=24), nullable=False),
        sa.Column("set_by", BIG_ID, nullable=True),
        sa.Column("set_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["set_by"], ["person.id"], name=op.f("fk_reminder_pause_set_by_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_pause")),
        sa.UniqueConstraint("scope", name=op.f("uq_reminder_pause_scope")),
    )
    op.create_table(
        "reminder_mute",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("set_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_reminder_mute_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_mute")),
        sa.UniqueConstraint("person_id", "kind", name="uq_reminder_mute_person_kind"),
    )
    with op.batch_alter_table("reminder_mute", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_mute_person_id"), ["person_id"], unique=False)
    op.create_table(
        "due_mark",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_due_mark")),
    )


def downgrade() -> None:
    op.drop_table("due_mark")
    with op.batch_alter_table("reminder_mute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_mute_person_id"))
    op.drop_table("reminder_mute")
    op.drop_table("reminder_pause")
    with op.batch_alter_table("plan_round", schema=None) as batch_op:
        batch_op.drop_column("ceremony_place")
        batch_op.drop_column("ceremony_set_at")
    with op.batch_alter_table("plan_school_year", schema=None) as batch_op:
        batch_op.drop_column("province_report_at")
        batch_op.drop_column("acknowledgement_closes_at")
    with op.batch_alter_table("plan_reminder_rule", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_reminder_rule_period_key", type_="unique")
        batch_op.create_unique_constraint("uq_plan_reminder_rule_period_position", ["period_id", "position"])
        batch_op.drop_column("key")
