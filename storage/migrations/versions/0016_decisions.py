"""decisions: the public comment period and objections, decisions and their signers, commendations with
their money, proposals upward (issue 20); the round's comment period from the plan

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.db.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _id() -> sa.Column:
    return sa.Column("id", BIG_ID, nullable=False)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _plan_up() -> None:
    with op.batch_alter_table("plan_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("comment_source", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("comment_to_confirm", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def _plan_down() -> None:
    with op.batch_alter_table("plan_round", schema=None) as batch_op:
        for column in ("comment_to_confirm", "comment_source", "comment_days"):
            batch_op.drop_column(column)


def _comment_up() -> None:
    op.create_table(
        "comment_period",
        _id(),
        sa.Column("round_id", BIG_ID, nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("opens_at", WHEN, nullable=False),
        sa.Column("closes_at", WHEN, nullable=False),
        sa.Column("broadcast_id", BIG_ID, nullable=True),
        sa.Column("published_by", BIG_ID, nullable=True),
        _fk("comment_period", "round_id", "plan_round"),
        _fk("comment_period", "broadcast_id", "broadcast"),
        _fk("comment_period", "published_by", "person"),
        _pk("comment_period"),
        sa.UniqueConstraint("round_id", name=op.f("uq_comment_period_round_id")),
    )
    op.create_table(
        "objection",
        _id(),
        sa.Column("round_id", BIG_ID, nullable=False),
        sa.Column("nomination_id", BIG_ID, nullable=False),
        sa.Column("objector_id", BIG_ID, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", BIG_ID, nullable=True),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("deadline", WHEN, nullable=True),
        sa.Column("supplied", sa.Text(), nullable=True),
        sa.Column("supplied_by", BIG_ID, nullable=True),
        sa.Column("supplied_at", WHEN, nullable=True),
        sa.Column("reballot_id", BIG_ID, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("objection", "round_id", "plan_round"),
        _fk("objection", "nomination_id", "nomination"),
        _fk("objection", "objector_id", "person"),
        _fk("objection", "answered_by", "person"),
        _fk("objection", "supplied_by", "person"),
        _fk("objection", "reballot_id", "voting_round"),
        _pk("objection"),
    )
    _indexes("objection", "round_id", "nomination_id", "objector_id")


def _decision_up() -> None:
    op.create_table(
        "signing_delegation",
        _id(),
        sa.Column("principal_id", BIG_ID, nullable=False),
        sa.Column("deputy_id", BIG_ID, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("signing_delegation", "principal_id", "person"),
        _fk("signing_delegation", "deputy_id", "person"),
        _fk("signing_delegation", "created_by", "person"),
        _pk("signing_delegation"),
    )
    _indexes("signing_delegation", "deputy_id")
    op.create_table(
        "decision",
        _id(),
        sa.Column("round_id", BIG_ID, nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("number_key", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("signer_id", BIG_ID, nullable=False),
        sa.Column("signed_as", sa.String(length=10), nullable=False),
        sa.Column("delegation_id", BIG_ID, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_by", BIG_ID, nullable=True),
        sa.Column("recorded_at", WHEN, nullable=False),
        _fk("decision", "round_id", "plan_round"),
        _fk("decision", "signer_id", "person"),
        _fk("decision", "delegation_id", "signing_delegation"),
        _fk("decision", "recorded_by", "person"),
        _pk("decision"),
        sa.UniqueConstraint("year", "number_key", name="uq_decision_year_number_key"),
    )
    _indexes("decision", "round_id")
    op.create_table(
        "decision_item",
        _id(),
        sa.Column("decision_id", BIG_ID, nullable=False),
        sa.Column("nomination_id", BIG_ID, nullable=False),
        sa.Column("left_out", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _fk("decision_item", "decision_id", "decision"),
        _fk("decision_item", "nomination_id", "nomination"),
        _pk("decision_item"),
        sa.UniqueConstraint("decision_id", "nomination_id", name="uq_decision_item_decision_id"),
    )
    _indexes("decision_item", "decision_id", "nomination_id")


def _commendation_up() -> None:
    op.create_table(
        "commendation",
        _id(),
        sa.Column("subject", sa.String(length=12), nullable=False),
        sa.Column("person_id", BIG_ID, nullable=True),
        sa.Column("unit_id", BIG_ID, nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("decision_id", BIG_ID, nullable=True),
        sa.Column("nomination_id", BIG_ID, nullable=True),
        sa.Column("decision_number", sa.String(length=60), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("factor", sa.String(length=20), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("amount_provisional", sa.Boolean(), nullable=False),
        sa.Column("paid", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.Column("recovery", sa.String(length=12), nullable=True),
        sa.Column("recovered_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("commendation", "person_id", "person"),
        _fk("commendation", "unit_id", "unit"),
        _fk("commendation", "decision_id", "decision"),
        _fk("commendation", "nomination_id", "nomination"),
        _pk("commendation"),
        sa.UniqueConstraint("nomination_id", name=op.f("uq_commendation_nomination_id")),
    )
    _indexes("commendation", "person_id", "unit_id", "decision_id")
    op.create_table(
        "proposal",
        _id(),
        sa.Column("round_id", BIG_ID, nullable=False),
        sa.Column("nomination_id", BIG_ID, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("upper_number", sa.String(length=60), nullable=True),
        sa.Column("upper_date", sa.Date(), nullable=True),
        sa.Column("commendation_id", BIG_ID, nullable=True),
        sa.Column("updated_by", BIG_ID, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        _fk("proposal", "round_id", "plan_round"),
        _fk("proposal", "nomination_id", "nomination"),
        _fk("proposal", "commendation_id", "commendation"),
        _fk("proposal", "updated_by", "person"),
        _pk("proposal"),
        sa.UniqueConstraint("nomination_id", name=op.f("uq_proposal_nomination_id")),
    )
    _indexes("proposal", "round_id")


def upgrade() -> None:
    _plan_up()
    _comment_up()
    _decision_up()
    _commendation_up()


def downgrade() -> None:
    for table in (
        "proposal",
        "commendation",
        "decision_item",
        "decision",
        "signing_delegation",
        "objection",
        "comment_period",
    ):
        op.drop_table(table)
    _plan_down()
