"""The plan as rows: a period, its movements, titles and award forms, money, school years and rounds.

Every row has an integer id that other features reference, and a stable key (period, code) by which a
reloaded plan file finds it again: loading a corrected file updates rows in place, so ids never move.
Windows are stored as aware UTC instants computed from the plan's local dates (bot.plan.calendar).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId, JsonType

SHARE = Numeric(6, 4)  # 0.9 = 90 %
PERCENT = Numeric(7, 3)
FACTOR = Numeric(8, 3)


class PlanPeriod(Base):
    """A period (giai đoạn) such as 2021-2025, with its document, its source file and confidentiality."""

    __tablename__ = "plan_period"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    purpose_vi: Mapped[str | None] = mapped_column(Text)
    purpose_en: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    document_path: Mapped[str | None] = mapped_column(String(500))
    document_title_vi: Mapped[str | None] = mapped_column(String(300))
    document_title_en: Mapped[str | None] = mapped_column(String(300))
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    # confidentiality
    nominee_can_read_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    secret_ballot: Mapped[bool] = mapped_column(Boolean, default=True)
    # the council (issue 19): whether a recused member is out of a dossier's base (excluded | counted)
    recusal_base: Mapped[str] = mapped_column(String(10), default="excluded")
    recusal_source: Mapped[str | None] = mapped_column(Text)
    recusal_to_confirm: Mapped[bool] = mapped_column(Boolean, default=True)
    # the file it was loaded from
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    source_path: Mapped[str | None] = mapped_column(String(500))
    source_yaml: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime]


class PlanMovement(Base):
    """A phong trào thi đua with its criteria for collectives and for individuals."""

    __tablename__ = "plan_movement"
    __table_args__ = (UniqueConstraint("period_id", "code", name="uq_plan_movement_period_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    collective_vi: Mapped[str] = mapped_column(Text)
    collective_en: Mapped[str | None] = mapped_column(Text)
    individual_vi: Mapped[str] = mapped_column(Text)
    individual_en: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)


class PlanCommendation(Base):
    """A title (danh hiệu thi đua, kind "title") or an award form (hình thức khen thưởng, "award_form")."""

    __tablename__ = "plan_commendation"
    __table_args__ = (UniqueConstraint("period_id", "code", name="uq_plan_commendation_period_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(12))  # title | award_form
    position: Mapped[int] = mapped_column(Integer, default=0)
    subject: Mapped[str | None] = mapped_column(String(12))  # a title's: individual | collective
    subjects: Mapped[list[str]] = mapped_column(JsonType)  # whom it is given to
    level: Mapped[int | None] = mapped_column(Integer)  # award forms: 1 = lowest
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    decided_by: Mapped[str] = mapped_column(String(10))  # school | upward
    registration_required: Mapped[bool] = mapped_column(Boolean)
    threshold_share: Mapped[Decimal] = mapped_column(SHARE)
    threshold_base: Mapped[str] = mapped_column(String(12))  # all_members | votes_cast
    threshold_source: Mapped[str] = mapped_column(Text)
    threshold_to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)
    # issue 19: the share exactly, as two integers (2/3 stays 2/3; `threshold_share` is rounded, for showing)
    threshold_num: Mapped[int] = mapped_column(Integer)
    threshold_den: Mapped[int] = mapped_column(Integer)
    threshold_comparison: Mapped[str] = mapped_column(String(10), default="at_least")  # | more_than
    quorum_num: Mapped[int | None] = mapped_column(Integer)  # the share of members who must take part
    quorum_den: Mapped[int | None] = mapped_column(Integer)
    tie_rule: Mapped[str] = mapped_column(String(10), default="chair")  # | reballot
    quota_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    quota_base: Mapped[str | None] = mapped_column(String(12))  # title | unit_staff
    quota_title: Mapped[str | None] = mapped_column(String(32))  # code of the title it is a share of
    quota_source: Mapped[str | None] = mapped_column(Text)
    quota_to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)
    quota_rounding: Mapped[str | None] = mapped_column(String(12))  # down_min_one | down | up
    criteria_rules: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)  # [{"kind":, "params": {}}]
    note_vi: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)


class PlanAwardFactor(Base):
    """Award money of a title or award form, as a multiple of lương cơ sở, from a date of effect."""

    __tablename__ = "plan_award_factor"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    commendation_id: Mapped[int] = mapped_column(ForeignKey("plan_commendation.id"), index=True)
    subject: Mapped[str | None] = mapped_column(String(12))  # None: whoever it is given to
    effective_from: Mapped[date] = mapped_column(Date)
    factor: Mapped[Decimal] = mapped_column(FACTOR)
    source: Mapped[str] = mapped_column(Text)
    to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)


class PlanMoneyValue(Base):
    """A dated money value (kind "luong_co_so": đồng per month), in force from `effective_from`."""

    __tablename__ = "plan_money_value"
    __table_args__ = (
        UniqueConstraint("period_id", "kind", "effective_from", name="uq_plan_money_value_period_kind_day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(Text)
    to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)


class PlanSchoolYear(Base):
    """A school year (năm học) with its start-of-year registration window."""

    __tablename__ = "plan_school_year"
    __table_args__ = (UniqueConstraint("period_id", "code", name="uq_plan_school_year_period_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id"), index=True)
    code: Mapped[str] = mapped_column(String(9))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    registration_opens_at: Mapped[datetime]
    registration_closes_at: Mapped[datetime]
    # issue 13: the acknowledgement's deadline (None: the registration's close) and the yearly report
    acknowledgement_closes_at: Mapped[datetime | None]
    province_report_at: Mapped[datetime | None]


class PlanRound(Base):
    """A review round (đợt bình xét): yearly, interim (sơ kết) or final (tổng kết), with its windows.

    The voting opens and closes at the plan's instants unless the secretary opened it early
    (`voting_opened_early_at`) or extended it (`voting_extended_to`); both are audited.
    """

    __tablename__ = "plan_round"
    __table_args__ = (UniqueConstraint("period_id", "code", name="uq_plan_round_period_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id"), index=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("plan_school_year.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(10))  # yearly | interim | final
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    nominable: Mapped[list[str]] = mapped_column(JsonType)  # codes of titles and award forms
    nominations_open_at: Mapped[datetime]
    nominations_close_at: Mapped[datetime]
    voting_open_at: Mapped[datetime]
    voting_close_at: Mapped[datetime]
    ceremony_at: Mapped[datetime]
    voting_opened_early_at: Mapped[datetime | None]
    voting_extended_to: Mapped[datetime | None]
    # the award ceremony's (lễ khen thưởng) time and place as the secretary set them in chat (a reload
    # leaves them); the council's review meeting (họp Hội đồng bình xét), set in chat inside the voting window
    ceremony_set_at: Mapped[datetime | None]
    ceremony_place: Mapped[str | None] = mapped_column(String(300))
    review_meeting_at: Mapped[datetime | None]
    review_meeting_place: Mapped[str | None] = mapped_column(String(300))
    occasion_vi: Mapped[str | None] = mapped_column(String(300))
    occasion_en: Mapped[str | None] = mapped_column(String(300))
    occasion_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    # issue 20: the public comment period on the proposed list, in days (None: the round has none)
    comment_days: Mapped[int | None] = mapped_column(Integer)
    comment_source: Mapped[str | None] = mapped_column(Text)
    comment_to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)


class PlanReminderRule(Base):
    """Offsets before a kind of deadline, and who is reminded (used by the reminders feature).

    A rule is found again by its content (`key`: the deadline and its audiences), not by its place in the
    file: reordering the rules and reloading changes nothing, and sends nothing again."""

    __tablename__ = "plan_reminder_rule"
    __table_args__ = (UniqueConstraint("period_id", "key", name="uq_plan_reminder_rule_period_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))  # "registration_close:pending,unit_heads"
    position: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[str] = mapped_column(String(24))
    offsets: Mapped[list[str]] = mapped_column(JsonType)  # ["7d", "1d"]
    audience: Mapped[list[str]] = mapped_column(JsonType)  # ["pending", "unit_heads"]


class PlanDocumentFile(Base):
    """The Telegram file_id of the period's document, per bot, for the document's content (sha256)."""

    __tablename__ = "plan_document_file"
    __table_args__ = (UniqueConstraint("period_id", "bot_id", name="uq_plan_document_file_period_bot"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id", ondelete="CASCADE"), index=True)
    bot_id: Mapped[int] = mapped_column(BigInteger)
    file_id: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


# The names other features look for (bot.services.difficulty reads `Movement` and `Round` topics).
Movement = PlanMovement
Round = PlanRound
