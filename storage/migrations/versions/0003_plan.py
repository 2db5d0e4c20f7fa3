"""plan: periods, movements, titles and award forms, money, school years, rounds, reminder rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = storage.db.JsonType


def upgrade() -> None:
    op.create_table(
        "plan_period",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("title_vi", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("purpose_vi", sa.Text(), nullable=True),
        sa.Column("purpose_en", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("document_path", sa.String(length=500), nullable=True),
        sa.Column("document_title_vi", sa.String(length=300), nullable=True),
        sa.Column("document_title_en", sa.String(length=300), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("nominee_can_read_summary", sa.Boolean(), nullable=False),
        sa.Column("secret_ballot", sa.Boolean(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.String(length=500), nullable=True),
        sa.Column("source_yaml", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_period")),
        sa.UniqueConstraint("code", name=op.f("uq_plan_period_code")),
    )
    op.create_table(
        "plan_commendation",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=12), nullable=True),
        sa.Column("subjects", JSON, nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("decided_by", sa.String(length=10), nullable=False),
        sa.Column("registration_required", sa.Boolean(), nullable=False),
        sa.Column("threshold_share", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("threshold_base", sa.String(length=12), nullable=False),
        sa.Column("threshold_source", sa.Text(), nullable=False),
        sa.Column("threshold_to_confirm", sa.Boolean(), nullable=False),
        sa.Column("quota_percent", sa.Numeric(precision=7, scale=3), nullable=True),
        sa.Column("quota_base", sa.String(length=12), nullable=True),
        sa.Column("quota_title", sa.String(length=32), nullable=True),
        sa.Column("quota_source", sa.Text(), nullable=True),
        sa.Column("quota_to_confirm", sa.Boolean(), nullable=False),
        sa.Column("criteria_rules", JSON, nullable=False),
        sa.Column("note_vi", sa.Text(), nullable=True),
        sa.Column("note_en", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("to_confirm", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["plan_period.id"], name=op.f("fk_plan_commendation_period_id_plan_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_commendation")),
        sa.UniqueConstraint("period_id", "code", name="uq_plan_commendation_period_code"),
    )
    with op.batch_alter_table("plan_commendation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_commendation_period_id"), ["period_id"], unique=False)

    op.create_table(
        "plan_document_file",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["plan_period.id"],
            name=op.f("fk_plan_document_file_period_id_plan_period"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_document_file")),
        sa.UniqueConstraint("period_id", "bot_id", name="uq_plan_document_file_period_bot"),
    )
    with op.batch_alter_table("plan_document_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_document_file_period_id"), ["period_id"], unique=False)

    op.create_table(
        "plan_money_value",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("to_confirm", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["plan_period.id"], name=op.f("fk_plan_money_value_period_id_plan_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_money_value")),
        sa.UniqueConstraint(
            "period_id", "kind", "effective_from", name="uq_plan_money_value_period_kind_day"
        ),
    )
    with op.batch_alter_table("plan_money_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_money_value_period_id"), ["period_id"], unique=False)

    op.create_table(
        "plan_movement",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("collective_vi", sa.Text(), nullable=False),
        sa.Column("collective_en", sa.Text(), nullable=True),
        sa.Column("individual_vi", sa.Text(), nullable=False),
        sa.Column("individual_en", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["period_id"], ["plan_period.id"], name=op.f("fk_plan_movement_period_id_plan_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_movement")),
        sa.UniqueConstraint("period_id", "code", name="uq_plan_movement_period_code"),
    )
    with op.batch_alter_table("plan_movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_movement_period_id"), ["period_id"], unique=False)

    op.create_table(
        "plan_reminder_rule",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(length=24), nullable=False),
        sa.Column("offsets", JSON, nullable=False),
        sa.Column("audience", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["plan_period.id"], name=op.f("fk_plan_reminder_rule_period_id_plan_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_reminder_rule")),
        sa.UniqueConstraint("period_id", "position", name="uq_plan_reminder_rule_period_position"),
    )
    with op.batch_alter_table("plan_reminder_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_reminder_rule_period_id"), ["period_id"], unique=False)

    op.create_table(
        "plan_school_year",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("registration_opens_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("registration_closes_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["plan_period.id"], name=op.f("fk_plan_school_year_period_id_plan_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_school_year")),
        sa.UniqueConstraint("period_id", "code", name="uq_plan_school_year_period_code"),
    )
    with op.batch_alter_table("plan_school_year", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_school_year_period_id"), ["period_id"], unique=False)

    op.create_table(
        "plan_award_factor",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("commendation_id", BIG_ID, nullable=False),
        sa.Column("subject", sa.String(length=12), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("factor", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("to_confirm", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commendation_id"],
            ["plan_commendation.id"],
            name=op.f("fk_plan_award_factor_commendation_id_plan_commendation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_award_factor")),
    )
    with op.batch_alter_table("plan_award_factor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_award_factor_commendation_id"), ["commendation_id"], unique=False
        )

    op.create_table(
        "plan_round",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("period_id", BIG_ID, nullable=False),
        sa.Column("school_year_id", BIG_ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("nominable", JSON, nullable=False),
        sa.Column("nominations_open_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("nominations_close_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("voting_open_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("voting_close_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ceremony_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("voting_opened_early_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voting_extended_to", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("occasion_vi", sa.String(length=300), nullable=True),
        sa.Column("occasion_en", sa.String(length=300), nullable=True),
        sa.Column("occasion_date", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["period_id"], ["plan_period.id"], name=op.f("fk_plan_round_period_id_plan_period")
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["plan_school_year.id"],
            name=op.f("fk_plan_round_school_year_id_plan_school_year"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_round")),
        sa.UniqueConstraint("period_id", "code", name="uq_plan_round_period_code"),
    )
    with op.batch_alter_table("plan_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_round_period_id"), ["period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_round_school_year_id"), ["school_year_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_round_school_year_id"))
        batch_op.drop_index(batch_op.f("ix_plan_round_period_id"))

    op.drop_table("plan_round")
    with op.batch_alter_table("plan_award_factor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_award_factor_commendation_id"))

    op.drop_table("plan_award_factor")
    with op.batch_alter_table("plan_school_year", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_school_year_period_id"))

    op.drop_table("plan_school_year")
    with op.batch_alter_table("plan_reminder_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_reminder_rule_period_id"))

    op.drop_table("plan_reminder_rule")
    with op.batch_alter_table("plan_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_movement_period_id"))

    op.drop_table("plan_movement")
    with op.batch_alter_table("plan_money_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_money_value_period_id"))

    op.drop_table("plan_money_value")
    with op.batch_alter_table("plan_document_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_document_file_period_id"))

    op.drop_table("plan_document_file")
    with op.batch_alter_table("plan_commendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_commendation_period_id"))

    op.drop_table("plan_commendation")
    op.drop_table("plan_period")
