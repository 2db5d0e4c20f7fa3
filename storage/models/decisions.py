"""What the college decided after the council's vote (issue 20).

- `CommentPeriod`: the proposed list of a round published for comment (công khai, lấy ý kiến), one per round,
  from `opens_at` to `closes_at` (the plan's days), with the broadcast that carried it.
- `Objection`: someone linked objects to one name on the list, with a reason. `state`: open → dismissed |
  documents (the unit head is asked for documents by `deadline`) → supplied (the head answered) → dismissed |
  reopened (the dossier is voted again: `reballot_id`). Only dismissed and reopened are settled.
- `SigningDelegation`: the principal lets a deputy sign "KT. HIỆU TRƯỞNG" between two dates.
- `Decision`: a decision (quyết định) of a round: its number as typed, `number_key` (normalised) unique within
  its calendar `year`, its date, who signed it and how ("principal" | "deputy", with the delegation),
  `version` bumped by each correction.
- `DecisionItem`: each nomination the decision lists (`commendation_id`) or leaves out with a reason.
- `Commendation`: a person's or unit's record: the title or award form, the school year, the decision (the
  school's, or the upper level's number and date), the money in đồng (None: none from the school), whether
  its rule was to confirm (the secretary confirmed the amount at recording), revocation and recovery.
- `Proposal`: a nomination passed for an award decided upward: prepared → sent → approved | rejected.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId


class CommentPeriod(Base):
    __tablename__ = "comment_period"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("plan_round.id"), unique=True)
    days: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcast.id"))
    published_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class Objection(Base):
    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("plan_round.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    objector_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime | None]
    deadline: Mapped[datetime | None]  # the documents asked of the unit head
    supplied: Mapped[str | None] = mapped_column(Text)
    supplied_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    supplied_at: Mapped[datetime | None]
    reballot_id: Mapped[int | None] = mapped_column(ForeignKey("voting_round.id"))
    created_at: Mapped[datetime]


class SigningDelegation(Base):
    __tablename__ = "signing_delegation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    deputy_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime]


class Decision(Base):
    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("year", "number_key", name="uq_decision_year_number_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("plan_round.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    number_key: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    decided_on: Mapped[date] = mapped_column(Date)
    signer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    signed_as: Mapped[str] = mapped_column(String(10))  # principal | deputy
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("signing_delegation.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_at: Mapped[datetime]


class DecisionItem(Base):
    __tablename__ = "decision_item"
    __table_args__ = (UniqueConstraint("decision_id", "nomination_id", name="uq_decision_item_decision_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    left_out: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)


class Commendation(Base):
    __tablename__ = "commendation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject: Mapped[str] = mapped_column(String(12))  # individual | collective
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # the plan's title or award form
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    school_year: Mapped[str] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(10), default="school")  # school | upward | imported
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nomination.id"), unique=True)
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[date] = mapped_column(Date)
    factor: Mapped[str | None] = mapped_column(String(20))  # the Decimal, as its string
    amount: Mapped[int | None] = mapped_column(BigInteger)  # đồng; None: no money from the school
    amount_provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # "tạm tính": a rule to confirm
    paid: Mapped[bool] = mapped_column(Boolean, default=True)  # False: a lower title of the round, not paid
    state: Mapped[str] = mapped_column(String(10), default="active")  # active | revoked
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None]
    recovery: Mapped[str | None] = mapped_column(String(12))  # to_recover | recovered
    recovered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Proposal(Base):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("plan_round.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="prepared")  # prepared | sent | approved | not
    upper_number: Mapped[str | None] = mapped_column(String(60))
    upper_date: Mapped[date | None] = mapped_column(Date)
    commendation_id: Mapped[int | None] = mapped_column(ForeignKey("commendation.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
