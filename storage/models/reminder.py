"""Reminders (issue 13): what the secretary paused, what a person muted, and the due work's marks.

- `ReminderPause`: the secretary paused every reminder of a round (`scope` "r<round_id>") or of a school
  year ("y<school_year_id>"): UNIQUE(scope). Deleting the row resumes them.
- `ReminderMute`: a person muted an announcement-type reminder (`kind`: "ceremony", "events", "digests");
  reminders about their own missing duty cannot be muted. UNIQUE(person_id, kind).
- `DueMark`: how far a daily due work has got (`name` "dated-menus": the last local day done), so a day
  of downtime is caught up instead of skipped.

What was sent is not stored here: each reminder is an outbox row under its idempotency key.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId


class ReminderPause(Base):
    __tablename__ = "reminder_pause"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(24), unique=True)  # r<round_id> | y<school_year_id>
    set_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    set_at: Mapped[datetime]


class ReminderMute(Base):
    __tablename__ = "reminder_mute"
    __table_args__ = (UniqueConstraint("person_id", "kind", name="uq_reminder_mute_person_kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ceremony | events | digests
    set_at: Mapped[datetime]


class DueMark(Base):
    __tablename__ = "due_mark"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime | None]
