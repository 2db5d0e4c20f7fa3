"""Commendation nominations (đề nghị khen thưởng): a unit head or the secretary nominates a person or a unit.

- `Nomination`: one per nominee (owner "p<person_id>" | "u<unit_id>") per commendation per round
  (UNIQUE(round_id, owner, commendation_id)). `commendation_id` is a title or an award form of the plan.
  `state`: submitted → withdrawn (may be submitted again while the window is open) → locked once the round's
  nomination deadline has passed. `report_state` follows the achievement report (báo cáo thành tích):
  missing → submitted → accepted | returned (→ submitted again). `version` is bumped on every change;
  buttons carry it, so an older button is stale.
- `NominationGoodDeed`: the verified good deeds attached to a nomination.
- `NominationExtension`: the secretary's extension of a round's nomination window (one per round), ending
  before voting opens. Not a plan row: a plan reload leaves it alone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId


class NominationState(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    LOCKED = "locked"


class ReportState(StrEnum):
    MISSING = "missing"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class Nomination(Base):
    __tablename__ = "nomination"
    __table_args__ = (
        UniqueConstraint(
            "round_id", "owner", "commendation_id", name="uq_nomination_round_owner_commendation"
        ),
        Index("ix_nomination_round_unit_state", "round_id", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("plan_round.id"), index=True)
    subject: Mapped[str] = mapped_column(String(12))  # individual | collective
    owner: Mapped[str] = mapped_column(String(24))  # p<person_id> | u<unit_id>
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    commendation_id: Mapped[int] = mapped_column(ForeignKey("plan_commendation.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10), default=NominationState.SUBMITTED.value)
    report_state: Mapped[str] = mapped_column(String(10), default=ReportState.MISSING.value)
    report_text: Mapped[str | None] = mapped_column(Text)
    report_file_id: Mapped[str | None] = mapped_column(String(255))
    report_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class NominationGoodDeed(Base):
    __tablename__ = "nomination_good_deed"
    __table_args__ = (
        UniqueConstraint("nomination_id", "good_deed_id", name="uq_nomination_good_deed_nomination_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id", ondelete="CASCADE"), index=True)
    good_deed_id: Mapped[int] = mapped_column(ForeignKey("good_deed.id"), index=True)


class NominationExtension(Base):
    __tablename__ = "nomination_extension"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("plan_round.id"), unique=True)
    closes_at: Mapped[datetime]
    set_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    set_at: Mapped[datetime]
