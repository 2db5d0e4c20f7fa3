"""Start-of-year emulation registration (đăng ký thi đua đầu năm học), the plan's acknowledgement, windows.

- `Registration`: one per owner (a person, or a unit for the collective one) per school year, whatever rounds
  the year holds (UNIQUE(school_year_id, owner), owner = "p<person_id>" | "u<unit_id>"). `version` is bumped
  on every edit or resubmission; endorsement buttons carry it, so an edit makes older buttons stale.
  An individual registration's `unit_id` is the person's unit now (it moves with them, decision 16).
- `RegistrationMovement`: the movements of a registration as rows (mirrors `movement_ids`), so that a plan
  reload can see which movements are referred to (`register_reference` needs a column).
- `PlanAcknowledgement`: "I have read the plan", once per person per period.
- `RegistrationExtension`: the secretary's extension of a school year's registration window, for the whole
  college (`scope` "college", unit_id NULL) or one unit (`scope` "u<unit_id>"): UNIQUE(school_year_id, scope)
  (a sentinel instead of a NULL-aware unique index, same on SQLite and PostgreSQL). Not a plan row: a plan
  reload leaves it alone, like `plan_round.voting_extended_to`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId, JsonType


class RegistrationState(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ENDORSED = "endorsed"
    WITHDRAWN = "withdrawn"


class RegistrationSubject(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"


def owner_key(subject: str, person_id: int | None, unit_id: int | None) -> str:
    """The owner string of the unique key: "p<person_id>" for an individual, "u<unit_id>" for a unit."""
    if subject == RegistrationSubject.INDIVIDUAL:
        return f"p{person_id}"
    return f"u{unit_id}"


def extension_scope(unit_id: int | None) -> str:
    return "college" if unit_id is None else f"u{unit_id}"


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("school_year_id", "owner", name="uq_registration_school_year_owner"),
        Index("ix_registration_year_unit_state", "school_year_id", "unit_id", "state"),
        Index("ix_registration_person_year", "person_id", "school_year_id"),  # who has not registered (0020)
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("plan_school_year.id"), index=True)
    subject: Mapped[str] = mapped_column(String(12))  # individual | collective
    owner: Mapped[str] = mapped_column(String(24))  # p<person_id> | u<unit_id>
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("plan_commendation.id"), index=True)
    movement_ids: Mapped[list[int]] = mapped_column(JsonType)
    commitments: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=RegistrationState.SUBMITTED.value)
    version: Mapped[int] = mapped_column(Integer, default=1)
    return_reason: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    submitted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RegistrationMovement(Base):
    __tablename__ = "registration_movement"
    __table_args__ = (
        UniqueConstraint("registration_id", "movement_id", name="uq_registration_movement_registration_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    movement_id: Mapped[int] = mapped_column(ForeignKey("plan_movement.id"), index=True)


class PlanAcknowledgement(Base):
    __tablename__ = "plan_acknowledgement"
    __table_args__ = (UniqueConstraint("period_id", "person_id", name="uq_plan_acknowledgement_period_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    acknowledged_at: Mapped[datetime]


class RegistrationExtension(Base):
    __tablename__ = "registration_extension"
    __table_args__ = (
        UniqueConstraint("school_year_id", "scope", name="uq_registration_extension_school_year_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("plan_school_year.id"), index=True)
    scope: Mapped[str] = mapped_column(String(24))  # college | u<unit_id>
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    closes_at: Mapped[datetime]
    set_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    set_at: Mapped[datetime]
