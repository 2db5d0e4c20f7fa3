"""registration (person, school year) index: who has not registered, probed per person (issue 22, scale)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08

The reminders' "not registered" audience is a correlated NOT EXISTS over the person's registration of the
school year (bot/services/registration/audiences.py), an anti-join on PostgreSQL; SQLite runs it as one
probe per person, which this index serves. It replaces the index on `person_id` alone, which its first
column still serves.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index("ix_registration_person_year", ["person_id", "school_year_id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_registration_person_id"))


def downgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_person_id"), ["person_id"], unique=False)
        batch_op.drop_index("ix_registration_person_year")
