"""Good deeds (người tốt, việc tốt): reported by anyone, verified by the unit head or the secretary.

- `GoodDeed`: about a person (`subject` "person", `person_id` and that person's unit in `unit_id`) or about
  a unit as a collective (`subject` "unit", `person_id` NULL). `reporter_id` is who reported it; `anonymous`
  hides the reporter from the person concerned only (the head and the secretary always see who reported).
  `happened_on` is a local date within the period. `version` is bumped on every decision: the head's buttons
  carry it, so an older button is stale.
- `GoodDeedFile`: the evidence, up to 5 photos or one document, kept by Telegram file_id, in `position` order.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId


class GoodDeedState(StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"


class GoodDeedSubject(StrEnum):
    PERSON = "person"
    UNIT = "unit"


class GoodDeedFileKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class GoodDeed(Base):
    __tablename__ = "good_deed"
    __table_args__ = (
        Index("ix_good_deed_unit_state", "unit_id", "state"),
        Index("ix_good_deed_person_state", "person_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_period.id"), index=True)
    subject: Mapped[str] = mapped_column(String(8))  # person | unit
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    happened_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default=GoodDeedState.SUBMITTED.value)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)


class GoodDeedFile(Base):
    __tablename__ = "good_deed_file"
    __table_args__ = (UniqueConstraint("good_deed_id", "position", name="uq_good_deed_file_good_deed_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    good_deed_id: Mapped[int] = mapped_column(ForeignKey("good_deed.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # photo | document
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
