"""registration: start-of-year registrations and their movements, the plan's acknowledgement, window extensions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = storage.db.JsonType
WHEN = storage.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "registration",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("school_year_id", BIG_ID, nullable=False),
        sa.Column("subject", sa.String(length=12), nullable=False),
        sa.Column("owner", sa.String(length=24), nullable=False),
        sa.Column("person_id", BIG_ID, nullable=True),
        sa.Column("unit_id", BIG_ID, nullable=False),
        sa.Column("title_id", BIG_ID, nullable=False),
        sa.Column("movement_ids", JSON, nullable=False),
        sa.Column("commitments", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("submitted_by", BIG_ID, nullable=True),
        sa.Column("submitted_at", WHEN, nullable=False),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("decided_by", BIG_ID, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["plan_school_year.id"],
            name=op.f("fk_registration_school_year_id_plan_school_year"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_registration_person_id_person")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_registration_unit_id_unit")),
        sa.ForeignKeyConstraint(
            ["title_id"], ["plan_commendation.id"], name=op.f("fk_registration_title_id_plan_commendation")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["person.id"], name=op.f("fk_registration_submitted_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["person.id"], name=op.f("fk_registration_decided_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
        sa.UniqueConstraint("school_year_id", "owner", name="uq_registration_school_year_owner"),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_school_year_id"), ["school_year_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registration_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registration_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registration_title_id"), ["title_id"], unique=False)
        batch_op.create_index(
            "ix_registration_year_unit_state", ["school_year_id", "unit_id", "state"], unique=False
        )

    op.create_table(
        "registration_movement",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("registration_id", BIG_ID, nullable=False),
        sa.Column("movement_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_registration_movement_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["plan_movement.id"],
            name=op.f("fk_registration_movement_movement_id_plan_movement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_movement")),
        sa.UniqueConstraint(
            "registration_id", "movement_id", name="uq_registration_movement_registration_id"
        ),
    )
    with op.batch_alter_table("registration_movement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_movement_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registration_movement_movement_id"), ["movement_id"], unique=False
        )

    op.create_table(
        "plan_acknowledgement",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("acknowledged_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["plan_period.id"], name=op.f("fk_plan_acknowledgement_period_id_plan_period")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_plan_acknowledgement_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_acknowledgement")),
        sa.UniqueConstraint("period_id", "person_id", name="uq_plan_acknowledgement_period_id"),
    )
    with op.batch_alter_table("plan_acknowledgement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_acknowledgement_period_id"), ["period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_acknowledgement_person_id"), ["person_id"], unique=False)

    op.create_table(
        "registration_extension",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("school_year_id", BIG_ID, nullable=False),
        sa.Column("scope", sa.String(length=24), nullable=False),
        sa.Column("unit_id", BIG_ID, nullable=True),
        sa.Column("closes_at", WHEN, nullable=False),
        sa.Column("set_by", BIG_ID, nullable=True),
        sa.Column("set_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["plan_school_year.id"],
            name=op.f("fk_registration_extension_school_year_id_plan_school_year"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_registration_extension_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["person.id"], name=op.f("fk_registration_extension_set_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_extension")),
        sa.UniqueConstraint("school_year_id", "scope", name="uq_registration_extension_school_year_id"),
    )
    with op.batch_alter_table("registration_extension", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_extension_school_year_id"), ["school_year_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registration_extension_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registration_extension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_extension_unit_id"))
        batch_op.drop_index(batch_op.f("ix_registration_extension_school_year_id"))
    op.drop_table("registration_extension")
    with op.batch_alter_table("plan_acknowledgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_acknowledgement_person_id"))
        batch_op.drop_index(batch_op.f("ix_plan_acknowledgement_period_id"))
    op.drop_table("plan_acknowledgement")
    with op.batch_alter_table("registration_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_movement_movement_id"))
        batch_op.drop_index(batch_op.f("ix_registration_movement_registration_id"))
    op.drop_table("registration_movement")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_year_unit_state")
        batch_op.drop_index(batch_op.f("ix_registration_title_id"))
        batch_op.drop_index(batch_op.f("ix_registration_unit_id"))
        batch_op.drop_index(batch_op.f("ix_registration_person_id"))
        batch_op.drop_index(batch_op.f("ix_registration_school_year_id"))
    op.drop_table("registration")
