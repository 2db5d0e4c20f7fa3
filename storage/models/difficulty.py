"""Difficulties (khó khăn, vướng mắc) raised to the council's standing office."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId


class DifficultyState(StrEnum):
    OPEN = "open"
    FORWARDED = "forwarded"  # sent on to the principal, not yet answered to the sender
    ANSWERED = "answered"


class Difficulty(Base):
    """One difficulty: who raised it (for themselves or for their unit), what, and what came of it."""

    __tablename__ = "difficulty"
    __table_args__ = (Index("ix_difficulty_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    on_behalf_of_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(255))
    file_kind: Mapped[str | None] = mapped_column(String(10))  # document | photo
    file_name: Mapped[str | None] = mapped_column(String(255))
    topic_kind: Mapped[str | None] = mapped_column(String(10))  # movement | round (the plan feature)
    topic_code: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default=DifficultyState.OPEN.value)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime | None]
    forwarded_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    forwarded_at: Mapped[datetime | None]
    principal_reply: Mapped[str | None] = mapped_column(Text)
    principal_reply_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    principal_replied_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
