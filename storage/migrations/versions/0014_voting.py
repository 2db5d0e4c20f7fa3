"""voting: the council's vote (rounds, members, dossiers, sealed ballots, results), the exact thresholds and
the council's rules of the plan, and the criteria data (grades, discipline, initiatives)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from alembic import op

import storage.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.db.UTCDateTime(timezone=True)
JSON = storage.db.JsonType


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _id() -> sa.Column:
    return sa.Column("id", BIG_ID, nullable=False)


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


# --- the plan: exact shares, comparison, quorum, ties, quota rounding, recusal ------------------------
def _exact_shares() -> None:
    """Each stored share as two integers (0.5000 -> 1/2), for the rows loaded before."""
    bind = op.get_bind()
    for cid, share in bind.execute(sa.text("SELECT id, threshold_share FROM plan_commendation")).fetchall():
        exact = Fraction(Decimal(str(share))).limit_denominator(10000)
        bind.execute(
            sa.text("UPDATE plan_commendation SET threshold_num = :n, threshold_den = :d WHERE id = :i"),
            {"n": exact.numerator, "d": exact.denominator, "i": cid},
        )


def _plan_up() -> None:
    with op.batch_alter_table("plan_commendation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("threshold_num", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("threshold_den", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("threshold_comparison", sa.String(length=10), nullable=False, server_default="at_least")
        )
        batch_op.add_column(sa.Column("quorum_num", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quorum_den", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("tie_rule", sa.String(length=10), nullable=False, server_default="chair")
        )
        batch_op.add_column(sa.Column("quota_rounding", sa.String(length=12), nullable=True))
    _exact_shares()
    op.execute("UPDATE plan_commendation SET quota_rounding = 'down_min_one' WHERE quota_percent IS NOT NULL")
    with op.batch_alter_table("plan_commendation", schema=None) as batch_op:
        batch_op.alter_column("threshold_num", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("threshold_den", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("plan_period", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recusal_base", sa.String(length=10), nullable=False, server_default="excluded")
        )
        batch_op.add_column(sa.Column("recusal_source", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("recusal_to_confirm", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def _plan_down() -> None:
    with op.batch_alter_table("plan_period", schema=None) as batch_op:
        for column in ("recusal_to_confirm", "recusal_source", "recusal_base"):
            batch_op.drop_column(column)
    with op.batch_alter_table("plan_commendation", schema=None) as batch_op:
        for column in (
            "quota_rounding",
            "tie_rule",
            "quorum_den",
            "quorum_num",
            "threshold_comparison",
            "threshold_den",
            "threshold_num",
        ):
            batch_op.drop_column(column)


# --- the council's vote ------------------------------------------------------------------------------
def _voting_up() -> None:
    op.create_table(
        "voting_round",
        _id(),
        sa.Column("round_id", BIG_ID, nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("parent_id", BIG_ID, nullable=True),
        sa.Column("nomination_id", BIG_ID, nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("chair_id", BIG_ID, nullable=True),
        sa.Column("rules", JSON, nullable=False),
        sa.Column("key_salt", sa.String(length=32), nullable=True),
        sa.Column("key_check", sa.String(length=64), nullable=True),
        sa.Column("opened_at", WHEN, nullable=True),
        sa.Column("opened_early", sa.Boolean(), nullable=False),
        sa.Column("closes_at", WHEN, nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("tallied_at", WHEN, nullable=True),
        sa.Column("members_count", sa.Integer(), nullable=True),
        sa.Column("voters_count", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("voting_round", "round_id", "plan_round"),
        _fk("voting_round", "parent_id", "voting_round"),
        _fk("voting_round", "nomination_id", "nomination"),
        _fk("voting_round", "chair_id", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_round")),
        sa.UniqueConstraint("round_id", "scope", name="uq_voting_round_round_id"),
    )
    _indexes("voting_round", "round_id")
    op.create_table(
        "voting_member",
        _id(),
        sa.Column("voting_id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("origin", sa.String(length=6), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("changed_by", BIG_ID, nullable=True),
        sa.Column("changed_at", WHEN, nullable=False),
        _fk("voting_member", "voting_id", "voting_round"),
        _fk("voting_member", "person_id", "person"),
        _fk("voting_member", "changed_by", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_member")),
        sa.UniqueConstraint("voting_id", "person_id", name="uq_voting_member_voting_id"),
    )
    _indexes("voting_member", "voting_id", "person_id")
    op.create_table(
        "voting_dossier",
        _id(),
        sa.Column("voting_id", BIG_ID, nullable=False),
        sa.Column("nomination_id", BIG_ID, nullable=False),
        sa.Column("commendation_code", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=12), nullable=False),
        sa.Column("owner", sa.String(length=24), nullable=False),
        sa.Column("person_id", BIG_ID, nullable=True),
        sa.Column("unit_id", BIG_ID, nullable=False),
        sa.Column("recused", JSON, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("voting_dossier", "voting_id", "voting_round"),
        _fk("voting_dossier", "nomination_id", "nomination"),
        _fk("voting_dossier", "person_id", "person"),
        _fk("voting_dossier", "unit_id", "unit"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_dossier")),
        sa.UniqueConstraint("voting_id", "nomination_id", name="uq_voting_dossier_voting_id"),
    )
    _indexes("voting_dossier", "voting_id", "nomination_id")
    op.create_table(
        "ballot",
        _id(),
        sa.Column("voting_id", BIG_ID, nullable=False),
        sa.Column("dossier_id", BIG_ID, nullable=False),
        sa.Column("member_id", BIG_ID, nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=True),
        sa.Column("seal", sa.String(length=64), nullable=True),
        sa.Column("written", sa.Boolean(), nullable=False),
        sa.Column("entered_by", BIG_ID, nullable=True),
        sa.Column("cast_at", WHEN, nullable=False),
        _fk("ballot", "voting_id", "voting_round"),
        _fk("ballot", "dossier_id", "voting_dossier"),
        _fk("ballot", "member_id", "person"),
        _fk("ballot", "entered_by", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sa.UniqueConstraint("dossier_id", "member_id", name="uq_ballot_dossier_id"),
    )
    _indexes("ballot", "voting_id", "member_id")
    op.create_table(
        "voting_result",
        _id(),
        sa.Column("voting_id", BIG_ID, nullable=False),
        sa.Column("dossier_id", BIG_ID, nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.Column("agree", sa.Integer(), nullable=False),
        sa.Column("disagree", sa.Integer(), nullable=False),
        sa.Column("share_num", sa.Integer(), nullable=False),
        sa.Column("share_den", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("warnings", JSON, nullable=False),
        sa.Column("settled_outcome", sa.String(length=12), nullable=True),
        sa.Column("settled_by", BIG_ID, nullable=True),
        sa.Column("settled_at", WHEN, nullable=True),
        sa.Column("settle_reason", sa.Text(), nullable=True),
        _fk("voting_result", "voting_id", "voting_round"),
        _fk("voting_result", "dossier_id", "voting_dossier"),
        _fk("voting_result", "settled_by", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_result")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_voting_result_dossier_id")),
    )
    _indexes("voting_result", "voting_id")


def _voting_down() -> None:
    for table in ("voting_result", "ballot", "voting_dossier", "voting_member", "voting_round"):
        op.drop_table(table)


# --- the criteria data ---------------------------------------------------------------------------------
def _year_table(name: str, *columns: sa.Column, unique: tuple[str, ...], fks: tuple[str, ...]) -> None:
    targets = {"person_id": "person", "unit_id": "unit"}
    op.create_table(
        name,
        _id(),
        sa.Column("school_year_id", BIG_ID, nullable=False),
        *columns,
        sa.Column("imported_at", WHEN, nullable=False),
        _fk(name, "school_year_id", "plan_school_year"),
        *[_fk(name, column, targets[column]) for column in fks],
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint(*unique, name=f"uq_{name}_school_year_id"),
    )
    _indexes(name, "school_year_id", *fks)


def _criteria_up() -> None:
    person = sa.Column("person_id", BIG_ID, nullable=False)
    _year_table(
        "staff_grade",
        person,
        sa.Column("rating", sa.String(length=24), nullable=False),
        unique=("school_year_id", "person_id"),
        fks=("person_id",),
    )
    _year_table(
        "unit_grade",
        sa.Column("unit_id", BIG_ID, nullable=False),
        sa.Column("rating", sa.String(length=24), nullable=False),
        unique=("school_year_id", "unit_id"),
        fks=("unit_id",),
    )
    _year_table(
        "discipline",
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        unique=("school_year_id", "person_id", "measure"),
        fks=("person_id",),
    )
    _year_table(
        "initiative",
        sa.Column("person_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.String(length=200), nullable=False),
        sa.Column("recognised_by", sa.String(length=200), nullable=True),
        unique=("school_year_id", "person_id", "kind", "title_key"),
        fks=("person_id",),
    )
    op.create_table(
        "criteria_import",
        _id(),
        sa.Column("school_year_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("imported_at", WHEN, nullable=False),
        _fk("criteria_import", "school_year_id", "plan_school_year"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_import")),
        sa.UniqueConstraint("school_year_id", "kind", name="uq_criteria_import_school_year_id"),
    )
    _indexes("criteria_import", "school_year_id")


def _criteria_down() -> None:
    for table in ("criteria_import", "initiative", "discipline", "unit_grade", "staff_grade"):
        op.drop_table(table)


def upgrade() -> None:
    _plan_up()
    _voting_up()
    _criteria_up()


def downgrade() -> None:
    _criteria_down()
    _voting_down()
    _plan_down()
